//! Shared application state: the wired services and configuration.

use secrecy::ExposeSecret;
use std::sync::Arc;

use madeinpk_domain::account::address_service::Addresses;
use madeinpk_domain::account::service::Accounts;
use madeinpk_domain::auction::service::Auctions;
use madeinpk_domain::catalog::listing_service::Listings;
use madeinpk_domain::catalog::product_service::Products;
use madeinpk_domain::catalog::reference_service::ReferenceData;
use madeinpk_domain::clock::{ShiftedClock, SystemClock};
use madeinpk_domain::community::review_service::Reviews;
use madeinpk_domain::community::seller_profile_service::SellerProfiles;
use madeinpk_domain::community::wishlist_service::Wishlists;
use madeinpk_domain::job::admin_service::Operations;
use madeinpk_domain::order::cart_service::Carts;
use madeinpk_domain::order::checkout_service::Checkout;
use madeinpk_domain::order::payment_service::Payments;
use madeinpk_domain::order::service::Orders;
use madeinpk_domain::reporting::analytics_service::SellerAnalytics;
use madeinpk_postgres::Db;
use madeinpk_stripe::{DevGateway, Gateway, StripeGateway, StripeSettings};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Config;
use crate::password::Argon2Hasher;
use crate::uploads::MediaStore;

/// Accounts wired to Postgres and argon2.
pub type AccountService = Accounts<Db, Db, Argon2Hasher, Db, SystemClock>;
/// Email verification wired to Postgres.
pub type VerificationService =
    madeinpk_domain::account::verification_service::Verification<Db, Db, SystemClock>;
/// Password resets wired to Postgres.
pub type RecoveryService =
    madeinpk_domain::account::recovery_service::Recovery<Db, Argon2Hasher, Db, SystemClock>;
/// Two-factor sign-in wired to Postgres and totp-rs.
pub type TwoFactorService = madeinpk_domain::account::two_factor_service::TwoFactor<
    Db,
    crate::one_time_codes::TotpCodes,
    Db,
    Db,
    SystemClock,
>;
/// Addresses wired to Postgres.
pub type AddressService = Addresses<Db, Db>;
/// Operations (job admin) wired to Postgres.
pub type OperationsService = Operations<Db>;
/// Products wired to Postgres, local media and the payout check.
pub type ProductService = Products<Db, MediaStore, Db>;
/// Listings wired to Postgres.
pub type ListingService = Listings<Db, Db, Db>;
/// Auctions wired to Postgres.
pub type AuctionService = Auctions<Db>;
/// Seller profiles wired to Postgres.
pub type SellerProfileService = SellerProfiles<Db, Db, Db>;
/// Wishlists wired to Postgres.
pub type WishlistService = Wishlists<Db, Db>;
/// Reviews wired to Postgres.
pub type ReviewService = Reviews<Db>;
/// The admin dashboard wired to Postgres.
pub type DashboardService =
    madeinpk_domain::reporting::dashboard_service::AdminDashboard<Db, ShiftedClock>;
/// Account moderation wired to Postgres.
pub type ModerationService = madeinpk_domain::account::moderation_service::Moderator<Db>;
/// Complaints wired to Postgres.
pub type ComplaintService =
    madeinpk_domain::community::complaint_service::Complaints<Db, ShiftedClock>;
/// Conversations wired to Postgres.
pub type ConversationService =
    madeinpk_domain::community::conversation_service::Conversations<Db, ShiftedClock>;
