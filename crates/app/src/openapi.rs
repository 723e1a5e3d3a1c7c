//! The OpenAPI document served at `/api/openapi.json` (Swagger UI at `/api/docs/`).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    accounts, addresses, admin, auctions, cart, categories, complaints, connect, conversations,
    feedbacks, health, listings, locations, notifications, orders, payments, products, reviews,
    seller, seller_profiles, wishlist,
};

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Token <key>` as returned by register and login",
            ))),
        );
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "MadeInPK API", description = "Marketplace for Pakistani handmade goods: fixed-price listings and live auctions."),
    paths(
        health::healthz, health::readyz, health::metrics,
        accounts::register, accounts::login, accounts::logout, accounts::profile, accounts::replace_profile,
        accounts::patch_profile, accounts::seller_eligibility, accounts::become_seller,
        locations::provinces, locations::province, locations::cities, locations::city,
        categories::list, categories::get, categories::create, categories::replace, categories::patch, categories::delete,
        addresses::list, addresses::create, addresses::get, addresses::replace, addresses::patch, addresses::delete,
        addresses::set_default,
        admin::jobs, admin::block, admin::unblock, admin::reset_violations, admin::violations, admin::dashboard,
        reviews::list, reviews::get, reviews::can_review, reviews::create, reviews::replace, reviews::patch, reviews::delete,
        feedbacks::list, feedbacks::get, feedbacks::create, feedbacks::replace, feedbacks::patch,
        feedbacks::delete, feedbacks::seller_stats,
        notifications::list, notifications::get, notifications::mark_read,
        notifications::mark_all_read, notifications::unread_count,
        conversations::list, conversations::create, conversations::get, conversations::update,
        conversations::delete, conversations::messages, conversations::send_message,
        complaints::list, complaints::create, complaints::get, complaints::replace,
        complaints::patch, complaints::delete, complaints::admin_list, complaints::admin_status,
        wishlist::list, wishlist::get, wishlist::add, wishlist::replace, wishlist::patch, wishlist::delete, wishlist::remove,
        seller_profiles::list, seller_profiles::get, seller_profiles::create, seller_profiles::replace, seller_profiles::patch,
        seller_profiles::delete, seller_profiles::verify, seller_profiles::unverify,
        auctions::list, auctions::get, auctions::bids, auctions::create, auctions::replace, auctions::patch, auctions::delete,
        listings::list, listings::get, listings::create, listings::replace, listings::patch, listings::delete,
        listings::toggle_status, listings::purchase,
        cart::view, cart::add_item, cart::update_item, cart::remove_item, cart::clear, cart::checkout,
        orders::list, orders::get, orders::mark_shipped, orders::mark_delivered, orders::cancel, orders::refund,
        payments::success, payments::cancel, payments::webhook,
        payments::dev_checkout, payments::dev_pay, payments::dev_fail,
        connect::create_account, connect::account_status, connect::refresh_onboarding,
        connect::login_link, connect::return_page, connect::refresh_page, connect::dev_onboarding,
        connect::dev_complete, connect::dev_dashboard,
        seller::statistics, seller::earnings, seller::transactions, seller::product_performance,
        products::list, products::get, products::create, products::replace, products::patch, products::delete,
        products::add_image, products::delete_image,
        admin::retry, admin::orders_needing_transfers, admin::trigger_transfers,
    ),
    modifiers(&TokenAuth),
    security(("token" = [])),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "locations", description = "Provinces and cities"),
        (name = "categories", description = "Product categories"),
        (name = "addresses", description = "The caller's addresses"),
        (name = "operations", description = "Health and metrics"),
        (name = "admin", description = "Operator tools (admins only)"),
        (name = "products", description = "Products and their images"),
        (name = "listings", description = "Fixed-price listings"),
        (name = "auctions", description = "Auction listings"),
        (name = "seller-profiles", description = "Seller profiles"),
        (name = "wishlist", description = "The caller's saved products"),
        (name = "reviews", description = "Product reviews"),
        (name = "feedbacks", description = "Seller feedback on auction orders"),
        (name = "notifications", description = "The caller's notifications"),
        (name = "conversations", description = "Buyer–seller conversations and messages"),
        (name = "complaints", description = "The caller's complaints"),
        (name = "cart", description = "The caller's cart and checkout"),
        (name = "orders", description = "Orders as buyer or seller"),
        (name = "seller", description = "A seller's statistics, earnings and payouts"),
        (name = "payments", description = "Payment pages, the provider webhook and the offline dev gateway"),
    )
)]
pub struct ApiDoc;
