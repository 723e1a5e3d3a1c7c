//! The Stripe gateway (the real async-stripe client) against an in-process HTTP stub that answers
//! in Stripe's JSON shapes and records every request, so the tests assert exactly what is sent:
//! amounts, currency, transfer group, source transaction and idempotency keys.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use madeinpk_domain::ids::{OrderId, UserId};
use madeinpk_domain::money::Money;
use madeinpk_domain::order::model::OrderType;
use madeinpk_domain::order::payment::{
    AccountRequest, PaymentError, ProviderAmount, RefundCall, ReversalCall, SessionRequest,
    TransferRequest,
};
use madeinpk_domain::order::ports::PaymentGateway;
use madeinpk_stripe::{StripeGateway, StripeSettings};
use serde_json::{Value, json};

/// One request as the stub saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    key: Option<String>,
    form: HashMap<String, String>,
}

#[derive(Default)]
struct Stub {
    seen: Mutex<Vec<Seen>>,
    /// Paths that fail before they work: the statuses they answer next (429 with Stripe's
    /// rate-limit body, 5xx with its API-error body), one per request.
    failures: Mutex<HashMap<String, Vec<u16>>>,
    /// Requests that took effect (answered 2xx), by idempotency key.
    effects: Mutex<HashMap<String, u32>>,
}

fn answer(path: &str, form: &HashMap<String, String>) -> Value {
    let amount = form
        .get("amount")
        .and_then(|a| a.parse::<i64>().ok())
        .unwrap_or(0);
    if path == "/v1/checkout/sessions" {
        // Stripe answers with the expiry it was asked for.
        let expires_at = form
            .get("expires_at")
            .and_then(|a| a.parse::<i64>().ok())
            .unwrap_or(0);
        return json!({"id": "cs_test_1", "object": "checkout.session", "automatic_tax": {"enabled": false},
            "created": 1_760_000_000, "custom_fields": [], "custom_text": {}, "expires_at": expires_at,
            "livemode": false, "mode": "payment", "payment_method_types": ["card"], "payment_status": "unpaid",
            "shipping_options": [], "status": "open", "url": "https://checkout.stripe.com/c/pay/cs_test_1"});
    }
    if path == "/v1/transfers" {
        let id = format!(
            "tr_{}",
            form.get("destination").cloned().unwrap_or_default()
        );
        return json!({"id": id, "object": "transfer", "amount": amount, "amount_reversed": 0,
            "created": 1_760_000_000, "currency": "pkr", "livemode": false, "metadata": {},
            "reversals": {"object": "list", "data": [], "has_more": false, "url": "/v1/transfers/x/reversals"},
            "reversed": false});
    }
    if let Some(rest) = path.strip_prefix("/v1/transfers/") {
        let transfer = rest.trim_end_matches("/reversals");
        if transfer == "tr_missing" {
            return json!({"error": {"type": "invalid_request_error", "message": "No such transfer: 'tr_missing'"}});
        }
        return json!({"id": format!("trr_{transfer}"), "object": "transfer_reversal", "amount": amount,
            "created": 1_760_000_000, "currency": "pkr", "transfer": transfer});
    }
    if path == "/v1/refunds" {
        return json!({"id": "re_1", "object": "refund", "amount": amount, "created": 1_760_000_000,
            "currency": "pkr", "status": "succeeded"});
    }
    if let Some(intent) = path.strip_prefix("/v1/payment_intents/") {
        return json!({"id": intent, "object": "payment_intent", "amount": 422_499, "amount_capturable": 0,
            "amount_received": 422_499, "capture_method": "automatic_async", "confirmation_method": "automatic",
            "created": 1_760_000_000, "currency": "pkr", "livemode": false, "metadata": {},
            "payment_method_types": ["card"], "status": "succeeded",
            "latest_charge": charge(if intent == "pi_usd" { "ch_usd" } else { "ch_1" })});
    }
    if let Some(id) = path.strip_prefix("/v1/charges/") {
        return charge(id);
    }
    if path.starts_with("/v1/accounts/") && path.ends_with("/login_links") {
        return json!({"object": "login_link", "created": 1, "url": "https://connect.stripe.com/express/acct_new/x"});
    }
    if path == "/v1/accounts" {
        return json!({"id": "acct_new", "object": "account", "type": "express"});
    }
    if path == "/v1/account_links" {
        return json!({"object": "account_link", "created": 1, "expires_at": 2, "url": "https://connect.stripe.com/setup/e/acct_new/x"});
    }
    json!({"error": {"type": "invalid_request_error", "message": format!("no stub for {path}")}})
}

