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

/// Answers Checkout Session creation like Stripe and records the form bodies.
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
                if req.path() == "/v1/checkout/sessions" {
                    HttpResponse::Ok().json(json!({"id": "cs_test_live1", "object": "checkout.session",
                        "automatic_tax": {"enabled": false}, "created": 1, "custom_fields": [], "custom_text": {},
                        "expires_at": 2, "livemode": false, "mode": "payment", "payment_method_types": ["card"],
                        "payment_status": "unpaid", "shipping_options": [], "status": "open",
                        "url": "https://checkout.stripe.com/c/pay/cs_test_live1"}))
                } else {
                    HttpResponse::NotFound().json(json!({"error": {"type": "invalid_request_error", "message": "not stubbed"}}))
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
        c.stripe_secret_key = Some("sk_test_stub".into());
        c.stripe_api_base = Some(base.clone());
        c.stripe_webhook_secret = Some(SECRET.into());
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
