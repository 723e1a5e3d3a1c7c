//! Test harness: the real app on a random port over its own fresh database, a real HTTP client,
//! and the in-memory mail transport.

#![allow(dead_code)]

use std::time::Duration;

use madeinpk_app::config::Config;
use madeinpk_app::startup::Application;
use madeinpk_mail::{MailTransport, MemoryOutbox};
use madeinpk_postgres::testing::TestDb;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

pub mod console;
pub mod live;

pub const PASSWORD: &str = "Handmade-2026!";

/// The webhook secret of tests that sign their own provider events.
pub const WEBHOOK_SECRET: &str = "whsec_test_secret";

/// A valid 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0xE9, 0xFA, 0xDC, 0xD8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];

pub struct TestApp {
    pub base: String,
    /// The app's shared clock: tests move it instead of sleeping.
    pub clock: madeinpk_domain::clock::ShiftedClock,
    pub client: Client,
    pub db: TestDb,
    pub outbox: MemoryOutbox,
    pub config: Config,
    /// Runs queued jobs on demand (absent when the app runs its own worker).
    pub jobs: Option<std::sync::Arc<madeinpk_app::worker::JobDriver>>,
    /// The admin's second factor once the console enrolled them: the secret and the recovery
    /// codes left (later sign-ins spend those, as a code is accepted once per 30 s step).
    pub admin_factor: std::sync::Mutex<Option<(String, Vec<String>)>>,
}

/// A response's status and JSON body (`Value::Null` for an empty or non-JSON body).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub fn test_config(url: &str) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("default config");
    config.database.url = url.to_owned().into();
    config.http.bind_addr = "127.0.0.1:0".into();
    // The test database is cloned from a migrated, seeded template.
    config.database.auto_migrate = false;
    config.database.pool_size = 6;
    config.http.workers = 1;
    config.jobs.poll = Duration::from_millis(200);
    config.auth.login.per_ip = 1000;
    config.auth.register.per_ip = 1000;
    // No worker runs beside a test: it runs queued jobs and the sweep itself (`run_jobs`,
    // `sweep`, or before each look of `eventually`), so what it sees does not depend on timing.
    // Tests of the worker itself turn it back on.
    config.jobs.serve_runs_workers = false;
    // Tests change rows behind the app's back; the cache has its own test.
    config.catalog.cache = Duration::ZERO;
    // Time-driven stock upkeep runs often; tests move the clock instead of waiting.
    config.jobs.sweep_interval = Duration::from_millis(100);
    config.media.dir = std::env::temp_dir().join(format!(
        "madeinpk-media-{}",
        url.rsplit('/').next().unwrap_or("x")
    ));
    config
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new().await;
    let mut config = test_config(&db.url);
    adjust(&mut config);
    let (transport, outbox) = MailTransport::memory();
    spawn_on(db, config, transport, outbox).await
}