/// Notifications wired to Postgres.
pub type NotificationService = madeinpk_domain::notification::service::Notifications<Db>;
/// Seller feedback wired to Postgres.
pub type FeedbackService = madeinpk_domain::community::feedback_service::Feedbacks<Db>;
/// Carts wired to Postgres.
pub type CartService = Carts<Db, Db, ShiftedClock>;
/// Checkout wired to Postgres and the payment gateway.
pub type CheckoutService = Checkout<Db, Db, Db, Gateway, ShiftedClock>;
/// Orders wired to Postgres.
pub type OrderService = Orders<Db, ShiftedClock>;
/// Payment events wired to Postgres.
pub type PaymentService = Payments<Db, ShiftedClock>;
/// Payout accounts wired to Postgres and the gateway.
pub type ConnectService = madeinpk_domain::order::connect_service::Connect<Db, Gateway>;
/// Refunds wired to Postgres.
pub type RefundService = madeinpk_domain::order::refund_service::Refunds<Db, Db, ShiftedClock>;
/// Payout admin tools wired to Postgres.
pub type PayoutAdminService = madeinpk_domain::order::payout_service::PayoutAdmin<Db, ShiftedClock>;
/// Seller analytics wired to Postgres.
pub type AnalyticsService = SellerAnalytics<Db, ShiftedClock>;
/// Reference data wired to Postgres.
pub type ReferenceService = ReferenceData<Db>;
/// Bidding wired to Postgres.
pub type BiddingService = madeinpk_domain::auction::bidding_service::Bidding<Db, ShiftedClock>;

/// Console sessions wired to Postgres.
pub type ConsoleAccessService =
    madeinpk_domain::console::access_service::ConsoleAccess<Db, Db, ShiftedClock>;

/// Everything a handler may use.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Accounts.
    pub accounts: AccountService,
    /// Password resets.
    pub recovery: RecoveryService,
    /// Email verification.
    pub verification: VerificationService,
    /// Two-factor sign-in.
    pub two_factor: TwoFactorService,
    /// Address book.
    pub addresses: AddressService,
    /// Provinces, cities, categories.
    pub reference: ReferenceService,
    /// Operator tools.
    pub operations: OperationsService,
    /// Products.
    pub products: ProductService,
    /// Fixed-price listings.
    pub listings: ListingService,
    /// Auctions.
    pub auctions: AuctionService,
    /// Bids (REST and WebSocket).
    pub bidding: BiddingService,
    /// Seller profiles.
    pub seller_profiles: SellerProfileService,
    /// Wishlists.
    pub wishlist: WishlistService,
    /// Product reviews.
    pub reviews: ReviewService,
    /// Seller feedback on auction orders.
    pub feedbacks: FeedbackService,
    /// The caller's notifications.
    pub notifications: NotificationService,
    /// Buyer–seller conversations.
    pub conversations: ConversationService,
    /// Complaints.
    pub complaints: ComplaintService,
    /// Admins' account moderation.
    pub moderation: ModerationService,
    /// The admin dashboard.
    pub dashboard: DashboardService,
    /// Who may use the operator console, and their sessions.
    pub console: ConsoleAccessService,
    /// The console's corrections of community records.
    pub upkeep: madeinpk_domain::console::upkeep_service::Upkeep<Db>,
    /// Auction endings (the console ends auctions early through it).
    pub auction_life: crate::worker::AuctionLifeService,
    /// Carts.
    pub carts: CartService,
    /// Placing orders.
    pub checkout: CheckoutService,
    /// Orders after placement.
    pub orders: OrderService,
    /// Payment events.
    pub payments: PaymentService,
    /// Seller analytics.
    pub analytics: AnalyticsService,
    /// Payout admin tools.
    pub payouts: PayoutAdminService,
    /// Refunds.
    pub refunds: RefundService,
    /// Sellers' payout accounts.
    pub connect: ConnectService,
    /// The clock every service reads (tests move it).
    pub clock: ShiftedClock,
    /// Secret the webhook checks signatures with (and the dev gateway signs with).
    pub webhook_secret: String,
    /// The Connect endpoint's secret, also accepted by the webhook.
    pub connect_webhook_secret: Option<String>,
    /// The offline gateway is in use (its pages are served only then).
    pub dev_payments: bool,
    /// The offline gateway, when in use (it checks its pages' links).
    pub dev_gateway: Option<DevGateway>,
    /// Settings.
    pub config: Arc<Config>,
    /// Prometheus exposition.
    pub metrics: PrometheusHandle,
    /// Uploaded files.
    pub uploads: MediaStore,
    /// Anonymous catalogue pages.
    pub page_cache: crate::page_cache::PageCache,
}

