//! The server's API as the scenarios use it: requests, sign-ups and auctions.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Password of every user a scenario registers.
const PASSWORD: &str = "Flash-Sale-2026!";

/// The path of one of the app's own pages from its absolute URL, with `action` appended
/// (`.../dev/checkout/cs_1/` + `pay/`), for whichever instance is asked next.
pub fn app_path(url: &str, action: &str) -> Option<String> {
    url.split_once("/api/")
        .map(|(_, p)| format!("/api/{p}{action}"))
}

/// The server under test, over one HTTP client.
pub struct Api {
    client: reqwest::Client,
    /// The instances' base URLs, used in turn.
    bases: Vec<String>,
    turn: std::sync::atomic::AtomicUsize,
}

impl Api {
    /// A client for `base` keeping up to `connections` idle connections.
    pub fn new(base: &str, connections: usize) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(connections)
                .build()
                .expect("HTTP client"),
            bases: base
                .split(',')
                .map(|b| b.trim().trim_end_matches('/').to_owned())
                .filter(|b| !b.is_empty())
                .collect(),
            turn: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The first instance's base URL.
    pub fn base(&self) -> &str {
        self.bases.first().map_or("", String::as_str)
    }

    /// The next instance in turn.
    fn next_base(&self) -> &str {
        let i = self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.bases
            .get(i % self.bases.len().max(1))
            .map_or("", String::as_str)
    }

    /// One request: status (0 when it failed), JSON body, latency in microseconds.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, u64) {
        self.call_with(method, path, token, body, &[]).await
    }

    /// As [`Self::call`], with extra request headers.
    pub async fn call_with(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value, u64) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.next_base()));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(t) = token {
            req = req.header("Authorization", format!("Token {t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let started = Instant::now();
        match req.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                let body = res.json::<Value>().await.unwrap_or(Value::Null);
                if status >= 500 {
                    // A server error is a finding: say what it was.
                    eprintln!("  server error {status} on {path}: {body}");
                }
                let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                (status, body, micros)
            }
            Err(_) => (0, Value::Null, 0),
        }
    }

    /// Registers a user with `role`; their token.
    pub async fn register(&self, username: &str, role: &str) -> Option<String> {
        let (status, body, _) = self
            .call(
                reqwest::Method::POST,
                "/api/auth/register/",
                None,
                Some(
                    json!({"username": username, "email": format!("{username}@load.test"),
                    "password": PASSWORD, "password_confirm": PASSWORD, "role": role}),
                ),
            )
            .await;
        (status == 201).then(|| body["token"].as_str().map(str::to_owned))?
    }

    /// A product named `name` and a fixed-price listing of it by `seller`; the listing's id.
    pub async fn listing(
        &self,
        seller: &str,
        name: &str,
        price: &str,
        quantity: i64,
    ) -> Option<i64> {
        let (_, product, _) = self
            .call(
                reqwest::Method::POST,
                "/api/products/",
                Some(seller),
                Some(json!({"name": name, "description": "Handmade", "condition": "new"})),
            )
            .await;
        let (status, listing, _) = self
            .call(
                reqwest::Method::POST,
                "/api/listings/",
                Some(seller),
                Some(json!({"product_id": product["id"], "price": price, "quantity": quantity})),
            )
            .await;
        (status == 201).then(|| listing["id"].as_i64())?
    }

    /// Opens and completes `seller`'s payout account on the dev gateway (its onboarding page's
    /// Complete button), so their payouts are made, not kept waiting; true when done.
    pub async fn onboard(&self, seller: &str) -> bool {
        let (status, created, _) = self
            .call(
                reqwest::Method::POST,
                "/api/stripe/connect/create_account/",
                Some(seller),
                None,
            )
            .await;
        let Some(path) = created["onboarding_url"]
            .as_str()
            .and_then(|u| app_path(u, "complete/"))
        else {
            return false;
        };
        let (done, _, _) = self.call(reqwest::Method::POST, &path, None, None).await;
        status == 201 && done == 303
    }

    /// A product and an auction of it by `seller`, open from a minute ago for `minutes`; the
    /// auction's id.
    pub async fn auction(&self, seller: &str, starting_price: &str, minutes: i64) -> Option<i64> {
        let now = chrono::Utc::now();
        let (_, product, _) = self
            .call(
                reqwest::Method::POST,
                "/api/products/",
                Some(seller),
                Some(json!({"name": "Load-test lamp", "description": "Brass", "condition": "new"})),
            )
            .await;
        let (status, auction, _) = self
            .call(
                reqwest::Method::POST,
                "/api/auctions/",
                Some(seller),
                Some(
                    json!({"product_id": product["id"], "starting_price": starting_price,
                    "start_time": (now - chrono::Duration::minutes(1)).to_rfc3339(),
                    "end_time": (now + chrono::Duration::minutes(minutes)).to_rfc3339()}),
                ),
            )
            .await;
        (status == 201).then(|| auction["id"].as_i64())?
    }

    /// Registers `n` buyers named `{prefix}_{i}`, each with an address in the first city, a
    /// few at a time; their tokens and address ids.
    pub async fn buyers_with_addresses(
        self: &Arc<Self>,
        prefix: &str,
        n: usize,
    ) -> Vec<(String, i64)> {
        let (_, cities, _) = self
            .call(reqwest::Method::GET, "/api/cities/", None, None)
            .await;
        let city = cities["results"][0]["id"].as_i64().expect("a city");
        let gate = Arc::new(Semaphore::new(16));
        let mut set = JoinSet::new();
        for i in 0..n {
            let (api, gate, name) = (self.clone(), gate.clone(), format!("{prefix}_{i}"));
            set.spawn(async move {
                let _permit = gate.acquire_owned().await.ok()?;
                let token = api.register(&name, "buyer").await?;
                let (status, address, _) = api
                    .call(
                        reqwest::Method::POST,
                        "/api/addresses/",
                        Some(&token),
                        Some(json!({"street_address": "7 Liberty Market", "city": city, "postal_code": "54000"})),
                    )
                    .await;
                (status == 201).then(|| (token, address["id"].as_i64().unwrap_or(0)))
            });
        }
        set.join_all().await.into_iter().flatten().collect()
    }

    /// Registers `n` users named `{prefix}_{i}`, a few at a time (argon2 is slow on purpose).
    pub async fn register_many(self: &Arc<Self>, prefix: &str, n: usize) -> Vec<String> {
        let gate = Arc::new(Semaphore::new(16));
        let mut set = JoinSet::new();
        for i in 0..n {
            let (api, gate, name) = (self.clone(), gate.clone(), format!("{prefix}_{i}"));
            set.spawn(async move {
                let _permit = gate.acquire_owned().await.ok()?;
                api.register(&name, "buyer").await
            });
        }
        set.join_all().await.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_app_url_becomes_a_path_for_any_instance() {
        assert_eq!(
            super::app_path(
                "http://127.0.0.1:8000/api/payments/dev/checkout/cs_1/",
                "pay/"
            ),
            Some("/api/payments/dev/checkout/cs_1/pay/".into())
        );
        assert_eq!(
            super::app_path("https://checkout.stripe.com/c/pay", "pay/"),
            None
        );
    }
}
