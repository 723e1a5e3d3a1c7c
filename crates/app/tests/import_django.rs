//! `import-django` against a real database of the old service: the fixture
//! (`tests/fixtures/django`, a `pg_dump` of the Django app after use) restored into a fresh
//! database, imported into ours, and checked through the API: counts and sums per entity, old
//! passwords and old tokens signing in, re-runs adding nothing, refused rows reported.

mod common;

use std::process::Command;

use common::{TestApp, spawn_on, test_config};
use madeinpk_domain::cutover::report::{EntityReport, ImportReport};
use madeinpk_mail::MailTransport;
use madeinpk_postgres::cutover::{Import, ImportOptions};
use madeinpk_postgres::db::with_database;
use madeinpk_postgres::testing::{TestDb, server_url};
use rand::Rng;
use reqwest::StatusCode;
use serde_json::json;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/django/madeinpk-django-sample.sql.gz"
);

/// The old service's database, restored from the fixture; dropped at the end.
struct Source {
    url: String,
    admin_url: String,
    name: String,
}

fn psql(url: &str, sql: &str) {
    let ok = Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .status()
        .expect("psql runs")
        .success();
    assert!(ok, "psql: {sql}");
}

impl Source {
    fn restore() -> Self {
        let admin_url = with_database(&server_url(), "postgres").unwrap();
        let name = format!("madeinpk_django_{:016x}", rand::rng().random::<u64>());
        psql(&admin_url, &format!("CREATE DATABASE \"{name}\""));
        let url = with_database(&admin_url, &name).unwrap();
        let restored = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "gunzip -c '{FIXTURE}' | psql -q -v ON_ERROR_STOP=1 -d '{url}' >/dev/null"
            ))
            .status()
            .expect("sh runs")
            .success();
        assert!(restored, "the fixture restores");
        Self {
            url,
            admin_url,
            name,
        }
    }

    /// Runs SQL on the old service's database (as the old service itself would).
    fn execute(&self, sql: &str) {
        psql(&self.url, sql);
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-q", "-d", &self.admin_url, "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .status();
    }
}

async fn import(source: &Source, db: &TestDb, dry_run: bool) -> ImportReport {
    Import::open(
        &source.url,
        &db.url,
        ImportOptions { dry_run },
        Box::new(|_, _, _| {}),
    )
    .await
    .expect("source opens")
    .run()
    .await
    .expect("import runs")
}

async fn app_on(db: TestDb) -> TestApp {
    let config = test_config(&db.url);
    let (transport, outbox) = MailTransport::memory();
    spawn_on(db, config, transport, outbox).await
}

#[tokio::test]
async fn old_accounts_sign_in_with_their_passwords_and_tokens_after_the_import() {
    let source = Source::restore();
    let db = TestDb::new().await;

    let dry = import(&source, &db, true).await;
    assert!(dry.dry_run);
    assert_eq!(dry.entity("users").unwrap().imported, 301);
    assert_eq!(db.count("users").await, 0, "a dry run writes nothing");

    let report = import(&source, &db, false).await;
    assert!(report.consistent(), "{}", report.render());
    let users = report.entity("users").unwrap();
    assert_eq!((users.source_rows, users.imported), (301, 301));
    let tokens = report.entity("api_tokens").unwrap();
    assert_eq!((tokens.source_rows, tokens.imported), (248, 248));
    assert_eq!(db.count("users").await, 301);
    // New accounts continue after the largest imported id.
    let app = app_on(db).await;
    let (_, new_id) = app.register("newcomer").await;
    assert_eq!(new_id, 302);

    // An old password signs in, and its hash is ours from then on.
    let r = app
        .login("waqas.rizvi533@example.org", "Buyer-Pass-2468")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["user"]["id"], 267);
    assert_eq!(
        app.db
            .count("users WHERE id = 267 AND password_hash LIKE '$argon2id$%'")
            .await,
        1
    );
    let again = app
        .login("waqas.rizvi533@example.org", "Buyer-Pass-2468")
        .await;
    assert_eq!(again.status, StatusCode::OK, "the upgraded hash verifies");
    assert_eq!(
        app.login("waqas.rizvi533@example.org", "Wrong-Pass-1")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // The shared demo hash, the admin, a mixed-case email as typed.
    for (email, password) in [
        ("demo_seller_1@demo.madeinpk.pk", "demo-password"),
        ("orig-admin@x.test", "Orig-Admin-Pass-1"),
        ("Salman.Memon65@example.org", "Buyer-Pass-2468"),
    ] {
        let r = app.login(email, password).await;
        assert_eq!(r.status, StatusCode::OK, "{email}: {}", r.text);
    }
    // The blocked buyer is refused as the old service refused them.
    let blocked = app
        .login("sidra.qureshi288@example.com", "Buyer-Pass-2468")
        .await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.body["error"], "Your account is blocked");

    // Old DRF tokens keep working, for their own accounts.
    for (token, id) in [
        ("d8c8a94be6e7a023921fedf03dae1f78fb0aa948", 267),
        ("8b039d7e04746059f0fec8c06b0555465aa281df", 2),
        ("5b15affb4f5449acd95699c96423e08a8625a41c", 1),
    ] {
        let me = app.get("/api/auth/profile/", Some(token)).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text);
        assert_eq!(me.body["id"], id);
    }
    assert_eq!(
        app.get(
            "/api/auth/profile/",
            Some("d8c8a94be6e7a023921fedf03dae1f78fb0aa949")
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );

    // A second run imports nothing; a row added since on the old side comes across, and what
    // was ended or removed here since stays so.
    let second = import(&source, &app.db, false).await;
    assert_eq!(second.imported(), 0, "{}", second.render());
    let old_token = "d8c8a94be6e7a023921fedf03dae1f78fb0aa948";
    let out = app
        .post("/api/auth/logout/", Some(old_token), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    let wished = app.db.count("wishlist_items").await;
    app.db
        .execute("DELETE FROM wishlist_items WHERE id = (SELECT min(id) FROM wishlist_items)")
        .await;
    source.execute(
        "INSERT INTO users (id, password, is_superuser, username, first_name, last_name, email,
             is_staff, is_active, date_joined, phone_number, role, is_blocked,
             failed_payment_count, created_at, updated_at, profile_picture)
         SELECT 5000, password, false, 'late_buyer', '', '', 'late.buyer@example.com', false,
             true, now(), '', 'buyer', false, 0, now(), now(), ''
         FROM users WHERE id = 267",
    );
    let third = import(&source, &app.db, false).await;
    assert_eq!(third.entity("users").unwrap().imported, 1);
    assert_eq!(third.imported(), 1);
    let late = app.login("late.buyer@example.com", "Buyer-Pass-2468").await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.text);
    assert_eq!(
        app.get("/api/auth/profile/", Some(old_token)).await.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token is not brought back"
    );
    assert_eq!(app.db.count("wishlist_items").await, wished - 1);
}

