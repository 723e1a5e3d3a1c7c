//! The `madeinpk` binary: migrate creates the database, create-admin makes admins, and an
//! unreachable Postgres is one clear line.

mod common;

use std::process::Command;

use common::{PASSWORD, spawn_on, test_config};
use madeinpk_mail::MailTransport;
use madeinpk_postgres::testing::{TestDb, server_url};
use reqwest::StatusCode;

fn madeinpk(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_madeinpk"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env(
            "MAIL_DIR",
            std::env::temp_dir().join("madeinpk-cli-test-mail"),
        )
        .env_remove("MADEINPK_ADMIN_PASSWORD")
        .output()
        .expect("binary runs")
}

#[tokio::test]
async fn create_admin_makes_a_working_admin() {
    let db = TestDb::new().await;
    let out = madeinpk(
        &db.url,
        &[
            "create-admin",
            "--email",
            "Ops@MadeInPK.pk",
            "--password",
            PASSWORD,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        db.count("users WHERE role = 'admin' AND email = 'Ops@madeinpk.pk'")
            .await,
        1
    );
    // Running it again promotes/reset rather than duplicating.
    let out = madeinpk(&db.url, &["create-admin", "--email", "ops@madeinpk.pk"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let generated = stdout
        .lines()
        .find_map(|l| l.strip_prefix("generated password (shown once): "))
        .expect("password printed")
        .to_owned();
    assert_eq!(db.count("users").await, 1);
    let (_, outbox) = MailTransport::memory();
    let config = test_config(&db.url);
    let app = spawn_on(db, config, MailTransport::memory().0, outbox).await;
    let r = app.login("ops@madeinpk.pk", &generated).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["user"]["role"], "admin");
    let token = r.body["token"].as_str().unwrap();
    let r = app
        .post(
            "/api/categories/",
            Some(token),
            serde_json::json!({"name": "Admin made"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    let out = madeinpk(
        &app.db.url,
        &[
            "create-admin",
            "--email",
            "weak@madeinpk.pk",
            "--password",
            "short",
        ],
    );
    assert!(!out.status.success());
}

#[test]
fn migrate_creates_a_missing_database() {
    let name = format!("madeinpk_cli_{}", std::process::id());
    let url = madeinpk_postgres::db::with_database(&server_url(), &name).unwrap();
    let out = madeinpk(&url, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("migration(s) applied"));
    let out = madeinpk(&url, &["seed"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin = madeinpk_postgres::db::with_database(&server_url(), "postgres").unwrap();
    let drop = Command::new("psql")
        .arg(&admin)
        .arg("-c")
        .arg(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .output();
    if let Ok(o) = drop {
        assert!(o.status.success());
    }
}

#[test]
fn unreachable_postgres_is_one_clear_line() {
    let out = madeinpk("postgres://postgres@127.0.0.1:1/madeinpk", &["migrate"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .rfind(|l| l.starts_with("madeinpk:"))
        .expect("an error line");
    assert!(
        line.contains("cannot reach PostgreSQL at 127.0.0.1:1/madeinpk"),
        "{line}"
    );
    assert!(line.contains("pg_ctlcluster"), "{line}");
}

#[tokio::test]
async fn seed_demo_makes_listings_once() {
    let db = TestDb::new().await;
    let out = madeinpk(&db.url, &["seed", "--demo", "50"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo listings: 50 added"));
    assert_eq!(db.count("listings").await, 50);
    assert_eq!(
        db.count("products WHERE listing_type = 'fixed_price'")
            .await,
        50
    );
    assert_eq!(
        db.count("users WHERE username LIKE 'demo_seller_%' AND role = 'seller'")
            .await,
        20
    );
    let out = madeinpk(&db.url, &["seed", "--demo", "60"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo listings: 10 added"));
    assert_eq!(db.count("listings").await, 60, "tops up, never duplicates");
}
