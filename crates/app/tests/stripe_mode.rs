//! With `STRIPE_SECRET_KEY` set the app uses Stripe (here an in-process stub of its API): the
//! order's payment URL is Stripe's, the dev gateway's pages are gone, and Stripe's signed event
//! pays the order.

mod common;

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use common::spawn_with;
use reqwest::StatusCode;
use serde_json::json;

const SECRET: &str = "whsec_stripe_mode";

/// Requests the stub saw: (path, form body).
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Stripe's answer to a request, in its JSON shapes. The payment's charge settles as $7.19 in
/// the platform's USD balance.
fn answer(path: &str, form: &str) -> Option<serde_json::Value> {
    Some(match path {
        "/v1/checkout/sessions" => json!({"id": "cs_test_live1", "object": "checkout.session",
            "automatic_tax": {"enabled": false}, "created": 1, "custom_fields": [], "custom_text": {},
            "expires_at": 2, "livemode": false, "mode": "payment", "payment_method_types": ["card"],
            "payment_status": "unpaid", "shipping_options": [], "status": "open",
            "url": "https://checkout.stripe.com/c/pay/cs_test_live1"}),
        "/v1/accounts" => json!({"id": "acct_live1", "object": "account", "type": "express"}),
        "/v1/account_links" => json!({"object": "account_link", "created": 1, "expires_at": 2,
            "url": "https://connect.stripe.com/setup/e/acct_live1/x"}),
        "/v1/payment_intents/pi_live1" => {
            let settled = json!({"id": "txn_live1", "object": "balance_transaction", "amount": 719,
                "available_on": 2, "balance_type": "payments", "created": 1, "currency": "usd",
                "exchange_rate": 0.003_595, "fee": 0, "fee_details": [], "net": 719,
                "reporting_category": "charge", "status": "pending", "type": "charge"});
            let charge = json!({"id": "ch_live1", "object": "charge", "amount": 200_000,
                "amount_captured": 200_000, "amount_refunded": 0, "billing_details": {}, "captured": true,
                "created": 1, "currency": "pkr", "disputed": false, "livemode": false, "metadata": {},
                "paid": true, "refunded": false, "status": "succeeded", "balance_transaction": settled});
            json!({"id": "pi_live1", "object": "payment_intent",
                "amount": 200_000, "amount_capturable": 0, "amount_received": 200_000,
                "capture_method": "automatic_async", "confirmation_method": "automatic", "created": 1,
                "currency": "pkr", "livemode": false, "metadata": {}, "payment_method_types": ["card"],
                "status": "succeeded", "latest_charge": charge})
        }
        "/v1/transfers" => {
            let amount: i64 = form
                .split('&')
                .find_map(|kv| kv.strip_prefix("amount="))
                .and_then(|a| a.parse().ok())
                .unwrap_or(0);
            json!({"id": "tr_live1", "object": "transfer", "amount": amount, "amount_reversed": 0,
                "created": 1, "currency": "usd", "livemode": false, "metadata": {},
                "reversals": {"object": "list", "data": [], "has_more": false, "url": "/v1/transfers/tr_live1/reversals"},
                "reversed": false})
        }
        _ => return None,
    })
}

/// Answers like Stripe (see [`answer`]) and records the form bodies.
fn stripe_stub() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let data = web::Data::new(seen.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).default_service(web::to(
            |req: HttpRequest, body: web::Bytes, seen: web::Data<Seen>| async move {
                seen.lock()
                    .unwrap()
                    .push((req.path().to_owned(), String::from_utf8_lossy(&body).into_owned()));
                match answer(req.path(), &String::from_utf8_lossy(&body)) {
                    Some(body) => HttpResponse::Ok().json(body),
                    None => HttpResponse::NotFound().json(json!({"error": {"type": "invalid_request_error", "message": "not stubbed"}})),
                }
            },
        ))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), seen)
}

