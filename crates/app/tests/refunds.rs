//! Refunds over HTTP through the dev gateway: by items (with restock), by a seller for their own
//! lines, the rest in full; the buyer refunded once per refund, each seller's payout reversed by
//! their part less the fee, and every paisa accounted for.

mod common;

use common::{TestApp, WEBHOOK_SECRET, item_of, market, spawn_app, spawn_with};
use madeinpk_domain::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Paid {
    app: TestApp,
    sellers: Vec<String>,
    buyer: String,
    listings: Vec<i64>,
    order: Value,
}

/// The market's three sellers sold 2 vases, a shawl and 3 spoons; paid, payouts made.
async fn paid_order() -> Paid {
    paid_order_on(spawn_app().await).await
}

/// An app whose webhook secret the test knows, so it can sign the provider's reports.
async fn signing_app() -> TestApp {
    spawn_with(|c| c.stripe.webhook_secret = Some(WEBHOOK_SECRET.into())).await
}

/// As [`paid_order`], on `app`.
async fn paid_order_on(app: TestApp) -> Paid {
    let m = market(app).await;
    for (listing, qty) in m.listings.iter().zip([2, 1, 3]) {
        m.app.add_to_cart(&m.buyer, *listing, qty).await;
    }
    let order = m
        .app
        .post(
            "/api/cart/checkout/",
            Some(&m.buyer),
            json!({"shipping_address_id": m.address}),
        )
        .await
        .body;
    m.app
        .pay(order["payment_url"].as_str().unwrap(), true)
        .await;
    assert!(
        m.app
            .count_reaches("seller_transfers WHERE status = 'succeeded'", 3)
            .await
    );
    Paid {
        app: m.app,
        sellers: m.sellers,
        buyer: m.buyer,
        listings: m.listings,
        order,
    }
}

