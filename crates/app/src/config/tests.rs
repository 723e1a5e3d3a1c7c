//! Tests of `config`.

use super::*;
use secrecy::ExposeSecret;
use std::collections::HashMap;

fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults_run_out_of_the_box() {
    let c = from(&[]).unwrap();
    assert_eq!(c.http.bind_addr, "127.0.0.1:8000");
    assert_eq!(
        c.database.url.expose_secret(),
        "postgres://postgres@127.0.0.1:5432/madeinpk"
    );
    assert_eq!(c.http.public_base_url, "http://127.0.0.1:8000");
    assert_eq!(c.orders.platform_fee.get(), 200);
    assert_eq!(c.time_zone, chrono_tz::Asia::Karachi);
    assert!(c.database.auto_migrate && c.jobs.serve_runs_workers);
    assert_eq!(c.mail.dir, PathBuf::from("./var/mail"));
    assert_eq!(c.orders.cart_hold, Duration::from_mins(15));
    assert_eq!(c.orders.cart_notice_before, Duration::from_mins(5));
    assert_eq!(c.orders.cart_abandoned_after, Duration::from_hours(7 * 24));
    assert_eq!(c.orders.payment_window, Duration::from_mins(30));
}

#[test]
fn bad_values_name_the_variable() {
    let e = from(&[("PLATFORM_FEE_BPS", "abc")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("PLATFORM_FEE_BPS"), "{e}");
    assert!(from(&[("PLATFORM_FEE_BPS", "20000")]).is_err());
    assert!(from(&[("TIME_ZONE", "Mars/Base")]).is_err());
    assert!(from(&[("AUTO_MIGRATE", "maybe")]).is_err());
    // A winner's payment session lasts at most a day.
    assert!(from(&[("PAYMENT_DEADLINE_HOURS", "48")]).is_err());
    assert!(from(&[("PAYMENT_DEADLINE_HOURS", "0")]).is_err());
    assert_eq!(
        from(&[("AUCTION_PAYMENT_HOURS", "12")])
            .unwrap()
            .auctions
            .payment_window,
        Duration::from_hours(12)
    );
    let c = from(&[
        ("TIME_ZONE", "UTC"),
        ("AUTO_MIGRATE", "false"),
        ("PUBLIC_BASE_URL", "https://madeinpk.pk/"),
    ])
    .unwrap();
    assert_eq!(c.time_zone, chrono_tz::UTC);
    assert!(!c.database.auto_migrate);
    assert_eq!(c.http.public_base_url, "https://madeinpk.pk");
}

#[test]
fn secrets_never_show_in_debug_output() {
    let c = from(&[
        ("DATABASE_URL", "postgres://app:db-pass-1@db/madeinpk"),
        ("SMTP_URL", "smtps://mailer:smtp-pass-2@mail.example.pk"),
        ("STRIPE_SECRET_KEY", "sk_live_key-3"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_secret-4"),
        ("STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_secret-5"),
        ("METRICS_TOKEN", "scrape-token-6"),
    ])
    .unwrap();
    let shown = format!("{c:?}");
    for secret in [
        "db-pass-1",
        "smtp-pass-2",
        "key-3",
        "secret-4",
        "secret-5",
        "token-6",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("REDACTED"));
    assert_eq!(
        c.stripe.secret_key.unwrap().expose_secret(),
        "sk_live_key-3"
    );
}
