//! The configuration's sections, one per subsystem; `Config` holds one of each.

use std::path::PathBuf;
use std::time::Duration;

use madeinpk_domain::account::rules::{LoginPolicy, RegisterPolicy};
use madeinpk_domain::rate::BasisPoints;
use secrecy::SecretString;

/// The database.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `DATABASE_URL`.
    pub url: SecretString,
    /// `DATABASE_POOL_SIZE`: connections per process.
    pub pool_size: usize,
    /// `AUTO_MIGRATE`: create the database, migrate and seed on start.
    pub auto_migrate: bool,
}

/// The HTTP server and the addresses it answers for.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `BIND_ADDR`: where the HTTP server listens.
    pub bind_addr: String,
    /// `HTTP_WORKERS`: actix worker threads (0 = one per core).
    pub workers: usize,
    /// `HTTP_LINGER_MS`: how long a connection whose request was not read to its end (a closed
    /// WebSocket, a refused upload) is drained before it is closed.
    pub linger: Duration,
    /// `MAX_BODY_BYTES`: largest JSON or form body.
    pub max_body_bytes: usize,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins, or `*`.
    pub cors_origins: Vec<String>,
    /// `TRUST_PROXY_HEADERS`: take the client IP from `X-Forwarded-For` / `Forwarded`.
    pub trust_proxy_headers: bool,
    /// `ALLOWED_HOSTS`: `Host` header values (without port; `*` for any) believed for absolute
    /// links; others get `PUBLIC_BASE_URL`'s. Default: the loopback names.
    pub allowed_hosts: Vec<String>,
    /// `PUBLIC_BASE_URL`: how users reach the site (links in emails, media URLs).
    pub public_base_url: String,
    /// `FRONTEND_URL`: the web front end (payment redirects land there).
    pub frontend_url: String,
}

/// Uploaded files.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// `MEDIA_DIR`: uploaded files.
    pub dir: PathBuf,
    /// `MAX_UPLOAD_BYTES`: largest uploaded file.
    pub max_upload_bytes: usize,
    /// `MAX_UPLOAD_TOTAL_BYTES`: largest multipart request of an endpoint that takes files.
    pub max_upload_total: usize,
    /// `MAX_IMAGE_PIXELS`: largest image accepted (width × height), checked before decoding.
    pub max_image_pixels: u64,
}

/// Outgoing email.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `SMTP_URL`: when set, emails go through this relay.
    pub smtp_url: Option<SecretString>,
    /// `MAIL_DIR`: otherwise, emails are written here as `.eml` files.
    pub dir: PathBuf,
    /// `MAIL_FROM`: sender of every email.
    pub from: String,
}

/// Stripe (without a secret key, the offline dev gateway).
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `STRIPE_SECRET_KEY`: without it the dev gateway stands in for Stripe.
    pub secret_key: Option<SecretString>,
    /// `STRIPE_WEBHOOK_SECRET`: signing secret of the account's webhook endpoint.
    pub webhook_secret: Option<SecretString>,
    /// `STRIPE_CONNECT_WEBHOOK_SECRET`: signing secret of the Connect endpoint (events of the
    /// sellers' accounts, such as `account.updated`, come from there with its own secret).
    pub connect_webhook_secret: Option<SecretString>,
    /// `STRIPE_API_BASE`: another Stripe API address (a local stub); Stripe's by default.
    pub api_base: Option<String>,
    /// `STRIPE_ACCOUNT_COUNTRY`: country of new Express accounts (default `PK`).
    pub account_country: String,
}

/// The job worker and the time-driven sweep.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// `JOB_CONCURRENCY`: jobs one worker process runs at once.
    pub concurrency: usize,
    /// `JOB_POLL_MS`: fallback poll interval (NOTIFY wakes workers sooner).
    pub poll: Duration,
    /// `JOB_LEASE_SECS`: how long a claimed job is a worker's before another may take it
    /// (renewed while it runs; what a killed worker's jobs wait before running again).
    pub lease: Duration,
    /// `SERVE_RUNS_WORKERS`: `serve` also runs the job worker.
    pub serve_runs_workers: bool,
    /// `SWEEP_INTERVAL_MS`: how often workers release lapsed holds and expire unpaid orders.
    pub sweep_interval: Duration,
}

/// Sign-in: tokens and throttles.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// `TOKEN_IDLE_DAYS`: tokens unused this long expire.
    pub token_idle: Duration,
    /// `LOGIN_RATE_PER_IP`, `LOGIN_RATE_WINDOW_SECS` (attempts per client address per window);
    /// `LOGIN_RATE_PER_ACCOUNT` (attempts one address makes on one account before it waits),
    /// `LOGIN_BACKOFF_SECS` (the first wait, doubling per failure), `LOGIN_BACKOFF_MAX_SECS`.
    pub login: LoginPolicy,
    /// `REGISTER_RATE_PER_IP` (0: no bound), `REGISTER_RATE_WINDOW_SECS`: registration attempts
    /// per client address per window.
    pub register: RegisterPolicy,
    /// `CONSOLE_IDLE_MINUTES` (default 30): a console session unused this long ends.
    pub console_idle: Duration,
    /// `CONSOLE_MAX_HOURS` (default 12): a console session ends this long after sign-in.
    pub console_max: Duration,
    /// `PROFILE_SHOWS_EMAIL_VERIFIED` (default false, the contract's UserProfile): the profile
    /// also carries `email_verified`.
    pub profile_shows_email_verified: bool,
    /// `SELLERS_MUST_VERIFY_EMAIL` (default false, as the contract): sellers verify their email
    /// address before they publish a listing or auction, and their payouts wait until they do.
    pub sellers_must_verify_email: bool,
}