impl AppState {
    /// Wires the services over one database handle.
    pub fn new(
        db: Db,
        config: Arc<Config>,
        metrics: PrometheusHandle,
        clock: ShiftedClock,
        gateway: Gateway,
    ) -> Self {
        Self {
            carts: Carts::new(
                db.clone(),
                db.clone(),
                clock.clone(),
                config.cart_settings(),
            ),
            checkout: Checkout::new(
                db.clone(),
                db.clone(),
                db.clone(),
                gateway.clone(),
                clock.clone(),
                config.plan_settings(),
            ),
            orders: Orders::new(db.clone(), clock.clone()),
            payments: Payments::new(db.clone(), clock.clone())
                .block_after(config.auctions.max_failed_payments),
            bidding: madeinpk_domain::auction::bidding_service::Bidding::new(
                db.clone(),
                clock.clone(),
                config.bid_rules(),
            ),
            analytics: SellerAnalytics::new(db.clone(), clock.clone()),
            connect: madeinpk_domain::order::connect_service::Connect::new(
                db.clone(),
                gateway.clone(),
            ),
            refunds: madeinpk_domain::order::refund_service::Refunds::new(
                db.clone(),
                db.clone(),
                clock.clone(),
            ),
            payouts: madeinpk_domain::order::payout_service::PayoutAdmin::new(
                db.clone(),
                clock.clone(),
            ),
            webhook_secret: webhook_secret(&config),
            connect_webhook_secret: config
                .stripe
                .connect_webhook_secret
                .as_ref()
                .map(|s| s.expose_secret().to_owned()),
            dev_payments: gateway.is_dev(),
            dev_gateway: match &gateway {
                Gateway::Dev(dev) => Some(dev.clone()),
                Gateway::Stripe(_) => None,
            },
            clock: clock.clone(),
            accounts: Accounts::new(
                db.clone(),
                db.clone(),
                Argon2Hasher,
                db.clone(),
                SystemClock,
                config.account_settings(),
            ),
            recovery: madeinpk_domain::account::recovery_service::Recovery::new(
                db.clone(),
                Argon2Hasher,
                db.clone(),
                SystemClock,
                &config.http.frontend_url,
            ),
            verification: madeinpk_domain::account::verification_service::Verification::new(
                db.clone(),
                db.clone(),
                SystemClock,
                &config.http.frontend_url,
            )
            .sellers_must_verify(config.auth.sellers_must_verify_email),
            two_factor: madeinpk_domain::account::two_factor_service::TwoFactor::new(
                db.clone(),
                crate::one_time_codes::TotpCodes,
                db.clone(),
                db.clone(),
                SystemClock,
            ),
            addresses: Addresses::new(db.clone(), db.clone()),
            reference: ReferenceData::new(db.clone()),
            operations: Operations::new(db.clone()),
            auctions: Auctions::new(db.clone()),
            seller_profiles: SellerProfiles::new(db.clone(), db.clone(), db.clone()),
            wishlist: Wishlists::new(db.clone(), db.clone()),
            reviews: Reviews::new(db.clone()),
            feedbacks: madeinpk_domain::community::feedback_service::Feedbacks::new(db.clone())
                .with_private_details(config.catalog.strict_visibility),
            notifications: madeinpk_domain::notification::service::Notifications::new(db.clone()),
            conversations: madeinpk_domain::community::conversation_service::Conversations::new(
                db.clone(),
                clock.clone(),
            ),
            complaints: madeinpk_domain::community::complaint_service::Complaints::new(
                db.clone(),
                clock.clone(),
            ),
            moderation: madeinpk_domain::account::moderation_service::Moderator::new(db.clone()),
            upkeep: madeinpk_domain::console::upkeep_service::Upkeep::new(db.clone()),
            auction_life: madeinpk_domain::auction::bidding_service::AuctionLife::new(
                db.clone(),
                db.clone(),
                gateway.clone(),
                db.clone(),
                clock.clone(),
                config.end_settings(),
            ),
            console: madeinpk_domain::console::access_service::ConsoleAccess::new(
                db.clone(),
                db.clone(),
                clock.clone(),
                madeinpk_domain::console::session::SessionPolicy {
                    idle: chrono::Duration::from_std(config.auth.console_idle)
                        .unwrap_or(chrono::Duration::minutes(30)),
                    absolute: chrono::Duration::from_std(config.auth.console_max)
                        .unwrap_or(chrono::Duration::hours(12)),
                },
            ),
            dashboard: madeinpk_domain::reporting::dashboard_service::AdminDashboard::new(
                db.clone(),
                clock.clone(),
                config.time_zone.name(),
            ),
            listings: Listings::new(
                db.clone(),
                db.clone(),
                db.clone(),
                config.catalog_settings(),
            ),
            products: Products::new(
                db.clone(),
                MediaStore::new(config.media.dir.clone(), config.media.max_image_pixels),
                db.clone(),
                config.catalog_settings(),
            ),
            uploads: MediaStore::new(config.media.dir.clone(), config.media.max_image_pixels),
            page_cache: crate::page_cache::PageCache::new(config.catalog.cache),
            db,
            config,
            metrics,
        }
    }
}

