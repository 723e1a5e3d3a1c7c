//! The money flow on Stripe (an in-process stub of its API that, like Stripe, answers a
//! repeated idempotency key with its first answer): a three-seller cart paid by events that
//! arrive shuffled and three times each, one exact transfer per seller; a partial refund
//! touching two sellers and then the rest in full, each with one refund and one reversal per
//! affected seller; and a crash between Stripe's answer and our commit that makes no second
//! transfer.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use common::{TestApp, item_of, spawn_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SECRET: &str = "whsec_stripe_payments";

/// One request as the stub saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    key: Option<String>,
    form: HashMap<String, String>,
}

#[derive(Default)]
struct Stub {
    seen: Mutex<Vec<Seen>>,
    /// First answer per idempotency key (Stripe replays it for the same key).
    answered: Mutex<HashMap<String, Value>>,
    counter: Mutex<u64>,
}

fn field(form: &HashMap<String, String>, key: &str) -> String {
    form.get(key).cloned().unwrap_or_default()
}

fn amount(form: &HashMap<String, String>) -> i64 {
    field(form, "amount").parse().unwrap_or(0)
}

/// Stripe's answer in its JSON shapes. Charges settle in PKR, so transfers are the sellers'
/// amounts to the paisa.
fn answer(stub: &Stub, path: &str, form: &HashMap<String, String>) -> Value {
    let n = {
        let mut c = stub.counter.lock().unwrap();
        *c += 1;
        *c
    };
    if path == "/v1/checkout/sessions" {
        let order = field(form, "metadata[order_id]");
        return json!({"id": format!("cs_test_{order}"), "object": "checkout.session",
            "automatic_tax": {"enabled": false}, "created": 1, "custom_fields": [], "custom_text": {},
            "expires_at": field(form, "expires_at").parse::<i64>().unwrap_or(0), "livemode": false,
            "mode": "payment", "payment_method_types": ["card"], "payment_status": "unpaid",
            "shipping_options": [], "status": "open",
            "url": format!("https://checkout.stripe.com/c/pay/cs_test_{order}")});
    }
    if path == "/v1/accounts" {
        let user = field(form, "metadata[user_id]");
        return json!({"id": format!("acct_{user}"), "object": "account", "type": "express"});
    }
    if path == "/v1/account_links" {
        return json!({"object": "account_link", "created": 1, "expires_at": 2,
            "url": "https://connect.stripe.com/setup/e/x"});
    }
    if let Some(id) = path.strip_prefix("/v1/charges/") {
        return charge(id);
    }
    if let Some(intent) = path.strip_prefix("/v1/payment_intents/") {
        return json!({"id": intent, "object": "payment_intent", "amount": 1, "amount_capturable": 0,
            "amount_received": 1, "capture_method": "automatic_async", "confirmation_method": "automatic",
            "created": 1, "currency": "pkr", "livemode": false, "metadata": {},
            "payment_method_types": ["card"], "status": "succeeded",
            "latest_charge": charge(&intent.replacen("pi_", "ch_", 1))});
    }
    if path == "/v1/transfers" {
        let id = format!(
            "tr_{}_{}",
            field(form, "transfer_group"),
            field(form, "destination")
        );
        return json!({"id": id, "object": "transfer", "amount": amount(form), "amount_reversed": 0,
            "created": 1, "currency": "pkr", "livemode": false, "metadata": {},
            "reversals": {"object": "list", "data": [], "has_more": false, "url": "/v1/transfers/x/reversals"},
            "reversed": false});
    }
    if let Some(rest) = path.strip_prefix("/v1/transfers/") {
        let transfer = rest.trim_end_matches("/reversals");
        return json!({"id": format!("trr_{n}"), "object": "transfer_reversal", "amount": amount(form),
            "created": 1, "currency": "pkr", "transfer": transfer});
    }
    if path == "/v1/refunds" {
        return json!({"id": format!("re_{n}"), "object": "refund", "amount": amount(form),
            "created": 1, "currency": "pkr", "status": "succeeded"});
    }
    json!({"error": {"type": "invalid_request_error", "message": format!("no stub for {path}")}})
}