#[tokio::test]
async fn stripe_sessions_pay_through_the_signed_webhook_and_dev_pages_are_closed() {
    let (base, seen) = stripe_stub();
    let app = spawn_with(|c| {
        c.stripe.secret_key = Some("sk_test_stub".into());
        c.stripe.api_base = Some(base.clone());
        c.stripe.webhook_secret = Some(SECRET.into());
    })
    .await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address, "quantity": 2}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.text);
    assert_eq!(
        order.body["payment_url"],
        "https://checkout.stripe.com/c/pay/cs_test_live1"
    );
    assert_eq!(order.body["stripe_payment_intent_id"], "cs_test_live1");
    let sent = seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .1
            .contains("line_items[0][price_data][unit_amount]=200000"),
        "{}",
        sent[0].1
    );
    // No dev page can pay a Stripe session (or anything else) while Stripe is in use.
    for path in [
        "/api/payments/dev/checkout/cs_test_live1/",
        "/api/payments/dev/checkout/cs_dev_fxd_000000000001/",
    ] {
        assert_eq!(app.get(path, None).await.status, StatusCode::NOT_FOUND);
    }
    let r = app
        .client
        .post(app.url("/api/payments/dev/checkout/cs_test_live1/pay/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/stripe/connect/dev/onboard/acct_dev_1/", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Stripe's own signed event pays the order.
    let id = order.body["id"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    let event = json!({"id": "evt_1", "type": "checkout.session.completed", "created": now,
        "data": {"object": {"id": "cs_test_live1", "object": "checkout.session", "payment_intent": "pi_live1",
            "payment_status": "paid", "amount_total": 200_000, "currency": "pkr",
            "metadata": {"order_id": id.to_string()}}}})
    .to_string();
    let r = app
        .client
        .post(app.url("/api/stripe/webhook/"))
        .header(
            "Stripe-Signature",
            madeinpk_stripe::signature::sign(SECRET, now, event.as_bytes()),
        )
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let o = app.get(&format!("/api/orders/{id}/"), Some(&buyer)).await;
    assert_eq!(o.body["status"], "paid");
    assert_eq!(o.body["stripe_payment_intent_id"], "pi_live1");
}

/// Delivers a Stripe event signed with the test secret.
async fn deliver(app: &common::TestApp, event: &serde_json::Value) -> StatusCode {
    let now = chrono::Utc::now().timestamp();
    let body = event.to_string();
    app.client
        .post(app.url("/api/stripe/webhook/"))
        .header(
            "Stripe-Signature",
            madeinpk_stripe::signature::sign(SECRET, now, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_payout_goes_out_in_the_settlement_currency_as_the_sellers_share() {
    let (base, seen) = stripe_stub();
    let app = spawn_with(|c| {
        c.stripe.secret_key = Some("sk_test_stub".into());
        c.stripe.api_base = Some(base.clone());
        c.stripe.webhook_secret = Some(SECRET.into());
    })
    .await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let r = app
        .post(
            "/api/stripe/connect/create_account/",
            Some(&seller),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["account_id"], "acct_live1");
    let ready = json!({"id": "evt_acct", "type": "account.updated", "created": chrono::Utc::now().timestamp(),
        "data": {"object": {"id": "acct_live1", "object": "account", "details_submitted": true,
            "charges_enabled": true, "payouts_enabled": true, "requirements": {}}}});
    assert_eq!(deliver(&app, &ready).await, StatusCode::OK);

    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address, "quantity": 2}),
        )
        .await;
    let id = order.body["id"].as_i64().unwrap();
    let paid = json!({"id": "evt_paid", "type": "checkout.session.completed", "created": chrono::Utc::now().timestamp(),
        "data": {"object": {"id": "cs_test_live1", "object": "checkout.session", "payment_intent": "pi_live1",
            "payment_status": "paid", "amount_total": 200_000, "currency": "pkr",
            "metadata": {"order_id": id.to_string()}}}});
    assert_eq!(deliver(&app, &paid).await, StatusCode::OK);
    assert!(
        app.count_reaches(
            "seller_transfers WHERE status = 'succeeded' AND stripe_transfer_id = 'tr_live1' \
             AND currency = 'USD' AND provider_amount = 705",
            1
        )
        .await
    );
    // Rs. 2,000.00 settled as $7.19: the seller's Rs. 1,960.00 is 98% of it, $7.0462, and the
    // largest remainder gives the seller the cent ($7.05); the platform keeps $0.14.
    let sent = seen.lock().unwrap().clone();
    let transfer = &sent.iter().find(|(p, _)| p == "/v1/transfers").unwrap().1;
    for field in [
        "currency=usd",
        "amount=705",
        "source_transaction=ch_live1",
        "destination=acct_live1",
    ] {
        assert!(
            transfer.split('&').any(|kv| kv == field),
            "{field} in {transfer}"
        );
    }
}