/// Carts, checkout, commission and payment windows.
#[derive(Debug, Clone)]
pub struct OrdersConfig {
    /// `PLATFORM_FEE_BPS`: commission in basis points (200 = 2%).
    pub platform_fee: BasisPoints,
    /// `REQUIRE_PAYOUT_ACCOUNT_TO_PUBLISH`: sellers must be able to receive payouts to publish.
    pub require_payout_account: bool,
    /// `CART_HOLD_MINUTES`: how long cart lines hold their units (renewed by cart activity).
    pub cart_hold: Duration,
    /// `CART_HOLD_NOTICE_MINUTES`: the buyer is told this long before a hold lapses.
    pub cart_notice_before: Duration,
    /// `CART_ABANDONED_DAYS`: carts untouched this long are cleared.
    pub cart_abandoned_after: Duration,
    /// `PAYMENT_WINDOW_MINUTES`: how long an order waits for payment (the session's expiry).
    pub payment_window: Duration,
    /// `MAX_UNPAID_ORDERS_PER_LISTING`: open unpaid fixed-price and cart orders one buyer may
    /// hold per listing; another is refused until one is paid or cancelled (0: no limit).
    pub max_unpaid_orders_per_listing: u32,
}

/// Bidding rules, auction endings and unpaid wins.
#[derive(Debug, Clone)]
pub struct AuctionsConfig {
    /// `BID_INCREMENTS`: `from:step` pairs in rupees (`0:50,5000:250`); empty: the contract's
    /// rule (a bid must be higher than the current price).
    pub bid_increments: Vec<(madeinpk_domain::money::Money, madeinpk_domain::money::Money)>,
    /// `SOFT_CLOSE_MINUTES`: a bid this close to the end extends it to now + this (0: off).
    pub soft_close: Duration,
    /// `PROXY_BIDDING`: bids may carry `max_amount`, which the system bids up to (off: the
    /// field is ignored, as the original).
    pub proxy_bidding: bool,
    /// `PAYMENT_DEADLINE_HOURS` (the original's name; `AUCTION_PAYMENT_HOURS` also read): the
    /// auction winner's time to pay.
    pub payment_window: Duration,
    /// `PAYMENT_REMINDER_HOURS`: the winner is reminded this long before the deadline.
    pub payment_reminder_before: Duration,
    /// `MAX_FAILED_PAYMENTS_BEFORE_BLOCK` (the original's name; `MAX_FAILED_PAYMENTS` also
    /// read): unpaid auction orders before an account is blocked (0: never).
    pub max_failed_payments: i32,
    /// `AUCTION_SCHEDULE_BOUNDS`: auctions must end in the future, within the two bounds below
    /// (off by default: the contract accepts any window whose end follows its start).
    pub schedule_bounds: bool,
    /// `AUCTION_MAX_DAYS`: longest auction, in days from the later of its start and now
    /// (0: no bound).
    pub max_days: u32,
    /// `AUCTION_MAX_START_DAYS`: furthest ahead an auction may start, in days (0: no bound).
    pub max_start_days: u32,
    /// `BIDDER_PRIVACY`: `public` (default, the contract: every viewer sees each bidder's id and
    /// username) or `masked` (only the bidder, the seller and admins do; others see `b***2`).
    pub bidder_privacy: madeinpk_domain::auction::model::BidderPrivacy,
}

/// The live auction socket.
#[derive(Debug, Clone)]
pub struct WsConfig {
    /// `WS_ALLOWED_ORIGINS`: browser origins allowed to open auction sockets (default: the
    /// CORS origins, the front end and this site).
    pub allowed_origins: Vec<String>,
    /// `WS_ALLOW_NO_ORIGIN`: accept sockets without an `Origin` (non-browser clients).
    pub allow_no_origin: bool,
    /// `WS_QUEUE`: messages a slow socket may have waiting before it is dropped.
    pub queue: usize,
    /// `WS_MAX_PER_TOKEN`: sockets one token may hold open on an instance (0: no bound).
    pub max_per_token: usize,
    /// `WS_MAX_PER_IP`: sockets one client address may hold open on an instance (0: no bound).
    pub max_per_ip: usize,
    /// `WS_SELLER_EMAIL`: `all` (default, the contract's `auction_status.seller.email`) or
    /// `hidden` (the socket shows no seller email, as REST never does).
    pub seller_email: bool,
}

/// Catalogue reads.
#[derive(Debug, Clone)]
pub struct CatalogConfig {
    /// `CATALOG_CACHE_MS`: how long anonymous catalogue pages are reused (0 disables).
    pub cache: Duration,
    /// `STRICT_VISIBILITY`: inactive listings only to their seller and admins, feedback order
    /// numbers and platform comments only to its parties, and a payment success redirect that
    /// does not tell whether an order exists (off by default: the contract shows all three).
    pub strict_visibility: bool,
}