#[tokio::test]
async fn a_row_that_cannot_come_across_is_reported_and_the_rest_is_imported() {
    let source = Source::restore();
    let db = TestDb::new().await;
    // Someone already holds one of the old service's email addresses here.
    let app = app_on(db).await;
    app.register("sidra_here").await;
    app.db
        .execute(
            "UPDATE users SET email = 'Sidra.Hussain@example.com' WHERE username = 'sidra_here'",
        )
        .await;
    source.execute("UPDATE users SET role = 'moderator' WHERE id = 300");

    let report = import(&source, &app.db, false).await;
    let users = report.entity("users").unwrap();
    assert_eq!(users.imported, 298);
    assert_eq!(users.refused.len(), 3, "{}", report.render());
    let reasons: Vec<_> = users
        .refused
        .iter()
        .map(|r| format!("{}: {}", r.source_id, r.reason))
        .collect();
    assert!(
        reasons.contains(
            &"258: its email or username belongs to another account here (id 1)".to_owned()
        ),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"300: unknown role \"moderator\"".to_owned()),
        "{reasons:?}"
    );
    // The account made here took id 1, the old admin's: not merged, reported.
    assert!(
        reasons.contains(&"1: id 1 belongs to another account here".to_owned()),
        "{reasons:?}"
    );
    assert!(report.render().contains("refused rows:"));
    // Their tokens are refused too, and named without giving the key away.
    let tokens = report.entity("api_tokens").unwrap();
    assert!(
        tokens
            .refused
            .iter()
            .all(|r| r.source_id.ends_with('…') && r.source_id.len() < 12)
    );
    assert!(users.accounted_for() && tokens.accounted_for());
    // The old admin (id 1) was refused because id 1 is someone else here: nothing of theirs
    // attaches to that account, their token least of all.
    assert_eq!(
        app.get(
            "/api/auth/profile/",
            Some("5b15affb4f5449acd95699c96423e08a8625a41c")
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.db.count("api_tokens WHERE user_id = 1").await,
        1,
        "only the local one's own"
    );
    let orphans: Vec<_> = report
        .entities
        .iter()
        .flat_map(|e| e.refused.iter())
        .filter(|r| r.reason.starts_with("its users row "))
        .collect();
    assert!(!orphans.is_empty(), "{}", report.render());
    assert!(
        report.entities.iter().all(EntityReport::accounted_for),
        "{}",
        report.render()
    );
    // Everyone else signs in.
    let r = app
        .login("waqas.rizvi533@example.org", "Buyer-Pass-2468")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn the_catalogue_comes_across_whole_and_reads_as_it_did() {
    let source = Source::restore();
    let db = TestDb::new().await;
    let report = import(&source, &db, false).await;
    assert!(report.consistent(), "{}", report.render());
    // Every entity: all of the source's rows, none refused.
    for (entity, rows) in [
        ("provinces", 7),
        ("cities", 111),
        ("categories", 12),
        ("addresses", 277),
        ("seller_profiles", 27),
        ("products", 10_050),
        ("product_images", 1_799),
        ("listings", 10_016),
        ("auctions", 32),
        ("bids", 602),
        ("wishlist_items", 120),
        ("carts", 37),
        ("cart_items", 55),
        ("conversations", 45),
        ("messages", 216),
    ] {
        let e = report.entity(entity).unwrap();
        assert_eq!(
            (
                e.source_rows,
                e.imported + e.already_present,
                e.refused.len()
            ),
            (rows, rows, 0),
            "{entity}: {}",
            report.render()
        );
        assert_eq!(
            db.count(entity).await,
            i64::try_from(rows).unwrap(),
            "{entity}"
        );
    }
    let listings = report.entity("listings").unwrap();
    assert!(
        listings
            .sums
            .iter()
            .any(|s| s.label == "sum(price)" && s.source == "101570429.71")
    );
    // Our seeded categories gave way to the old service's.
    assert_eq!(
        db.count("categories WHERE id = 2 AND name = 'Handicrafts'")
            .await,
        1
    );

    let app = app_on(db).await;
    // The discounted listing, as the front end reads it.
    let listing = app.get("/api/listings/3439/", None).await;
    assert_eq!(listing.status, StatusCode::OK, "{}", listing.text);
    assert_eq!(listing.body["price"], "12698.52");
    assert_eq!(listing.body["quantity"], 17);
    assert_eq!(listing.body["status"], "active");
    assert_eq!(listing.body["product"]["id"], 3439);
    // The ended auction: its winner and winning bid.
    let auction = app.get("/api/auctions/10/", None).await;
    assert_eq!(auction.status, StatusCode::OK, "{}", auction.text);
    assert_eq!(auction.body["status"], "ended");
    assert_eq!(auction.body["winner"], 288);
    assert_eq!(auction.body["current_price"], "4400.00");
    assert_eq!(auction.body["total_bids"], 7);
    assert_eq!(auction.body["winning_bid_amount"], "4400.00");
    let bids = app.get("/api/auctions/10/bids/", None).await;
    let winning: Vec<_> = bids
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["is_winning"] == true)
        .map(|b| b["id"].clone())
        .collect();
    assert_eq!(winning, [serde_json::json!(370)]);
    // New listings continue after the largest imported id.
    let (seller, _) = app.register_as("new_seller", "seller").await;
    let id = app.listing(&seller, "Fresh vase", "1500.00", 2).await;
    assert!(id > 10_016, "{id}");
}