#[tokio::test]
async fn partial_then_seller_then_full_refunds_return_every_paisa() {
    let p = paid_order().await;
    let app = &p.app;
    let id = p.order["id"].as_i64().unwrap();
    let path = format!("/api/orders/{id}/refund/");
    let admin = app.admin_token().await;

    // Who may refund.
    let r = app.post(&path, Some(&p.buyer), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (stranger, _) = app.register("stranger").await;
    assert_eq!(
        app.post(&path, Some(&stranger), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&path, None, json!({})).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Admin: one vase and one spoon, restocked. Two sellers touched, the third not.
    let (vase, shawl, spoon) = (
        item_of(&p.order, "Vase"),
        item_of(&p.order, "Shawl"),
        item_of(&p.order, "Spoon"),
    );
    let r = app
        .post(
            &path,
            Some(&admin),
            json!({"items": [{"item": vase, "quantity": 1}, {"item": spoon, "quantity": 1}], "restock": true, "reason": "damaged"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["refund"]["amount"], "1333.33");
    assert_eq!(
        r.body["refund"]["sellers"],
        json!([
            {"seller_id": r.body["refund"]["sellers"][0]["seller_id"], "amount": "1000.00", "platform_fee": "20.00", "reversal": "980.00"},
            {"seller_id": r.body["refund"]["sellers"][1]["seller_id"], "amount": "333.33", "platform_fee": "6.67", "reversal": "326.66"},
        ])
    );
    assert_eq!(r.body["order"]["status"], "partially_refunded");
    assert_eq!(
        app.stock(p.listings[0]).await.0,
        4,
        "the vase is back on sale"
    );
    assert_eq!(app.stock(p.listings[2]).await.0, 8);
    assert!(
        app.count_reaches(
            "refunds WHERE status = 'succeeded' AND provider_refund_id LIKE 're_dev_%'",
            1
        )
        .await
    );
    assert!(
        app.count_reaches(
            "refund_sellers WHERE status = 'succeeded' AND provider_reversal_id LIKE 'trr_dev_%'",
            2
        )
        .await
    );
    let mailed = app
        .eventually(std::time::Duration::from_secs(15), || async {
            app.mail_to("ayesha@example.pk")
                .iter()
                .any(|m| m.contains("Subject: Refund issued - Order CART-"))
        })
        .await;
    assert!(mailed);

    // A seller refunds only their own lines, and never more than is left.
    let r = app
        .post(
            &path,
            Some(&p.sellers[1]),
            json!({"items": [{"item": vase, "quantity": 1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = app
        .post(&path, Some(&p.sellers[1]), json!({"amount": "1225.01"}))
        .await;
    assert_eq!(
        r.body,
        json!({"amount": ["At most 1225.00 can still be refunded"]})
    );
    let r = app
        .post(
            &path,
            Some(&p.sellers[1]),
            json!({"items": [{"item": shawl, "quantity": 2}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post(
            &path,
            Some(&p.sellers[1]),
            json!({"items": [], "amount": "1.00"}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"non_field_errors": ["Give either items or an amount, not both."]})
    );
    let r = app.post(&path, Some(&p.sellers[1]), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["refund"]["amount"], "1225.00");
    assert_eq!(r.body["refund"]["sellers"][0]["reversal"], "1200.50");
    // The weaver sees their part of the order only.
    assert_eq!(r.body["order"]["items"].as_array().unwrap().len(), 1);

    // The rest, in full: the order is refunded; nothing more can be.
    let r = app.post(&path, Some(&admin), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["refund"]["amount"], "1666.66");
    assert_eq!(r.body["order"]["status"], "refunded");
    let r = app
        .post(&path, Some(&admin), json!({"amount": "1.00"}))
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::CONFLICT,
            json!({"error": "An order that is refunded cannot be refunded"})
        )
    );

    // Every paisa: refunds add up to the charge, fees to the platform's fee, reversals to each
    // seller's amount; every payout is marked reversed.
    assert!(
        app.count_reaches("refunds WHERE status = 'succeeded'", 3)
            .await
    );
    assert!(
        app.count_reaches("refund_sellers WHERE status = 'succeeded'", 5)
            .await
    );
    assert_eq!(
        app.db
            .count("orders WHERE total_amount = (SELECT sum(amount) FROM refunds)")
            .await,
        1
    );
    assert_eq!(
        app.db
            .count("orders WHERE platform_fee = (SELECT sum(platform_fee) FROM refund_sellers)")
            .await,
        1
    );
    assert_eq!(
        app.db
            .count(
                "seller_transfers t WHERE t.amount = (SELECT sum(reversal) FROM refund_sellers r \
                 WHERE r.seller_id = t.seller_id)"
            )
            .await,
        3
    );
    assert!(
        app.count_reaches("seller_transfers WHERE status = 'reversed'", 3)
            .await
    );
}

#[tokio::test]
async fn unpaid_orders_cannot_be_refunded() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (buyer, _) = app.register("ayesha").await;
    let address = app.address(&buyer).await;
    let listing = app.listing(&seller, "Vase", "1000.00", 5).await;
    let order = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            json!({"shipping_address": address}),
        )
        .await
        .body;
    let admin = app.admin_token().await;
    let r = app
        .post(
            &format!("/api/orders/{}/refund/", order["id"]),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.body),
        (
            StatusCode::CONFLICT,
            json!({"error": "An order that is pending_payment cannot be refunded"})
        )
    );
    assert_eq!(app.db.count("refunds").await, 0);
}

/// `charge.refunded` for an order paid through the dev gateway: `refunded` paisa so far.
fn charge_refunded(app: &TestApp, order: &Value, event: &str, refunded: i64) -> Vec<u8> {
    let session = order["payment_url"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap();
    json!({"id": event, "type": "charge.refunded", "created": app.clock.now().timestamp(),
        "data": {"object": {"id": "ch_dev_x", "object": "charge",
            "payment_intent": madeinpk_stripe::dev::payment_intent(session),
            "transfer_group": order["order_number"], "amount": 422_499, "amount_refunded": refunded,
            "currency": "pkr", "refunds": {"object": "list", "data": [{"id": format!("re_ext_{refunded}")}]}}}})
    .to_string()
    .into_bytes()
}

async fn deliver(app: &TestApp, body: &[u8]) -> StatusCode {
    app.deliver(body, WEBHOOK_SECRET, app.clock.now().timestamp())
        .await
        .status
}

#[tokio::test]
async fn a_refund_made_in_the_providers_dashboard_is_recorded_once_and_reversed() {
    let p = paid_order_on(signing_app().await).await;
    let app = &p.app;
    let id = p.order["id"].as_i64().unwrap();

    // Rs. 500.00 refunded in the dashboard: recorded as already paid back, sellers reversed.
    let r = deliver(app, &charge_refunded(app, &p.order, "evt_r1", 50_000)).await;
    assert_eq!(r, StatusCode::OK);
    assert_eq!(
        app.db
            .count(
                "refunds WHERE amount = 500.00 AND requested_by IS NULL AND status = 'succeeded' \
                 AND provider_refund_id = 're_ext_50000'"
            )
            .await,
        1
    );
    let o = app.get(&format!("/api/orders/{id}/"), Some(&p.buyer)).await;
    assert_eq!(o.body["status"], "partially_refunded");
    let parts = app.db.count("refund_sellers WHERE reversal > 0").await;
    assert!(parts >= 1);
    assert!(
        app.count_reaches(
            "refund_sellers WHERE status = 'succeeded' AND provider_reversal_id LIKE 'trr_dev_%'",
            parts
        )
        .await
    );
    assert_eq!(
        app.db
            .count("refunds WHERE provider_refund_id LIKE 're_dev_%'")
            .await,
        0,
        "the buyer was refunded at the provider, not again by us"
    );
    let mailed = app
        .eventually(std::time::Duration::from_secs(15), || async {
            app.mail_to("ayesha@example.pk")
                .iter()
                .any(|m| m.contains("Subject: Refund issued - Order CART-"))
        })
        .await;
    assert!(mailed);

    // The same report again, under its id or another, and an older one: nothing more.
    for (event, refunded) in [("evt_r1", 50_000), ("evt_r1b", 50_000), ("evt_r0", 20_000)] {
        let r = deliver(app, &charge_refunded(app, &p.order, event, refunded)).await;
        assert_eq!(r, StatusCode::OK);
    }
    assert_eq!(app.db.count("refunds").await, 1);

    // Our own refund of the rest, then the provider's report of everything: nothing more.
    let admin = app.admin_token().await;
    let r = app
        .post(
            &format!("/api/orders/{id}/refund/"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["refund"]["amount"], "3724.99");
    assert_eq!(r.body["order"]["status"], "refunded");
    let r = deliver(app, &charge_refunded(app, &p.order, "evt_r2", 422_499)).await;
    assert_eq!(r, StatusCode::OK);
    assert_eq!(app.db.count("refunds").await, 2);
    assert_eq!(
        app.db
            .count("orders WHERE total_amount = (SELECT sum(amount) FROM refunds)")
            .await,
        1
    );
    assert!(
        app.count_reaches("seller_transfers WHERE status = 'reversed'", 3)
            .await
    );
}

#[tokio::test]
async fn a_refund_reported_before_the_payment_is_retried_until_the_payment_lands() {
    let m = market(signing_app().await).await;
    let app = &m.app;
    m.app.add_to_cart(&m.buyer, m.listings[0], 1).await;
    let order = app
        .post(
            "/api/cart/checkout/",
            Some(&m.buyer),
            json!({"shipping_address_id": m.address}),
        )
        .await
        .body;
    let early = charge_refunded(app, &order, "evt_early", 10_000);
    assert_eq!(
        deliver(app, &early).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "the provider keeps the event and delivers it again"
    );
    assert_eq!(app.db.count("refunds").await, 0);
    app.pay(order["payment_url"].as_str().unwrap(), true).await;
    assert_eq!(deliver(app, &early).await, StatusCode::OK);
    assert_eq!(app.db.count("refunds WHERE amount = 100.00").await, 1);
    // A charge that is none of ours is acknowledged and ignored.
    let other = json!({"id": "evt_other", "type": "charge.refunded", "created": app.clock.now().timestamp(),
        "data": {"object": {"id": "ch_other", "payment_intent": "pi_other", "amount_refunded": 100}}});
    assert_eq!(
        deliver(app, other.to_string().as_bytes()).await,
        StatusCode::OK
    );
    assert_eq!(app.db.count("refunds").await, 1);
}

#[tokio::test]
async fn transfer_reversals_reported_by_the_provider_only_ever_grow() {
    let p = paid_order_on(signing_app().await).await;
    let app = &p.app;
    let admin = app.admin_token().await;
    let r = app
        .post(
            "/api/admin/trigger-transfers/",
            Some(&admin),
            json!({"order_id": p.order["id"]}),
        )
        .await;
    let transfer = r.body["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["amount"] == "1960.00")
        .unwrap_or_else(|| panic!("{}", r.text))["stripe_transfer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reversed = |event: &str, amount: i64| {
        json!({"id": event, "type": "transfer.reversed", "created": app.clock.now().timestamp(),
            "data": {"object": {"id": transfer, "object": "transfer", "amount": 196_000,
                "amount_reversed": amount, "currency": "pkr"}}})
        .to_string()
        .into_bytes()
    };
    let state = || async {
        (
            app.db
                .count("seller_transfers WHERE status = 'reversed'")
                .await,
            app.db
                .count("seller_transfers WHERE provider_reversed = 196000")
                .await,
        )
    };
    assert_eq!(
        deliver(app, &reversed("evt_t1", 50_000)).await,
        StatusCode::OK
    );
    assert_eq!(state().await, (0, 0), "a partial reversal keeps it paid");
    assert_eq!(
        deliver(app, &reversed("evt_t2", 196_000)).await,
        StatusCode::OK
    );
    assert_eq!(state().await, (1, 1), "taken back whole");
    assert_eq!(
        deliver(app, &reversed("evt_t1", 50_000)).await,
        StatusCode::OK
    );
    assert_eq!(state().await, (1, 1), "an older report changes nothing");
}