pub async fn spawn_on(
    db: TestDb,
    config: Config,
    transport: MailTransport,
    outbox: MemoryOutbox,
) -> TestApp {
    let app = Application::build(config.clone(), Some(transport))
        .await
        .expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let clock = app.state().clock.clone();
    let jobs = app.job_driver();
    tokio::spawn(app.run_until_stopped());
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base,
        clock,
        client,
        db,
        outbox,
        config,
        jobs,
        admin_factor: std::sync::Mutex::new(None),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Token {t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        Self::reply(res).await
    }

    pub async fn reply(res: reqwest::Response) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Method::DELETE, path, token, None).await
    }

    /// Registers `username` with role `role`; returns (token, user id).
    pub async fn register_as(&self, username: &str, role: &str) -> (String, i64) {
        let r = self
            .post(
                "/api/auth/register/",
                None,
                json!({
                    "username": username,
                    "email": format!("{username}@example.pk"),
                    "password": PASSWORD,
                    "password_confirm": PASSWORD,
                    "role": role,
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["user"]["id"].as_i64().unwrap(),
        )
    }

    pub async fn register(&self, username: &str) -> (String, i64) {
        self.register_as(username, "buyer").await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/api/auth/login/",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Creates an admin the way operators do (the CLI's repository call) and logs in.
    pub async fn admin_token(&self) -> String {
        use madeinpk_domain::account::ports::{PasswordHasher, UserRepository};
        let hash = madeinpk_app::password::Argon2Hasher
            .hash(PASSWORD.into())
            .await
            .unwrap();
        self.db
            .db
            .upsert_admin("root@example.pk".into(), "root".into(), hash)
            .await
            .unwrap();
        let mut r = self.login("root@example.pk", PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        if r.body["two_factor_required"] == true {
            let code = self.admin_recovery_code();
            r = self
                .post(
                    "/api/auth/login/2fa/",
                    None,
                    json!({"challenge": r.body["challenge"], "code": code}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        r.body["token"].as_str().unwrap().to_owned()
    }

    /// One of the enrolled admin's unused recovery codes.
    pub fn admin_recovery_code(&self) -> String {
        self.admin_factor
            .lock()
            .unwrap()
            .as_mut()
            .and_then(|(_, codes)| codes.pop())
            .expect("the admin is enrolled and has recovery codes left")
    }

    /// Some city id from the seeded reference data.
    pub async fn city(&self, name: &str) -> i64 {
        let r = self
            .get("/api/cities/?page_size=100&ordering=name", None)
            .await;
        let mut page = 1;
        let mut body = r.body;
        loop {
            if let Some(c) = body["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == name)
            {
                return c["id"].as_i64().unwrap();
            }
            page += 1;
            body = self
                .get(
                    &format!("/api/cities/?page_size=100&ordering=name&page={page}"),
                    None,
                )
                .await
                .body;
        }
    }

    /// Polls `check` until it holds or `timeout` passes.
    pub async fn eventually<F, Fut>(&self, timeout: Duration, mut check: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let started = std::time::Instant::now();
        while started.elapsed() < timeout {
            // Without a worker, the test itself carries out what is due before each look.
            if self.jobs.is_some() {
                self.sweep().await;
            }
            if check().await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

/// The keys of a JSON object in the order the server wrote them (at `path`, e.g. `["user"]`).
pub fn key_order(text: &str, path: &[&str]) -> Vec<String> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Keys<'a>(&'a [&'a str]);
    impl<'de> DeserializeSeed<'de> for Keys<'_> {
        type Value = Vec<String>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Keys<'_> {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut keys = Vec::new();
            let mut found = None;
            while let Some(k) = map.next_key::<String>()? {
                match self.0.split_first() {
                    Some((head, rest)) if *head == k => {
                        found = Some(map.next_value_seed(Keys(rest))?);
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                keys.push(k);
            }
            Ok(if self.0.is_empty() {
                keys
            } else {
                found.unwrap_or_default()
            })
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    Keys(path).deserialize(&mut de).expect("a JSON object")
}

impl TestApp {
    /// Sends a multipart form: text fields, then files as (field, file name, bytes).
    pub async fn multipart(
        &self,
        method: Method,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        for (field, name, bytes) in files {
            form = form.part(
                (*field).to_owned(),
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
            );
        }
        let res = self
            .client
            .request(method, self.url(path))
            .header("Authorization", format!("Token {token}"))
            .multipart(form)
            .send()
            .await
            .expect("request sent");
        Self::reply(res).await
    }

    /// Creates a product as `token` (JSON); returns its id.
    pub async fn product(&self, token: &str, name: &str) -> i64 {
        let r = self
            .post("/api/products/", Some(token), json!({"name": name, "description": format!("{name}, handmade"), "condition": "new"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_i64().unwrap()
    }
}

impl TestApp {
    /// A seller's product listed at `price` (e.g. "1500.00") with `quantity` units; the listing id.
    pub async fn listing(&self, token: &str, name: &str, price: &str, quantity: i64) -> i64 {
        let product = self.product(token, name).await;
        let r = self
            .post(
                "/api/listings/",
                Some(token),
                json!({"product_id": product, "price": price, "quantity": quantity}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_i64().unwrap()
    }

    /// A default address for `token`'s user; its id.
    pub async fn address(&self, token: &str) -> i64 {
        let city = self.city("Lahore").await;
        let r = self
            .post(
                "/api/addresses/",
                Some(token),
                json!({"street_address": "12 Mall Road", "city": city, "postal_code": "54000", "is_default": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_i64().unwrap()
    }

    /// Adds `quantity` of a listing to `token`'s cart.
    pub async fn add_to_cart(&self, token: &str, listing: i64, quantity: i64) -> Reply {
        self.post(
            "/api/cart/add_item/",
            Some(token),
            json!({"listing_id": listing, "quantity": quantity}),
        )
        .await
    }

    /// A listing's `(quantity, reserved_quantity, status)` as the API shows it.
    pub async fn stock(&self, listing: i64) -> (i64, i64, String) {
        let r = self.get(&format!("/api/listings/{listing}/"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        (
            r.body["quantity"].as_i64().unwrap(),
            r.body["reserved_quantity"].as_i64().unwrap(),
            r.body["status"].as_str().unwrap().to_owned(),
        )
    }

    /// Pays (or declines) an order through the dev gateway's checkout page, as a browser would.
    pub async fn pay(&self, payment_url: &str, pay: bool) -> Reply {
        let path = payment_url
            .split_once("/api/")
            .map(|(_, p)| format!("/api/{p}"))
            .expect("a payment URL on this app");
        let page = self.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let action = if pay { "pay/" } else { "fail/" };
        let res = self
            .client
            .post(self.url(&format!("{path}{action}")))
            .send()
            .await
            .expect("request sent");
        Self::reply(res).await
    }
}

impl TestApp {
    /// Delivers a provider event to the webhook, signed with `secret` at `at` (unix seconds).
    pub async fn deliver(&self, body: &[u8], secret: &str, at: i64) -> Reply {
        let res = self
            .client
            .post(self.url("/api/stripe/webhook/"))
            .header(
                "Stripe-Signature",
                madeinpk_stripe::signature::sign(secret, at, body),
            )
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .expect("request sent");
        Self::reply(res).await
    }
}

impl TestApp {
    /// The tokens of the links to `path` (e.g. `/reset-password`) in the emails to `address`
    /// with `subject`, oldest first (quoted-printable undone).
    pub fn emailed_tokens(&self, address: &str, subject: &str, path: &str) -> Vec<String> {
        let prefix = format!("{path}?token=");
        self.mail_to(address)
            .iter()
            .filter(|m| m.contains(subject))
            .filter_map(|m| {
                let plain = m.replace("=\r\n", "").replace("=3D", "=");
                let at = plain.find(&prefix)? + prefix.len();
                Some(
                    plain[at..]
                        .chars()
                        .take_while(char::is_ascii_hexdigit)
                        .collect(),
                )
            })
            .collect()
    }

    /// Raw emails sent to `address` so far.
    pub fn mail_to(&self, address: &str) -> Vec<String> {
        self.outbox
            .sent()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .map(|m| m.raw)
            .collect()
    }
}

impl TestApp {
    /// Waits (up to 20 s) until `SELECT count(*) FROM {from_where}` is `n`.
    /// Runs every due job (and what they queue) to completion; how many ran. No worker runs
    /// beside a test (unless it turns `serve_runs_workers` back on), so this is all that runs.
    pub async fn run_jobs(&self) -> usize {
        let driver = self.jobs.as_ref().expect("no worker runs beside this test");
        driver.run_due().await.expect("jobs run")
    }

    /// One pass of the time-driven upkeep (lapsed holds, unpaid orders, overdue auctions), then
    /// every job it queued.
    pub async fn sweep(&self) -> usize {
        let driver = self.jobs.as_ref().expect("no worker runs beside this test");
        driver.sweep().await.expect("sweep runs");
        self.run_jobs().await
    }

    /// Whether `count(from_where)` is `n` once what is due has run: checked once after running
    /// the sweep and every due job (no worker), else polled while the worker runs.
    pub async fn count_reaches(&self, from_where: &str, n: i64) -> bool {
        if self.jobs.is_some() {
            self.sweep().await;
            return self.db.count(from_where).await == n;
        }
        self.eventually(Duration::from_secs(20), || async {
            self.db.count(from_where).await == n
        })
        .await
    }
}

impl TestApp {
    /// Opens `token`'s payout account and completes the dev gateway's onboarding, as a seller
    /// would in the browser; the account id.
    pub async fn onboard(&self, token: &str) -> String {
        let r = self
            .post(
                "/api/stripe/connect/create_account/",
                Some(token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let link = r.body["onboarding_url"].as_str().unwrap();
        let path = link
            .split_once("/api/")
            .map(|(_, p)| format!("/api/{p}complete/"))
            .unwrap();
        let done = self.client.post(self.url(&path)).send().await.unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        r.body["account_id"].as_str().unwrap().to_owned()
    }
}

/// Three onboarded sellers with one listing each (2 × 1000.00, 1225.00, 333.33 a unit), and
/// a buyer with an address.
pub struct Market {
    pub app: TestApp,
    pub sellers: Vec<String>,
    pub listings: Vec<i64>,
    pub buyer: String,
    pub address: i64,
}

/// Sets up a [`Market`] on `app`.
pub async fn market(app: TestApp) -> Market {
    let mut sellers = Vec::new();
    let mut listings = Vec::new();
    for (name, product, price, qty) in [
        ("potter", "Vase", "1000.00", 5),
        ("weaver", "Shawl", "1225.00", 2),
        ("carver", "Spoon", "333.33", 10),
    ] {
        let (token, _) = app.register_as(name, "seller").await;
        app.onboard(&token).await;
        listings.push(app.listing(&token, product, price, qty).await);
        sellers.push(token);
    }
    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    Market {
        app,
        sellers,
        listings,
        buyer,
        address,
    }
}

/// The id of the order line for the product `name`.
pub fn item_of(order: &Value, name: &str) -> i64 {
    order["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product_name"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}
