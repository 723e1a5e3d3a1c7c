//! The OpenAPI document served at `/api/openapi.json` (Swagger UI at `/api/docs/`).

mod errors;
mod socket;

use errors::ErrorResponses;
use socket::LiveAuctionSocket;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::account::{accounts, addresses, moderation, sessions, two_factor, verification};
use crate::routes::auction::auctions;
use crate::routes::catalog::{categories, listings, locations, products};
use crate::routes::community::{
    complaints, conversations, feedbacks, reviews, seller_profiles, wishlist,
};
use crate::routes::health;
use crate::routes::job::jobs;
use crate::routes::notification::notifications;
use crate::routes::order::{cart, connect, orders, payments, payouts};
use crate::routes::reporting::{dashboard, seller};

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

/// `request_body = Option<T>` documents a body that may be left out (an empty body reads as
/// `{}`); utoipa renders it as "T or JSON null", and null is refused (400). This keeps the
/// `required: false` and drops the null.
struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{Schema, SchemaType, Type};
        let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put, &mut item.patch]
                .into_iter()
                .flatten()
            {
                let Some(body) = op.request_body.as_mut() else {
                    continue;
                };
                for content in body.content.values_mut() {
                    if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
                        && one_of.items.len() == 2
                        && one_of.items.iter().any(is_null)
                    {
                        content.schema = one_of.items.iter().find(|s| !is_null(s)).cloned();
                    }
                }
            }
        }
    }
}

/// The operations of a path, by lower-case method.
fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_mut().map(|op| (method, op)))
}

/// utoipa names an operation after its handler, so `list`, `create`, `get`… repeat across
/// modules and a handler mounted for PUT and PATCH names two operations. Operation ids must be
/// unique: `{tag}_{handler}`, plus `_{method}` where one handler serves several methods.
struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use std::collections::HashMap;
        let id = |op: &utoipa::openapi::path::Operation| {
            let tag = op
                .tags
                .as_ref()
                .and_then(|t| t.first())
                .map_or("api", String::as_str);
            let name = op.operation_id.as_deref().unwrap_or("operation");
            format!("{}_{name}", tag.replace('-', "_"))
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for item in openapi.paths.paths.values() {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                *seen.entry(id(op)).or_default() += 1;
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for (method, op) in operations_mut(item) {
                let base = id(op);
                op.operation_id = Some(if seen[&base] > 1 {
                    format!("{base}_{method}")
                } else {
                    base
                });
            }
        }
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
        sessions::sessions, sessions::end_session, sessions::logout_all, sessions::change_password,
        sessions::password_reset, sessions::password_reset_confirm,
        verification::status, verification::verify, verification::resend,
        two_factor::two_factor_status, two_factor::two_factor_setup, two_factor::two_factor_confirm,
        two_factor::two_factor_disable, two_factor::login_code,
        locations::provinces, locations::province, locations::cities, locations::city,
        categories::list, categories::get, categories::create, categories::replace, categories::patch, categories::delete,
        addresses::list, addresses::create, addresses::get, addresses::replace, addresses::patch, addresses::delete,
        addresses::set_default,
        jobs::jobs, moderation::block, moderation::unblock, moderation::reset_violations, moderation::violations, dashboard::dashboard,
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
        auctions::list, auctions::get, auctions::bids, auctions::place_bid, auctions::create, auctions::replace, auctions::patch, auctions::delete,
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
        jobs::retry, payouts::orders_needing_transfers, payouts::trigger_transfers,
    ),
    modifiers(&TokenAuth, &OptionalBodies, &UniqueOperationIds, &LiveAuctionSocket, &ErrorResponses),
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

#[cfg(test)]
mod tests {
    use super::ApiDoc;
    use serde_json::Value;
    use utoipa::OpenApi as _;

    /// Operations that read no body at all (the handler takes no `Body`).
    const BODYLESS: &[&str] = &[
        "post /api/auth/logout/",
        "post /api/auth/logout-all/",
        "post /api/auth/verify-email/resend/",
        "post /api/auth/2fa/setup/",
        "post /api/addresses/{id}/set_default/",
        "post /api/admin/jobs/{id}/retry/",
        "post /api/admin/users/{id}/unblock/",
        "post /api/admin/users/{id}/reset_violations/",
        "post /api/cart/clear/",
        "put /api/conversations/{id}/",
        "patch /api/conversations/{id}/",
        "post /api/listings/{id}/toggle_status/",
        "post /api/notifications/mark_all_read/",
        "post /api/notifications/{id}/mark_read/",
        "post /api/orders/{id}/cancel/",
        "post /api/orders/{id}/mark_delivered/",
        "post /api/payments/dev/checkout/{session}/pay/",
        "post /api/payments/dev/checkout/{session}/fail/",
        "post /api/seller-profiles/{id}/verify/",
        "post /api/seller-profiles/{id}/unverify/",
        "post /api/stripe/connect/create_account/",
        "post /api/stripe/connect/refresh_onboarding/",
        "post /api/stripe/connect/login_link/",
        "post /api/stripe/connect/dev/onboard/{account}/{key}/complete/",
        "post /api/wishlist/{id}/remove_from_wishlist/",
    ];