/// The payment gateway of a config: Stripe with `STRIPE_SECRET_KEY`, else the dev gateway,
/// whose page links are keyed by the install's secret.
pub async fn gateway(config: &Config, db: &madeinpk_postgres::Db) -> Result<Gateway, String> {
    let Some(key) = &config.stripe.secret_key else {
        let secret = db
            .install_secret()
            .await
            .map_err(|e| format!("reading the install's secret: {e}"))?;
        return Ok(Gateway::Dev(DevGateway::new(
            &config.http.public_base_url,
            &secret,
        )));
    };
    StripeGateway::new(StripeSettings {
        secret_key: key.expose_secret().to_owned(),
        api_base: config.stripe.api_base.clone(),
        public_base_url: config.http.public_base_url.clone(),
        frontend_url: config.http.frontend_url.clone(),
        country: config.stripe.account_country.clone(),
    })
    .map(|g| Gateway::Stripe(Box::new(g)))
}

/// `STRIPE_WEBHOOK_SECRET`, or a random secret for this process (the dev gateway signs its own
/// events with it, so nothing outside can forge one).
fn webhook_secret(config: &Config) -> String {
    config.stripe.webhook_secret.as_ref().map_or_else(
        || {
            use rand::Rng;
            format!("whsec_dev_{:032x}", rand::rng().random::<u128>())
        },
        |s| s.expose_secret().to_owned(),
    )
}

impl AppState {
    /// True when the order exists (the success page only names real orders).
    pub async fn orders_exists(&self, id: madeinpk_domain::ids::OrderId) -> bool {
        matches!(self.order(id).await, Ok(Some(_)))
    }

    /// An order, unscoped (payment pages and the dev gateway).
    pub async fn order(
        &self,
        id: madeinpk_domain::ids::OrderId,
    ) -> Result<Option<madeinpk_domain::order::model::Order>, madeinpk_domain::store::StoreError>
    {
        use madeinpk_domain::order::ports::OrderRepository;
        self.db.order(id).await
    }

    /// The order paid through a payment session or intent.
    pub async fn db_order_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<madeinpk_domain::ids::OrderId>, madeinpk_domain::store::StoreError> {
        use madeinpk_domain::order::ports::OrderRepository;
        self.db
            .order_by_payment_reference(reference.to_owned())
            .await
    }
}