/// A charge settled in PKR (its balance transaction expanded, as the adapter asks).
fn charge(id: &str) -> Value {
    let settled = json!({"id": "txn_1", "object": "balance_transaction", "amount": 1,
        "available_on": 2, "balance_type": "payments", "created": 1, "currency": "pkr",
        "exchange_rate": null, "fee": 0, "fee_details": [], "net": 1,
        "reporting_category": "charge", "status": "pending", "type": "charge"});
    json!({"id": id, "object": "charge", "amount": 1, "amount_captured": 1, "amount_refunded": 0,
        "billing_details": {}, "captured": true, "created": 1, "currency": "pkr",
        "disputed": false, "livemode": false, "metadata": {}, "paid": true, "refunded": false,
        "status": "succeeded", "balance_transaction": settled})
}

async fn handle(req: HttpRequest, body: web::Bytes, stub: web::Data<Arc<Stub>>) -> HttpResponse {
    let path = req.path().to_owned();
    let form: HashMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .unwrap_or_default()
            .into_iter()
            .collect();
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    stub.seen.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        path: path.clone(),
        key: key.clone(),
        form: form.clone(),
    });
    let replay = key
        .as_ref()
        .and_then(|k| stub.answered.lock().unwrap().get(k).cloned());
    let body = replay.unwrap_or_else(|| {
        let fresh = answer(&stub, &path, &form);
        if let Some(k) = &key {
            stub.answered
                .lock()
                .unwrap()
                .insert(k.clone(), fresh.clone());
        }
        fresh
    });
    if body.get("error").is_some() {
        HttpResponse::NotFound().json(body)
    } else {
        HttpResponse::Ok().json(body)
    }
}

fn stub() -> (String, Arc<Stub>) {
    let stub = Arc::new(Stub::default());
    let data = web::Data::new(stub.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(handle))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), stub)
}

/// Requests to `path` (POST) so far.
fn posts(stub: &Stub, path: &str) -> Vec<Seen> {
    stub.seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.method == "POST" && s.path == path)
        .cloned()
        .collect()
}

/// Reversal requests so far.
fn reversals(stub: &Stub) -> Vec<Seen> {
    stub.seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.method == "POST" && s.path.ends_with("/reversals"))
        .cloned()
        .collect()
}

async fn deliver(app: &TestApp, event: &Value) -> StatusCode {
    let body = event.to_string();
    app.deliver(body.as_bytes(), SECRET, chrono::Utc::now().timestamp())
        .await
        .status
}

/// Three sellers whose Stripe accounts can receive, one listing each, and a buyer.
struct Shop {
    app: TestApp,
    stub: Arc<Stub>,
    sellers: Vec<(String, i64)>,
    listings: Vec<i64>,
    buyer: String,
    address: i64,
}

async fn shop() -> Shop {
    let (base, stub) = stub();
    let app = spawn_with(|c| {
        c.stripe.secret_key = Some("sk_test_stub".into());
        c.stripe.api_base = Some(base.clone());
        c.stripe.webhook_secret = Some(SECRET.into());
    })
    .await;
    let mut sellers = Vec::new();
    let mut listings = Vec::new();
    for (name, product, price) in [
        ("potter", "Vase", "1000.00"),
        ("weaver", "Shawl", "1225.00"),
        ("carver", "Spoon", "333.33"),
    ] {
        let (token, id) = app.register_as(name, "seller").await;
        let r = app
            .post(
                "/api/stripe/connect/create_account/",
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["account_id"], format!("acct_{id}"));
        let ready = json!({"id": format!("evt_acct_{id}"), "type": "account.updated",
            "created": chrono::Utc::now().timestamp(),
            "data": {"object": {"id": format!("acct_{id}"), "object": "account",
                "details_submitted": true, "charges_enabled": true, "payouts_enabled": true,
                "requirements": {}}}});
        assert_eq!(deliver(&app, &ready).await, StatusCode::OK);
        listings.push(app.listing(&token, product, price, 20).await);
        sellers.push((token, id));
    }
    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    Shop {
        app,
        stub,
        sellers,
        listings,
        buyer,
        address,
    }
}

