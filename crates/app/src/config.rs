//! Typed configuration from environment variables; every value has a default that runs locally.
//! Secrets (database and SMTP URLs, Stripe keys, the metrics token) are `SecretString`s: `Debug`
//! and logs show `[REDACTED]`, and reading one takes an explicit `expose_secret()`.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;

use madeinpk_domain::account::rules::{LoginPolicy, RegisterPolicy};
use madeinpk_domain::account::service::AccountSettings;
use madeinpk_domain::rate::BasisPoints;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// A bad environment value.
#[derive(Debug, thiserror::Error)]
#[error("invalid {name}={value:?}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    value: String,
    reason: String,
}

/// All settings of the service.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database.
    pub database: DatabaseConfig,
    /// The HTTP server and the addresses it answers for.
    pub http: HttpConfig,
    /// Uploaded files.
    pub media: MediaConfig,
    /// Outgoing email.
    pub mail: MailConfig,
    /// Stripe (without a secret key, the offline dev gateway).
    pub stripe: StripeConfig,
    /// The job worker and the time-driven sweep.
    pub jobs: JobsConfig,
    /// Sign-in: tokens and throttles.
    pub auth: AuthConfig,
    /// Carts, checkout, commission and payment windows.
    pub orders: OrdersConfig,
    /// Bidding rules, auction endings and unpaid wins.
    pub auctions: AuctionsConfig,
    /// The live auction socket.
    pub ws: WsConfig,
    /// Catalogue reads.
    pub catalog: CatalogConfig,
    /// `TIME_ZONE`: zone datetimes are rendered in.
    pub time_zone: chrono_tz::Tz,
    /// `LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `METRICS_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
}

fn parse_increments(
    value: &str,
) -> Result<Vec<(madeinpk_domain::money::Money, madeinpk_domain::money::Money)>, ConfigError> {
    use madeinpk_domain::money::{Currency, Money};
    let bad = |reason: &str| ConfigError {
        name: "BID_INCREMENTS",
        value: value.into(),
        reason: reason.into(),
    };
    let mut bands = Vec::new();
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (from, step) = pair
            .split_once(':')
            .ok_or_else(|| bad("expected from:step pairs"))?;
        let from = Money::parse(from.trim(), Currency::Pkr).map_err(|e| bad(&e.to_string()))?;
        let step = Money::parse(step.trim(), Currency::Pkr).map_err(|e| bad(&e.to_string()))?;
        if step.minor() <= 0 || from.is_negative() {
            return Err(bad("steps must be positive"));
        }
        bands.push((from, step));
    }
    bands.sort_by_key(|b| b.0);
    Ok(bands)
}

fn parse<T: FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.trim().parse().map_err(|e: T::Err| ConfigError {
        name,
        value: value.to_owned(),
        reason: e.to_string(),
    })
}