/// A charge of Rs. 4,224.99 with its balance transaction: settled in PKR, or for `ch_usd` as
/// $15.12 in the platform's USD balance.
fn charge(id: &str) -> Value {
    let (amount, currency) = if id == "ch_usd" {
        (1_512, "usd")
    } else {
        (422_499, "pkr")
    };
    json!({"id": id, "object": "charge", "amount": 422_499, "amount_captured": 422_499,
        "amount_refunded": 0, "billing_details": {}, "captured": true, "created": 1_760_000_000,
        "currency": "pkr", "disputed": false, "livemode": false, "metadata": {}, "paid": true,
        "refunded": false, "status": "succeeded",
        "balance_transaction": {"id": "txn_1", "object": "balance_transaction", "amount": amount,
            "available_on": 1_760_600_000, "balance_type": "payments", "created": 1_760_000_000,
            "currency": currency, "exchange_rate": null, "fee": 0, "fee_details": [], "net": amount,
            "reporting_category": "charge", "status": "pending", "type": "charge"}})
}

async fn handle(req: HttpRequest, body: web::Bytes, stub: web::Data<Arc<Stub>>) -> HttpResponse {
    let path = req.path().to_owned();
    let form: HashMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .unwrap_or_default()
            .into_iter()
            .collect();
    stub.seen.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        path: path.clone(),
        query: req.query_string().to_owned(),
        key: req
            .headers()
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        form: form.clone(),
    });
    let failure = {
        let mut f = stub.failures.lock().unwrap();
        f.get_mut(&path)
            .and_then(|left| (!left.is_empty()).then(|| left.remove(0)))
    };
    match failure {
        Some(429) => {
            return HttpResponse::TooManyRequests().json(
                json!({"error": {"type": "api_error", "code": "rate_limit", "message": "Too many requests"}}),
            );
        }
        Some(status) => {
            let status = actix_web::http::StatusCode::from_u16(status).unwrap();
            return HttpResponse::build(status).json(
                json!({"error": {"type": "api_error", "message": "Something went wrong on Stripe's end"}}),
            );
        }
        None => {}
    }
    let body = answer(&path, &form);
    if body.get("error").is_some() {
        HttpResponse::BadRequest().json(body)
    } else {
        if let Some(key) = req.headers().get("idempotency-key") {
            let key = key.to_str().unwrap_or_default().to_owned();
            *stub.effects.lock().unwrap().entry(key).or_default() += 1;
        }
        HttpResponse::Ok().json(body)
    }
}

fn stub() -> (Arc<Stub>, StripeGateway) {
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
    let gateway = StripeGateway::new(StripeSettings {
        secret_key: "sk_test_stub".into(),
        api_base: Some(format!("http://127.0.0.1:{port}")),
        public_base_url: "https://madeinpk.test".into(),
        frontend_url: "https://shop.madeinpk.test".into(),
        country: "PK".into(),
    })
    .unwrap();
    (stub, gateway)
}

fn seen(stub: &Stub) -> Vec<Seen> {
    stub.seen.lock().unwrap().clone()
}