impl Shop {
    /// 2 vases, a shawl and 3 spoons in one cart order: Rs. 4,224.99.
    async fn checkout(&self) -> Value {
        for (listing, qty) in self.listings.iter().zip([2, 1, 3]) {
            let r = self.app.add_to_cart(&self.buyer, *listing, qty).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        let r = self
            .app
            .post(
                "/api/cart/checkout/",
                Some(&self.buyer),
                json!({"shipping_address_id": self.address}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }
}

/// The events of one order's payment, in Stripe's shapes: an earlier declined attempt, the
/// completed session, the intent's success, and a type we do not act on.
fn payment_events(order: i64) -> Vec<Value> {
    let now = chrono::Utc::now().timestamp();
    let meta = json!({"order_id": order.to_string()});
    vec![
        json!({"id": format!("evt_declined_{order}"), "type": "payment_intent.payment_failed", "created": now,
            "data": {"object": {"id": format!("pi_{order}"), "object": "payment_intent",
                "last_payment_error": {"message": "Your card was declined."}, "metadata": meta}}}),
        json!({"id": format!("evt_completed_{order}"), "type": "checkout.session.completed", "created": now,
            "data": {"object": {"id": format!("cs_test_{order}"), "object": "checkout.session",
                "payment_intent": format!("pi_{order}"), "payment_status": "paid",
                "amount_total": 422_499, "currency": "pkr", "metadata": meta}}}),
        json!({"id": format!("evt_succeeded_{order}"), "type": "payment_intent.succeeded", "created": now,
            "data": {"object": {"id": format!("pi_{order}"), "object": "payment_intent",
                "amount_received": 422_499, "latest_charge": format!("ch_{order}"), "metadata": meta}}}),
        json!({"id": format!("evt_charge_{order}"), "type": "charge.succeeded", "created": now,
            "data": {"object": {"id": format!("ch_{order}"), "object": "charge"}}}),
    ]
}

/// A fixed pseudo-random shuffle (xorshift), so a failure names its order.
fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    let mut x = seed.max(1);
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = usize::try_from(x % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
    items
}

#[tokio::test]
async fn shuffled_repeated_events_pay_once_and_refunds_reverse_each_sellers_part() {
    let s = shop().await;
    let app = &s.app;
    let mut orders = Vec::new();
    for seed in [7_u64, 1_234, 99_991] {
        let order = s.checkout().await;
        let id = order["id"].as_i64().unwrap();
        assert_eq!(order["total_amount"], "4224.99", "{order}");
        let three_times: Vec<Value> = payment_events(id)
            .into_iter()
            .flat_map(|e| [e.clone(), e.clone(), e])
            .collect();
        for event in shuffled(three_times, seed) {
            assert_eq!(deliver(app, &event).await, StatusCode::OK, "{event}");
        }
        let o = app.get(&format!("/api/orders/{id}/"), Some(&s.buyer)).await;
        assert_eq!(o.body["status"], "paid", "seed {seed}: {}", o.text);
        orders.push(order);
    }
    // Stock taken once per order: 20 − 3 × (2, 1, 3).
    for (listing, left) in s.listings.iter().zip([14, 17, 11]) {
        assert_eq!(app.stock(*listing).await.0, left);
    }
    assert!(
        app.count_reaches("seller_transfers WHERE status = 'succeeded'", 9)
            .await
    );
    assert_eq!(app.db.count("payments").await, 3);

    // One Checkout Session per order, then exactly one transfer per seller and order, in the
    // charge's currency, from the charge, grouped by the order number.
    let sessions = posts(&s.stub, "/v1/checkout/sessions");
    assert_eq!(sessions.len(), 3);
    let transfers = posts(&s.stub, "/v1/transfers");
    assert_eq!(transfers.len(), 9, "{transfers:#?}");
    for order in &orders {
        let id = order["id"].as_i64().unwrap();
        let number = order["order_number"].as_str().unwrap();
        let session = sessions
            .iter()
            .find(|r| r.form["metadata[order_id]"] == id.to_string())
            .unwrap();
        assert_eq!(
            session.key.as_deref(),
            Some(format!("checkout:{id}").as_str())
        );
        assert_eq!(
            session.form["line_items[0][price_data][unit_amount]"],
            "422499"
        );
        assert_eq!(session.form["line_items[0][price_data][currency]"], "pkr");
        assert_eq!(session.form["payment_intent_data[transfer_group]"], number);
        // 2% per seller, half up: 2000.00 − 40.00, 1225.00 − 24.50, 999.99 − 20.00.
        for ((_, seller), paisa) in s.sellers.iter().zip([196_000, 120_050, 97_999]) {
            let t: Vec<&Seen> = transfers
                .iter()
                .filter(|t| t.key.as_deref() == Some(&format!("transfer:{id}:{seller}")))
                .collect();
            assert_eq!(t.len(), 1, "order {id}, seller {seller}");
            let f = &t[0].form;
            assert_eq!(f["amount"], paisa.to_string());
            assert_eq!(f["currency"], "pkr");
            assert_eq!(f["destination"], format!("acct_{seller}"));
            assert_eq!(f["source_transaction"], format!("ch_{id}"));
            assert_eq!(f["transfer_group"], number);
        }
    }

    // A partial refund touching two sellers: one vase and one spoon.
    let order = &orders[0];
    let id = order["id"].as_i64().unwrap();
    let number = order["order_number"].as_str().unwrap();
    let admin = app.admin_token().await;
    let path = format!("/api/orders/{id}/refund/");
    let r = app
        .post(
            &path,
            Some(&admin),
            json!({"items": [{"item": item_of(order, "Vase"), "quantity": 1},
                             {"item": item_of(order, "Spoon"), "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let first = r.body["refund"]["id"].as_i64().unwrap();
    assert!(
        app.count_reaches(
            &format!("refund_sellers WHERE refund_id = {first} AND status = 'succeeded'"),
            2
        )
        .await
    );
    let refunds = posts(&s.stub, "/v1/refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0].key.as_deref(),
        Some(format!("refund:{first}").as_str())
    );
    assert_eq!(refunds[0].form["amount"], "133333");
    assert_eq!(refunds[0].form["payment_intent"], format!("pi_{id}"));
    let (potter, carver) = (s.sellers[0].1, s.sellers[2].1);
    let mut sent: Vec<(String, String, String)> = reversals(&s.stub)
        .into_iter()
        .map(|r| (r.path, r.form["amount"].clone(), r.key.unwrap_or_default()))
        .collect();
    sent.sort();
    let mut expected = vec![
        (
            format!("/v1/transfers/tr_{number}_acct_{potter}/reversals"),
            "98000".to_owned(),
            format!("reversal:{first}:{potter}"),
        ),
        (
            format!("/v1/transfers/tr_{number}_acct_{carver}/reversals"),
            "32666".to_owned(),
            format!("reversal:{first}:{carver}"),
        ),
    ];
    expected.sort();
    assert_eq!(
        sent, expected,
        "each seller gives back their part less the fee"
    );

    // The rest in full: Rs. 2,891.66 to the buyer, and every seller's remaining part.
    let r = app.post(&path, Some(&admin), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["order"]["status"], "refunded");
    let second = r.body["refund"]["id"].as_i64().unwrap();
    assert!(
        app.count_reaches(
            &format!("refund_sellers WHERE refund_id = {second} AND status = 'succeeded'"),
            3
        )
        .await
    );
    let refunds = posts(&s.stub, "/v1/refunds");
    assert_eq!(refunds.len(), 2);
    assert_eq!(
        refunds[1].key.as_deref(),
        Some(format!("refund:{second}").as_str())
    );
    assert_eq!(refunds[1].form["amount"], "289166");
    let weaver = s.sellers[1].1;
    let full: HashMap<String, String> = reversals(&s.stub)
        .into_iter()
        .filter(|r| {
            r.key
                .as_deref()
                .is_some_and(|k| k.starts_with(&format!("reversal:{second}:")))
        })
        .map(|r| (r.key.unwrap(), r.form["amount"].clone()))
        .collect();
    assert_eq!(
        full,
        HashMap::from([
            (format!("reversal:{second}:{potter}"), "98000".to_owned()),
            (format!("reversal:{second}:{weaver}"), "120050".to_owned()),
            (format!("reversal:{second}:{carver}"), "65333".to_owned()),
        ]),
        "with the first refund, every seller gives back exactly what they were paid"
    );
    // A refund beyond what is left is refused and sends nothing.
    let r = app
        .post(&path, Some(&admin), json!({"amount": "1.00"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(posts(&s.stub, "/v1/refunds").len(), 2);
}

#[tokio::test]
async fn a_crash_after_stripe_transferred_retries_under_the_same_key_and_pays_once() {
    let s = shop().await;
    let app = &s.app;
    // The first commit of a made payout fails, as if the process died right after Stripe's
    // answer (a sequence is not rolled back with the failed statement, so it fails once).
    for sql in [
        "CREATE SEQUENCE crash_once",
        "CREATE FUNCTION crash_once() RETURNS trigger AS $$ BEGIN \
           IF NEW.status = 'succeeded' AND nextval('crash_once') = 1 THEN \
             RAISE EXCEPTION 'simulated crash after the transfer'; END IF; \
           RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER crash_once BEFORE UPDATE ON seller_transfers \
           FOR EACH ROW EXECUTE FUNCTION crash_once()",
    ] {
        app.db.execute(sql).await;
    }
    let order = s.checkout().await;
    let id = order["id"].as_i64().unwrap();
    for event in payment_events(id).into_iter().skip(1) {
        assert_eq!(deliver(app, &event).await, StatusCode::OK);
    }
    // The failed job is retried once its backoff (5 s) has passed.
    let retried = app
        .eventually(std::time::Duration::from_secs(20), || async {
            app.db
                .count("seller_transfers WHERE status = 'succeeded'")
                .await
                == 3
        })
        .await;
    assert!(retried, "the failed commit is retried by the job queue");
    let transfers = posts(&s.stub, "/v1/transfers");
    assert_eq!(
        transfers.len(),
        4,
        "one payout was sent twice: {transfers:#?}"
    );
    let mut keys: Vec<&str> = transfers.iter().filter_map(|t| t.key.as_deref()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(
        keys.len(),
        3,
        "the retry reused its key, so Stripe made one transfer"
    );
    // What we recorded is what Stripe made the first time.
    let recorded = app
        .db
        .count("seller_transfers WHERE stripe_transfer_id LIKE 'tr_%_acct_%'")
        .await;
    assert_eq!(recorded, 3);
}

#[tokio::test]
async fn a_refund_before_a_held_payout_is_taken_off_the_payout_instead_of_waiting() {
    let s = shop().await;
    let app = &s.app;
    // A seller whose account cannot receive yet.
    let (dyer, dyer_id) = app.register_as("dyer", "seller").await;
    let r = app
        .post(
            "/api/stripe/connect/create_account/",
            Some(&dyer),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let listing = app.listing(&dyer, "Scarf", "1000.00", 5).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&s.buyer),
            json!({"shipping_address": s.address, "quantity": 2}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.text);
    let id = order.body["id"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    let paid = json!({"id": format!("evt_paid_{id}"), "type": "checkout.session.completed", "created": now,
        "data": {"object": {"id": format!("cs_test_{id}"), "object": "checkout.session",
            "payment_intent": format!("pi_{id}"), "payment_status": "paid", "amount_total": 200_000,
            "currency": "pkr", "metadata": {"order_id": id.to_string()}}}});
    assert_eq!(deliver(app, &paid).await, StatusCode::OK);

    // Rs. 500 back to the buyer while the Rs. 1,960 payout is held: the refund completes now,
    // with nothing to reverse (the seller's Rs. 490 part comes off the payout).
    let admin = app.admin_token().await;
    let path = format!("/api/orders/{id}/refund/");
    let r = app
        .post(&path, Some(&admin), json!({"amount": "500.00"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["refund"]["sellers"][0]["reversal"], "490.00");
    assert!(
        app.count_reaches("refund_sellers WHERE status = 'netted'", 1)
            .await
    );
    assert!(reversals(&s.stub).is_empty());
    assert!(
        posts(&s.stub, "/v1/transfers")
            .iter()
            .all(|t| t.form["destination"] != format!("acct_{dyer_id}"))
    );

    // The account becomes ready: the payout goes out less the refunded part.
    let ready = json!({"id": "evt_dyer_ready", "type": "account.updated", "created": now + 1,
        "data": {"object": {"id": format!("acct_{dyer_id}"), "object": "account",
            "details_submitted": true, "charges_enabled": true, "payouts_enabled": true,
            "requirements": {}}}});
    assert_eq!(deliver(app, &ready).await, StatusCode::OK);
    assert!(
        app.count_reaches(
            &format!("seller_transfers WHERE order_id = {id} AND status = 'succeeded'"),
            1
        )
        .await
    );
    let sent: Vec<Seen> = posts(&s.stub, "/v1/transfers")
        .into_iter()
        .filter(|t| t.form["destination"] == format!("acct_{dyer_id}"))
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].form["amount"], "147000");
    assert_eq!(
        sent[0].key.as_deref(),
        Some(format!("transfer:{id}:{dyer_id}:net49000").as_str()),
        "a netted amount has its own key"
    );

    // The rest in full after the payout: the transfer is reversed by exactly what it paid.
    let r = app.post(&path, Some(&admin), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(
        app.count_reaches(
            &format!("seller_transfers WHERE order_id = {id} AND status = 'reversed'"),
            1
        )
        .await
    );
    let back = reversals(&s.stub);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].form["amount"], "147000");
}

#[tokio::test]
async fn a_payment_for_a_cancelled_order_is_refunded_whole_once() {
    let s = shop().await;
    let app = &s.app;
    let order = s.checkout().await;
    let id = order["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/orders/{id}/cancel/"),
            Some(&s.buyer),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The buyer still pays through the session that was open, and Stripe reports it (twice).
    for event in payment_events(id).into_iter().skip(1).take(2) {
        assert_eq!(deliver(app, &event).await, StatusCode::OK);
        assert_eq!(deliver(app, &event).await, StatusCode::OK);
    }
    let refunded = app
        .eventually(std::time::Duration::from_secs(20), || async {
            !posts(&s.stub, "/v1/refunds").is_empty()
        })
        .await;
    assert!(refunded, "the money goes back");
    let o = app.get(&format!("/api/orders/{id}/"), Some(&s.buyer)).await;
    assert_eq!(o.body["status"], "cancelled");
    assert!(
        app.count_reaches("jobs WHERE kind = 'return_payment' AND status = 'done'", 1)
            .await
    );
    let refunds = posts(&s.stub, "/v1/refunds");
    assert_eq!(refunds.len(), 1, "{refunds:#?}");
    assert_eq!(
        refunds[0].key.as_deref(),
        Some(format!("return:{id}").as_str())
    );
    assert_eq!(refunds[0].form["amount"], "422499");
    assert_eq!(refunds[0].form["payment_intent"], format!("pi_{id}"));
    assert!(
        posts(&s.stub, "/v1/transfers").is_empty(),
        "no seller is paid"
    );
    // Stock is not taken again by the late payment.
    for listing in &s.listings {
        assert_eq!(app.stock(*listing).await.0, 20);
    }
    let told = app
        .eventually(std::time::Duration::from_secs(15), || async {
            app.mail_to("ayesha@example.pk").iter().any(|m| {
                m.contains(order["order_number"].as_str().unwrap()) && m.contains("4224.99")
            })
        })
        .await;
    assert!(told, "the buyer is told");
    assert_eq!(
        app.db
            .count("notifications WHERE title = 'Payment refunded'")
            .await,
        1,
        "once, though two events reported the payment twice each"
    );
}