#[tokio::test]
async fn media_files_come_across_under_their_paths_and_missing_ones_are_reported() {
    let source = Source::restore();
    let db = TestDb::new().await;
    import(&source, &db, false).await;
    let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("media-{:016x}", rand::rng().random::<u64>()));
    let (from, to) = (base.join("old"), base.join("new"));
    // The old MEDIA_ROOT has two of the files its rows name.
    for (path, bytes) in [
        ("products/truck_art_tray__3439_1.jpg", &b"tray one"[..]),
        ("profiles/IMG_20260926_133516.jpg", &b"portrait"[..]),
    ] {
        std::fs::create_dir_all(from.join(path).parent().unwrap()).unwrap();
        std::fs::write(from.join(path), bytes).unwrap();
    }
    let report = madeinpk_app::cutover_media::copy_media(&db.db, &from, &to)
        .await
        .unwrap();
    assert_eq!(report.imported, 2);
    assert!(report.accounted_for());
    assert_eq!(report.refused.len() as u64, report.source_rows - 2);
    assert!(
        report
            .refused
            .iter()
            .any(|r| r.source_id == "products/truck_art_tray__3439_2.jpg"
                && r.reason.starts_with("no such file")),
        "missing files are reported"
    );
    // Run again: kept, not copied twice.
    let again = madeinpk_app::cutover_media::copy_media(&db.db, &from, &to)
        .await
        .unwrap();
    assert_eq!((again.imported, again.already_present), (0, 2));

    // Served at the URL the old service used.
    let mut config = test_config(&db.url);
    config.media.dir = to.clone();
    let (transport, outbox) = MailTransport::memory();
    let app = spawn_on(db, config, transport, outbox).await;
    let res = app
        .client
        .get(app.url("/media/products/truck_art_tray__3439_1.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(&res.bytes().await.unwrap()[..], b"tray one");
    let _ = std::fs::remove_dir_all(&base);
}