/// An auction winner's hours to pay: 1 to 24, because the payment session (Stripe Checkout)
/// lasts at most a day and closes with the deadline.
fn deadline_hours(value: &str) -> Result<u64, ConfigError> {
    let hours: u64 = parse("PAYMENT_DEADLINE_HOURS", value)?;
    if (1..=24).contains(&hours) {
        Ok(hours)
    } else {
        Err(ConfigError {
            name: "PAYMENT_DEADLINE_HOURS",
            value: value.to_owned(),
            reason: "must be 1 to 24 (a payment session lasts at most a day)".into(),
        })
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError {
            name,
            value: value.to_owned(),
            reason: "expected true or false".into(),
        }),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `get` (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind_addr = get("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8000".into());
        let public_base_url = get("PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind_addr}"))
            .trim_end_matches('/')
            .to_owned();
        let bps: u32 =
            get("PLATFORM_FEE_BPS").map_or(Ok(200), |v| parse("PLATFORM_FEE_BPS", &v))?;
        let platform_fee = BasisPoints::new(bps).ok_or_else(|| ConfigError {
            name: "PLATFORM_FEE_BPS",
            value: bps.to_string(),
            reason: "at most 10000".into(),
        })?;
        let time_zone = match get("TIME_ZONE") {
            Some(v) => parse::<chrono_tz::Tz>("TIME_ZONE", &v)?,
            None => chrono_tz::Asia::Karachi,
        };
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    name: "LOG_FORMAT",
                    value: other.into(),
                    reason: "expected text or json".into(),
                });
            }
        };
        let defaults = LoginPolicy::default();
        let idle_days: u64 =
            get("TOKEN_IDLE_DAYS").map_or(Ok(30), |v| parse("TOKEN_IDLE_DAYS", &v))?;
        Ok(Self {
            database: DatabaseConfig {
                url: get("DATABASE_URL")
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/madeinpk".into())
                    .into(),
                pool_size: get("DATABASE_POOL_SIZE")
                    .map_or(Ok(16), |v| parse("DATABASE_POOL_SIZE", &v))?,
                auto_migrate: get("AUTO_MIGRATE")
                    .map_or(Ok(true), |v| parse_bool("AUTO_MIGRATE", &v))?,
            },
            http: HttpConfig {
                bind_addr,
                workers: get("HTTP_WORKERS").map_or(Ok(0), |v| parse("HTTP_WORKERS", &v))?,
                linger: Duration::from_millis(
                    get("HTTP_LINGER_MS").map_or(Ok(1000), |v| parse("HTTP_LINGER_MS", &v))?,
                ),
                max_body_bytes: get("MAX_BODY_BYTES")
                    .map_or(Ok(1024 * 1024), |v| parse("MAX_BODY_BYTES", &v))?,
                cors_origins: get("CORS_ALLOWED_ORIGINS")
                    .unwrap_or_else(|| "http://localhost:3000,http://localhost:5173".into())
                    .split(',')
                    .map(|s| s.trim().trim_end_matches('/').to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
                trust_proxy_headers: get("TRUST_PROXY_HEADERS")
                    .map_or(Ok(false), |v| parse_bool("TRUST_PROXY_HEADERS", &v))?,
                allowed_hosts: get("ALLOWED_HOSTS").map_or_else(
                    || vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
                    |v| {
                        v.split(',')
                            .map(|h| h.trim().to_ascii_lowercase())
                            .filter(|h| !h.is_empty())
                            .collect()
                    },
                ),
                public_base_url,
                frontend_url: get("FRONTEND_URL")
                    .unwrap_or_else(|| "http://localhost:5173".into())
                    .trim_end_matches('/')
                    .to_owned(),
            },
            media: MediaConfig {
                dir: get("MEDIA_DIR").map_or_else(|| PathBuf::from("./var/media"), PathBuf::from),
                max_upload_bytes: get("MAX_UPLOAD_BYTES")
                    .map_or(Ok(5 * 1024 * 1024), |v| parse("MAX_UPLOAD_BYTES", &v))?,
                max_upload_total: get("MAX_UPLOAD_TOTAL_BYTES")
                    .map_or(Ok(64 * 1024 * 1024), |v| {
                        parse("MAX_UPLOAD_TOTAL_BYTES", &v)
                    })?,
                max_image_pixels: get("MAX_IMAGE_PIXELS")
                    .map_or(Ok(25_000_000), |v| parse("MAX_IMAGE_PIXELS", &v))?,
            },
            mail: MailConfig {
                smtp_url: get("SMTP_URL").map(SecretString::from),
                dir: get("MAIL_DIR").map_or_else(|| PathBuf::from("./var/mail"), PathBuf::from),
                from: get("MAIL_FROM").unwrap_or_else(|| "MadeInPK <no-reply@madeinpk.pk>".into()),
            },
            stripe: StripeConfig {
                secret_key: get("STRIPE_SECRET_KEY").map(SecretString::from),
                webhook_secret: get("STRIPE_WEBHOOK_SECRET").map(SecretString::from),
                connect_webhook_secret: get("STRIPE_CONNECT_WEBHOOK_SECRET")
                    .map(SecretString::from),
                api_base: get("STRIPE_API_BASE"),
                account_country: get("STRIPE_ACCOUNT_COUNTRY").unwrap_or_else(|| "PK".into()),
            },
            jobs: JobsConfig {
                concurrency: get("JOB_CONCURRENCY")
                    .map_or(Ok(8), |v| parse("JOB_CONCURRENCY", &v))?,
                poll: Duration::from_millis(
                    get("JOB_POLL_MS").map_or(Ok(2000), |v| parse("JOB_POLL_MS", &v))?,
                ),
                lease: Duration::from_secs(
                    get("JOB_LEASE_SECS")
                        .map_or(Ok(300), |v| parse("JOB_LEASE_SECS", &v))?
                        .max(3),
                ),
                serve_runs_workers: get("SERVE_RUNS_WORKERS")
                    .map_or(Ok(true), |v| parse_bool("SERVE_RUNS_WORKERS", &v))?,
                sweep_interval: Duration::from_millis(
                    get("SWEEP_INTERVAL_MS")
                        .map_or(Ok(15_000), |v| parse("SWEEP_INTERVAL_MS", &v))?,
                ),
            },
            auth: AuthConfig {
                token_idle: Duration::from_hours(idle_days.saturating_mul(24)),
                login: LoginPolicy {
                    per_ip: get("LOGIN_RATE_PER_IP")
                        .map_or(Ok(defaults.per_ip), |v| parse("LOGIN_RATE_PER_IP", &v))?,
                    per_account: get("LOGIN_RATE_PER_ACCOUNT")
                        .map_or(Ok(defaults.per_account), |v| {
                            parse("LOGIN_RATE_PER_ACCOUNT", &v)
                        })?,
                    window_secs: get("LOGIN_RATE_WINDOW_SECS")
                        .map_or(Ok(defaults.window_secs), |v| {
                            parse("LOGIN_RATE_WINDOW_SECS", &v)
                        })?,
                    backoff_secs: get("LOGIN_BACKOFF_SECS")
                        .map_or(Ok(defaults.backoff_secs), |v| {
                            parse("LOGIN_BACKOFF_SECS", &v)
                        })?,
                    backoff_max_secs: get("LOGIN_BACKOFF_MAX_SECS")
                        .map_or(Ok(defaults.backoff_max_secs), |v| {
                            parse("LOGIN_BACKOFF_MAX_SECS", &v)
                        })?,
                },
                register: RegisterPolicy {
                    per_ip: get("REGISTER_RATE_PER_IP")
                        .map_or(Ok(RegisterPolicy::default().per_ip), |v| {
                            parse("REGISTER_RATE_PER_IP", &v)
                        })?,
                    window_secs: get("REGISTER_RATE_WINDOW_SECS")
                        .map_or(Ok(RegisterPolicy::default().window_secs), |v| {
                            parse("REGISTER_RATE_WINDOW_SECS", &v)
                        })?,
                },
                console_idle: Duration::from_secs(
                    get("CONSOLE_IDLE_MINUTES")
                        .map_or(Ok(30u64), |v| parse("CONSOLE_IDLE_MINUTES", &v))?
                        .clamp(1, 24 * 60)
                        * 60,
                ),
                console_max: Duration::from_secs(
                    get("CONSOLE_MAX_HOURS")
                        .map_or(Ok(12u64), |v| parse("CONSOLE_MAX_HOURS", &v))?
                        .clamp(1, 24 * 30)
                        * 3600,
                ),
                profile_shows_email_verified: get("PROFILE_SHOWS_EMAIL_VERIFIED")
                    .map_or(Ok(false), |v| {
                        parse_bool("PROFILE_SHOWS_EMAIL_VERIFIED", &v)
                    })?,
                sellers_must_verify_email: get("SELLERS_MUST_VERIFY_EMAIL")
                    .map_or(Ok(false), |v| parse_bool("SELLERS_MUST_VERIFY_EMAIL", &v))?,
            },
            orders: OrdersConfig {
                platform_fee,
                require_payout_account: get("REQUIRE_PAYOUT_ACCOUNT_TO_PUBLISH")
                    .map_or(Ok(false), |v| {
                        parse_bool("REQUIRE_PAYOUT_ACCOUNT_TO_PUBLISH", &v)
                    })?,
                cart_hold: Duration::from_mins(
                    get("CART_HOLD_MINUTES").map_or(Ok(15), |v| parse("CART_HOLD_MINUTES", &v))?,
                ),
                cart_notice_before: Duration::from_mins(
                    get("CART_HOLD_NOTICE_MINUTES")
                        .map_or(Ok(5), |v| parse("CART_HOLD_NOTICE_MINUTES", &v))?,
                ),
                cart_abandoned_after: Duration::from_hours(
                    get("CART_ABANDONED_DAYS")
                        .map_or(Ok(7u64), |v| parse("CART_ABANDONED_DAYS", &v))?
                        .saturating_mul(24),
                ),
                payment_window: Duration::from_mins(
                    get("PAYMENT_WINDOW_MINUTES")
                        .map_or(Ok(30), |v| parse("PAYMENT_WINDOW_MINUTES", &v))?,
                ),
                max_unpaid_orders_per_listing: get("MAX_UNPAID_ORDERS_PER_LISTING")
                    .map_or(Ok(0), |v| parse("MAX_UNPAID_ORDERS_PER_LISTING", &v))?,
            },
            auctions: AuctionsConfig {
                bid_increments: get("BID_INCREMENTS")
                    .map_or(Ok(Vec::new()), |v| parse_increments(&v))?,
                soft_close: Duration::from_mins(
                    get("SOFT_CLOSE_MINUTES").map_or(Ok(0), |v| parse("SOFT_CLOSE_MINUTES", &v))?,
                ),
                proxy_bidding: get("PROXY_BIDDING")
                    .map_or(Ok(false), |v| parse_bool("PROXY_BIDDING", &v))?,
                payment_window: Duration::from_hours(
                    get("PAYMENT_DEADLINE_HOURS")
                        .or_else(|| get("AUCTION_PAYMENT_HOURS"))
                        .map_or(Ok(24), |v| deadline_hours(&v))?,
                ),
                payment_reminder_before: Duration::from_hours(
                    get("PAYMENT_REMINDER_HOURS")
                        .map_or(Ok(6), |v| parse("PAYMENT_REMINDER_HOURS", &v))?,
                ),
                max_failed_payments: get("MAX_FAILED_PAYMENTS_BEFORE_BLOCK")
                    .or_else(|| get("MAX_FAILED_PAYMENTS"))
                    .map_or(Ok(3), |v| parse("MAX_FAILED_PAYMENTS_BEFORE_BLOCK", &v))?,
                schedule_bounds: get("AUCTION_SCHEDULE_BOUNDS")
                    .map_or(Ok(false), |v| parse_bool("AUCTION_SCHEDULE_BOUNDS", &v))?,
                max_days: get("AUCTION_MAX_DAYS")
                    .map_or(Ok(30), |v| parse("AUCTION_MAX_DAYS", &v))?,
                max_start_days: get("AUCTION_MAX_START_DAYS")
                    .map_or(Ok(30), |v| parse("AUCTION_MAX_START_DAYS", &v))?,
                bidder_privacy: get("BIDDER_PRIVACY").map_or(
                    Ok(madeinpk_domain::auction::model::BidderPrivacy::Public),
                    |v| {
                        madeinpk_domain::auction::model::BidderPrivacy::parse(&v).ok_or_else(|| {
                            ConfigError {
                                name: "BIDDER_PRIVACY",
                                value: v.clone(),
                                reason: "expected public or masked".into(),
                            }
                        })
                    },
                )?,
            },
            ws: WsConfig {
                allowed_origins: get("WS_ALLOWED_ORIGINS").map_or_else(Vec::new, |v| {
                    v.split(',')
                        .map(|s| s.trim().trim_end_matches('/').to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                }),
                allow_no_origin: get("WS_ALLOW_NO_ORIGIN")
                    .map_or(Ok(true), |v| parse_bool("WS_ALLOW_NO_ORIGIN", &v))?,
                queue: get("WS_QUEUE").map_or(Ok(256), |v| parse("WS_QUEUE", &v))?,
                max_per_token: get("WS_MAX_PER_TOKEN")
                    .map_or(Ok(20), |v| parse("WS_MAX_PER_TOKEN", &v))?,
                max_per_ip: get("WS_MAX_PER_IP").map_or(Ok(500), |v| parse("WS_MAX_PER_IP", &v))?,
                seller_email: match get("WS_SELLER_EMAIL").as_deref().map(str::trim) {
                    None | Some("all") => true,
                    Some("hidden") => false,
                    Some(other) => {
                        return Err(ConfigError {
                            name: "WS_SELLER_EMAIL",
                            value: other.to_owned(),
                            reason: "expected all or hidden".into(),
                        });
                    }
                },
            },
            catalog: CatalogConfig {
                cache: Duration::from_millis(
                    get("CATALOG_CACHE_MS").map_or(Ok(1000), |v| parse("CATALOG_CACHE_MS", &v))?,
                ),
                strict_visibility: get("STRICT_VISIBILITY")
                    .map_or(Ok(false), |v| parse_bool("STRICT_VISIBILITY", &v))?,
            },
            time_zone,
            log_format,
            metrics_token: get("METRICS_TOKEN").map(SecretString::from),
        })
    }

    /// The bidding rules.
    pub fn bid_rules(&self) -> madeinpk_domain::auction::bid::BidRules {
        madeinpk_domain::auction::bid::BidRules {
            increments: self.auctions.bid_increments.clone(),
            soft_close: (!self.auctions.soft_close.is_zero())
                .then(|| chrono_duration(self.auctions.soft_close)),
            proxy: self.auctions.proxy_bidding,
        }
    }

    /// Auction endings.
    pub fn end_settings(&self) -> madeinpk_domain::auction::ending::EndSettings {
        madeinpk_domain::auction::ending::EndSettings {
            fee: self.orders.platform_fee,
            payment_window: chrono_duration(self.auctions.payment_window),
            reminder_before: chrono_duration(self.auctions.payment_reminder_before),
        }
    }

    /// Whether a `Host` header value (`name[:port]`) names an allowed host.
    pub fn allows_host(&self, host: &str) -> bool {
        let name = match host.rsplit_once(':') {
            // An IPv6 literal's colons are inside its brackets.
            Some((name, port)) if !port.contains(']') => name,
            _ => host,
        };
        self.http
            .allowed_hosts
            .iter()
            .any(|h| h == "*" || h.eq_ignore_ascii_case(name))
    }

    /// Origins allowed to open auction sockets.
    pub fn ws_origins(&self) -> Vec<String> {
        if !self.ws.allowed_origins.is_empty() {
            return self.ws.allowed_origins.clone();
        }
        let mut origins = self.http.cors_origins.clone();
        origins.push(self.http.frontend_url.clone());
        origins.push(self.http.public_base_url.trim_end_matches('/').to_owned());
        origins
    }

    /// The catalogue services' settings.
    pub fn catalog_settings(&self) -> madeinpk_domain::catalog::product_service::CatalogSettings {
        madeinpk_domain::catalog::product_service::CatalogSettings {
            require_payout_account: self.orders.require_payout_account,
            private_inactive: self.catalog.strict_visibility,
            require_verified_email: self.auth.sellers_must_verify_email,
        }
    }

    /// Order placing: the commission, the time to pay and the unpaid-order bound.
    pub fn plan_settings(&self) -> madeinpk_domain::order::checkout::PlanSettings {
        madeinpk_domain::order::checkout::PlanSettings {
            commission: self.orders.platform_fee,
            payment_window: chrono_duration(self.orders.payment_window),
            max_unpaid_per_listing: self.orders.max_unpaid_orders_per_listing,
        }
    }

    /// Bounds of an auction's schedule.
    pub fn auction_limits(&self) -> madeinpk_domain::auction::model::ScheduleLimits {
        madeinpk_domain::auction::model::ScheduleLimits {
            enforced: self.auctions.schedule_bounds,
            max_days: self.auctions.max_days,
            max_start_days: self.auctions.max_start_days,
        }
    }

    /// Cart holds.
    pub fn cart_settings(&self) -> madeinpk_domain::order::cart_service::CartSettings {
        madeinpk_domain::order::cart_service::CartSettings {
            hold: chrono_duration(self.orders.cart_hold),
        }
    }

    /// The stock sweep.
    pub fn reservation_settings(
        &self,
    ) -> madeinpk_domain::order::reservation_service::ReservationSettings {
        madeinpk_domain::order::reservation_service::ReservationSettings {
            notice_before: chrono_duration(self.orders.cart_notice_before),
            abandoned_after: chrono_duration(self.orders.cart_abandoned_after),
            block_after: self.auctions.max_failed_payments,
        }
    }

    /// The account service's settings.
    pub fn account_settings(&self) -> AccountSettings {
        AccountSettings {
            login: self.auth.login,
            register: self.auth.register,
            token_idle: self.auth.token_idle,
        }
    }
}

/// A std duration as chrono's (saturating; configured durations are far below the limit).
pub fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

mod sections;
pub use sections::{
    AuctionsConfig, AuthConfig, CatalogConfig, DatabaseConfig, HttpConfig, JobsConfig, MailConfig,
    MediaConfig, OrdersConfig, StripeConfig, WsConfig,
};

#[cfg(test)]
mod tests;