    fn doc() -> Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap()
    }

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    fn operations(doc: &Value) -> Vec<(String, &Value)> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                ops.push((format!("{method} {path}"), op));
            }
        }
        ops
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = doc();
        let mut ids = std::collections::HashSet::new();
        for (name, op) in operations(&doc) {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_owned()), "{name}: {id} repeats");
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = doc();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            assert!(schemas.contains_key(name), "dangling {r}");
        }
    }

    #[test]
    fn every_write_declares_its_body() {
        let doc = doc();
        for (name, op) in operations(&doc) {
            let method = name.split(' ').next().unwrap();
            if !["post", "put", "patch"].contains(&method) {
                continue;
            }
            let bodyless = BODYLESS.contains(&name.as_str());
            assert_eq!(
                op.get("requestBody").is_none(),
                bodyless,
                "{name}: request body declared {}",
                !bodyless
            );
            if let Some(body) = op.get("requestBody") {
                for content in body["content"].as_object().unwrap().values() {
                    let schema = &content["schema"];
                    assert!(
                        schema.get("oneOf").is_none(),
                        "{name}: a body is never JSON null"
                    );
                }
            }
        }
    }

    #[test]
    fn every_success_with_a_body_declares_it() {
        let doc = doc();
        for (name, op) in operations(&doc) {
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('2') && status != "204" {
                    assert!(
                        response.get("content").is_some(),
                        "{name} {status}: no body"
                    );
                }
            }
        }
    }

    #[test]
    fn every_operation_lists_its_errors_with_their_bodies() {
        let doc = doc();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for shape in ["FieldErrors", "Error", "Detail"] {
            assert!(schemas.contains_key(shape), "{shape}");
        }
        for (name, op) in operations(&doc) {
            let responses = op["responses"].as_object().unwrap();
            let api = name.contains(" /api/");
            let expected: &[&str] = if api {
                &["401", "404", "503"]
            } else {
                &["503"]
            };
            for status in expected {
                assert!(responses.contains_key(*status), "{name}: no {status}");
            }
            if api && op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(responses.contains_key(status), "{name}: no {status}");
                }
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]
                            .as_object()
                            .is_some_and(|c| c.values().all(|m| m["schema"].is_object())),
                        "{name} {status}: no body schema"
                    );
                }
            }
        }
        let bid = &doc["paths"]["/api/auctions/{id}/place_bid/"]["post"]["responses"];
        assert_eq!(
            bid["400"]["description"],
            "Not active, own auction, or amount too low"
        );
        assert!(
            doc["paths"]["/api/cart/checkout/"]["post"]["responses"]
                .get("502")
                .is_some(),
            "checkout reaches the payment provider"
        );
    }

    #[test]
    fn the_live_auction_socket_is_documented_with_every_message() {
        let doc = doc();
        let op = &doc["paths"]["/ws/auction/{id}/"]["get"];
        let text = op["description"].as_str().unwrap();
        for needle in [
            "auction_status",
            "place_bid",
            "new_bid",
            "auction_ended",
            "You must be authenticated to place a bid",
            "Auction is not active",
            "Your account is blocked",
            "You cannot bid on your own auction",
            "Bid must be higher than current price",
            "Auction not found",
            "Invalid JSON",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
        assert!(op["responses"].get("101").is_some());
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in [
            "WsPlaceBid",
            "WsAuctionStatus",
            "WsNewBid",
            "WsAuctionEnded",
            "WsError",
        ] {
            assert!(schemas.contains_key(name), "{name}");
        }
    }

    #[test]
    fn paginated_lists_document_the_envelope_and_pages() {
        let doc = doc();
        let mut lists = 0;
        for (name, op) in operations(&doc) {
            let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
            let Some(r) = schema["$ref"].as_str() else {
                continue;
            };
            if !r.starts_with("#/components/schemas/Page_") {
                continue;
            }
            lists += 1;
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert!(
                params.contains(&"page") && params.contains(&"page_size"),
                "{name}: {params:?}"
            );
        }
        assert_eq!(lists, 18);
    }
}