#[actix_web::test]
async fn a_three_seller_order_is_one_session_and_three_exact_transfers() {
    let (stub, gateway) = stub();
    // Two hours from now: inside Stripe's 30 min – 24 h, so sent as it is.
    let expires =
        chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp() + 7_200, 0).unwrap();
    let session = gateway
        .create_session(SessionRequest {
            order_id: OrderId(42),
            order_number: "CART-00000000002A".into(),
            order_type: OrderType::Cart,
            buyer: UserId(9),
            seller: None,
            amount: Money::pkr(422_499),
            description: "Multi-product order".into(),
            expires_at: expires,
            created_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    assert_eq!(session.id, "cs_test_1");
    assert_eq!(session.url, "https://checkout.stripe.com/c/pay/cs_test_1");
    assert_eq!(session.expires_at, None, "the session closes when asked");
    // Shares of the 3-seller order: 1960.00, 1200.50 and 979.99 from charge ch_1.
    for (seller, amount) in [(3, 196_000), (4, 120_050), (5, 97_999)] {
        let id = gateway
            .transfer(TransferRequest {
                destination: Some(format!("acct_{seller}")),
                amount: ProviderAmount::of(Money::pkr(amount)),
                source_transaction: Some("ch_1".into()),
                transfer_group: "CART-00000000002A".into(),
                idempotency_key: format!("transfer:42:{seller}"),
            })
            .await
            .unwrap();
        assert_eq!(id, format!("tr_acct_{seller}"));
    }
    let requests = seen(&stub);
    assert_eq!(requests.len(), 4);
    let s = &requests[0];
    assert_eq!(
        (s.method.as_str(), s.path.as_str()),
        ("POST", "/v1/checkout/sessions")
    );
    assert_eq!(s.key.as_deref(), Some("checkout:42"));
    let f = &s.form;
    assert_eq!(f["mode"], "payment");
    assert_eq!(f["line_items[0][price_data][currency]"], "pkr");
    assert_eq!(f["line_items[0][price_data][unit_amount]"], "422499");
    assert_eq!(f["line_items[0][quantity]"], "1");
    assert_eq!(
        f["line_items[0][price_data][product_data][name]"],
        "Order CART-00000000002A"
    );
    assert_eq!(
        f["payment_intent_data[transfer_group]"],
        "CART-00000000002A"
    );
    assert_eq!(f["payment_intent_data[metadata][order_id]"], "42");
    assert_eq!(f["metadata[order_id]"], "42");
    assert_eq!(f["metadata[order_type]"], "cart");
    assert_eq!(f["expires_at"], expires.timestamp().to_string());
    assert_eq!(
        f["success_url"],
        "https://madeinpk.test/api/payments/success/?order_id=42&session_id={CHECKOUT_SESSION_ID}"
    );
    assert_eq!(
        f["cancel_url"],
        "https://shop.madeinpk.test/checkout?cancelled=true"
    );
    for (t, (seller, amount)) in
        requests[1..]
            .iter()
            .zip([(3, "196000"), (4, "120050"), (5, "97999")])
    {
        assert_eq!(
            (t.method.as_str(), t.path.as_str()),
            ("POST", "/v1/transfers")
        );
        assert_eq!(
            t.key.as_deref(),
            Some(format!("transfer:42:{seller}").as_str())
        );
        assert_eq!(t.form["amount"], amount);
        assert_eq!(t.form["currency"], "pkr");
        assert_eq!(t.form["destination"], format!("acct_{seller}"));
        assert_eq!(t.form["source_transaction"], "ch_1");
        assert_eq!(t.form["transfer_group"], "CART-00000000002A");
    }
}

#[actix_web::test]
async fn refunds_send_one_refund_and_one_reversal_per_affected_seller() {
    let (stub, gateway) = stub();
    // Partial refund touching two sellers (1333.33: reversals 980.00 and 326.66) ...
    let id = gateway
        .refund(RefundCall {
            payment_intent: Some("pi_1".into()),
            amount: Money::pkr(133_333),
            idempotency_key: "refund:7".into(),
        })
        .await
        .unwrap();
    assert_eq!(id, "re_1");
    for (seller, amount) in [(3, 98_000), (5, 32_666)] {
        gateway
            .reverse_transfer(ReversalCall {
                transfer_id: format!("tr_acct_{seller}"),
                amount: ProviderAmount::of(Money::pkr(amount)),
                idempotency_key: format!("reversal:7:{seller}"),
            })
            .await
            .unwrap();
    }
    // ... then the full rest of the order.
    gateway
        .refund(RefundCall {
            payment_intent: Some("pi_1".into()),
            amount: Money::pkr(289_166),
            idempotency_key: "refund:8".into(),
        })
        .await
        .unwrap();
    let requests = seen(&stub);
    let r = &requests[0];
    assert_eq!(
        (r.path.as_str(), r.key.as_deref()),
        ("/v1/refunds", Some("refund:7"))
    );
    assert_eq!(r.form["payment_intent"], "pi_1");
    assert_eq!(r.form["amount"], "133333");
    let rev = &requests[1];
    assert_eq!(rev.path, "/v1/transfers/tr_acct_3/reversals");
    assert_eq!(rev.key.as_deref(), Some("reversal:7:3"));
    assert_eq!(rev.form["amount"], "98000");
    assert_eq!(requests[2].path, "/v1/transfers/tr_acct_5/reversals");
    assert_eq!(requests[2].form["amount"], "32666");
    assert_eq!(requests[3].form["amount"], "289166");
    assert_eq!(requests[3].key.as_deref(), Some("refund:8"));
}

#[actix_web::test]
async fn a_throttled_or_failing_call_is_retried_under_the_same_key_and_takes_effect_once() {
    let (stub, gateway) = stub();
    stub.failures
        .lock()
        .unwrap()
        .insert("/v1/transfers".into(), vec![429, 500]);
    let id = gateway
        .transfer(TransferRequest {
            destination: Some("acct_3".into()),
            amount: ProviderAmount::of(Money::pkr(196_000)),
            source_transaction: Some("ch_1".into()),
            transfer_group: "CART-00000000002A".into(),
            idempotency_key: "transfer:42:3".into(),
        })
        .await
        .unwrap();
    assert_eq!(id, "tr_acct_3");
    let requests = seen(&stub);
    assert_eq!(requests.len(), 3, "a 429 and a 500, then the transfer");
    assert!(
        requests
            .iter()
            .all(|r| r.key.as_deref() == Some("transfer:42:3"))
    );
    assert_eq!(
        stub.effects.lock().unwrap().get("transfer:42:3"),
        Some(&1),
        "one transfer made"
    );
    // A refusal (4xx) is not retried.
    let e = gateway
        .reverse_transfer(ReversalCall {
            transfer_id: "tr_missing".into(),
            amount: ProviderAmount::of(Money::pkr(1)),
            idempotency_key: "reversal:1:1".into(),
        })
        .await;
    assert_eq!(
        e,
        Err(PaymentError::Refused(
            "No such transfer: 'tr_missing'".into()
        ))
    );
    assert_eq!(seen(&stub).len(), 4, "one attempt for a refusal");
}

#[actix_web::test]
async fn express_accounts_are_opened_for_recipients_with_an_onboarding_link() {
    let (stub, gateway) = stub();
    let id = gateway
        .create_account(AccountRequest {
            user: UserId(7),
            username: "potter".into(),
            email: "potter@example.pk".into(),
        })
        .await
        .unwrap();
    assert_eq!(id, "acct_new");
    let link = gateway.onboarding_link(id).await.unwrap();
    assert!(link.starts_with("https://connect.stripe.com/"));
    let requests = seen(&stub);
    let a = &requests[0].form;
    assert_eq!(requests[0].key.as_deref(), Some("account:7"));
    assert_eq!(a["type"], "express");
    assert_eq!(a["country"], "PK");
    assert_eq!(a["business_type"], "individual");
    assert_eq!(a["capabilities[transfers][requested]"], "true");
    assert_eq!(a["tos_acceptance[service_agreement]"], "recipient");
    assert_eq!(a["metadata[user_id]"], "7");
    let l = &requests[1].form;
    assert_eq!(l["account"], "acct_new");
    assert_eq!(l["type"], "account_onboarding");
    assert_eq!(
        l["return_url"],
        "https://shop.madeinpk.test/seller/settings?stripe_setup=success"
    );
}

#[actix_web::test]
async fn a_payments_settlement_is_read_from_its_charges_balance_transaction() {
    let (stub, gateway) = stub();
    let pkr = gateway.settlement(Some("pi_1".into()), None).await.unwrap();
    assert_eq!(pkr.charge.as_deref(), Some("ch_1"));
    assert_eq!(pkr.settled, Some(ProviderAmount::of(Money::pkr(422_499))));
    let usd = gateway
        .settlement(Some("pi_usd".into()), Some("ch_usd".into()))
        .await
        .unwrap();
    assert_eq!(usd.charge.as_deref(), Some("ch_usd"));
    assert_eq!(
        usd.settled,
        Some(ProviderAmount {
            minor: 1_512,
            currency: "usd".into()
        })
    );
    let requests = seen(&stub);
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/v1/payment_intents/pi_1")
    );
    assert!(
        requests[0]
            .query
            .contains("latest_charge.balance_transaction"),
        "{}",
        requests[0].query
    );
    // A known charge is read directly.
    assert_eq!(requests[1].path, "/v1/charges/ch_usd");
    assert!(requests[1].query.contains("balance_transaction"));
    assert!(
        requests.iter().all(|r| r.key.is_none()),
        "reads carry no key"
    );

    // Then the transfer goes out in the settlement currency.
    gateway
        .transfer(TransferRequest {
            destination: Some("acct_3".into()),
            amount: ProviderAmount {
                minor: 700,
                currency: "usd".into(),
            },
            source_transaction: Some("ch_usd".into()),
            transfer_group: "CART-00000000002A".into(),
            idempotency_key: "transfer:42:3".into(),
        })
        .await
        .unwrap();
    let t = &seen(&stub)[2];
    assert_eq!(t.form["currency"], "usd");
    assert_eq!(t.form["amount"], "700");
}

#[actix_web::test]
async fn a_login_link_opens_the_sellers_express_dashboard() {
    let (stub, gateway) = stub();
    let url = gateway.login_link("acct_new".into()).await.unwrap();
    assert_eq!(url, "https://connect.stripe.com/express/acct_new/x");
    let requests = seen(&stub);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/accounts/acct_new/login_links")
    );
}

#[actix_web::test]
async fn a_deadline_closer_than_stripe_allows_is_moved_and_reported_back() {
    let (stub, gateway) = stub();
    let now = chrono::Utc::now();
    // The default window: 30 minutes from the order's creation, a moment before this call.
    let session = gateway
        .create_session(SessionRequest {
            order_id: OrderId(7),
            order_number: "FXD-000000000007".into(),
            order_type: OrderType::FixedPrice,
            buyer: UserId(9),
            seller: Some(UserId(3)),
            amount: Money::pkr(150_000),
            description: "Shawl".into(),
            expires_at: now + chrono::Duration::minutes(30) - chrono::Duration::seconds(1),
            created_at: now,
        })
        .await
        .unwrap();
    let sent: i64 = seen(&stub)[0].form["expires_at"].parse().unwrap();
    assert!(
        sent >= now.timestamp() + 30 * 60 + 60,
        "Stripe refuses sessions shorter than 30 minutes; sent {sent}"
    );
    assert_eq!(
        session.expires_at.map(|t| t.timestamp()),
        Some(sent),
        "the order takes the session's real expiry as its deadline"
    );
}

#[actix_web::test]
async fn a_checkout_replayed_later_sends_the_very_same_request_under_its_key() {
    let (stub, gateway) = stub();
    // An order made a moment ago with the default 30-minute window (closer than Stripe allows),
    // its checkout replayed under the same key after the clock has moved on.
    let created = chrono::Utc::now() - chrono::Duration::seconds(5);
    let request = SessionRequest {
        order_id: OrderId(8),
        order_number: "FXD-000000000008".into(),
        order_type: OrderType::FixedPrice,
        buyer: UserId(9),
        seller: Some(UserId(3)),
        amount: Money::pkr(150_000),
        description: "Shawl".into(),
        expires_at: created + chrono::Duration::minutes(30),
        created_at: created,
    };
    let first = gateway.create_session(request.clone()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let replay = gateway.create_session(request).await.unwrap();
    let sent = seen(&stub);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].key, sent[1].key, "one idempotency key");
    assert_eq!(
        sent[0].form, sent[1].form,
        "the replay's parameters are the first attempt's, expires_at included"
    );
    assert_eq!(
        sent[0].form["expires_at"],
        (created.timestamp() + 31 * 60).to_string(),
        "derived from the order's creation"
    );
    assert_eq!(first.expires_at, replay.expires_at);
}
