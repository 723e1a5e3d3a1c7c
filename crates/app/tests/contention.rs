//! No oversell under contention: hundreds of buyers racing over HTTP for a few units, against the
//! real Postgres; and carts locking the same listings in opposite orders never deadlock.

mod common;

use common::{TestApp, spawn_with};
use madeinpk_domain::account::ports::TokenStore;
use madeinpk_domain::ids::UserId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::task::JoinSet;

/// `n` buyers with tokens and a default address each, made directly in the database (hashing
/// hundreds of passwords would only slow the test down). Returns (token, address id).
async fn buyers(app: &TestApp, n: i64) -> Vec<(String, i64)> {
    app.db
        .execute(&format!(
            "INSERT INTO users (username, email, password_hash) \
             SELECT 'racer' || g, 'racer' || g || '@example.pk', 'x' FROM generate_series(1, {n}) g"
        ))
        .await;
    app.db
        .execute(
            "INSERT INTO addresses (user_id, street_address, city_id, postal_code, is_default) \
             SELECT id, '1 Mall Road', (SELECT min(id) FROM cities), '54000', TRUE \
             FROM users WHERE username LIKE 'racer%'",
        )
        .await;
    let users = app
        .db
        .ids("SELECT id FROM users WHERE username LIKE 'racer%' ORDER BY id")
        .await;
    let addresses = app
        .db
        .ids(
            "SELECT a.id FROM addresses a JOIN users u ON u.id = a.user_id \
             WHERE u.username LIKE 'racer%' ORDER BY u.id",
        )
        .await;
    let mut out = Vec::new();
    for (user, address) in users.into_iter().zip(addresses) {
        out.push((
            app.db.db.issue(UserId(user), String::new()).await.unwrap(),
            address,
        ));
    }
    assert_eq!(out.len(), usize::try_from(n).unwrap());
    out
}

async fn race(
    app: &TestApp,
    buyers: &[(String, i64)],
    request: impl Fn(&str, i64) -> (String, Value),
) -> Vec<(StatusCode, Value)> {
    let mut set = JoinSet::new();
    for (token, address) in buyers {
        let (path, body) = request(token, *address);
        let (client, url, token) = (app.client.clone(), app.url(&path), token.clone());
        set.spawn(async move {
            let res = client
                .post(url)
                .header("Authorization", format!("Token {token}"))
                .json(&body)
                .send()
                .await
                .expect("request sent");
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    set.join_all().await
}

fn tally(results: &[(StatusCode, Value)]) -> (usize, usize) {
    for (status, body) in results {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::BAD_REQUEST,
            "unexpected {status}: {body}"
        );
    }
    let won = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    (won, results.len() - won)
}

async fn contended_app() -> TestApp {
    spawn_with(|c| {
        c.database.pool_size = 10;
        c.http.workers = 2;
    })
    .await
}

#[tokio::test]
async fn two_hundred_buyers_hold_and_buy_exactly_five_units() {
    let app = contended_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let listing = app.listing(&seller, "Last vases", "500.00", 5).await;
    let racers = buyers(&app, 200).await;

    let holds = race(&app, &racers, |_, _| {
        (
            "/api/cart/add_item/".into(),
            json!({"listing_id": listing, "quantity": 1}),
        )
    })
    .await;
    let (held, refused) = tally(&holds);
    assert_eq!(held, 5, "exactly the stock is held");
    assert_eq!(refused, 195);
    assert!(holds.iter().all(|(s, b)| {
        *s == StatusCode::CREATED
            || b["non_field_errors"][0]
                .as_str()
                .unwrap_or("")
                .starts_with("Only ")
    }));
    assert_eq!(app.stock(listing).await, (5, 5, "active".into()));

    let orders = race(&app, &racers, |_, address| {
        (
            "/api/cart/checkout/".into(),
            json!({"shipping_address_id": address}),
        )
    })
    .await;
    let (placed, empty) = tally(&orders);
    assert_eq!(placed, 5);
    assert_eq!(empty, 195);
    assert_eq!(app.stock(listing).await, (0, 0, "out_of_stock".into()));
    assert_eq!(app.db.count("orders").await, 5);
    assert_eq!(app.db.count("order_items WHERE quantity = 1").await, 5);
}

#[tokio::test]
async fn two_hundred_direct_purchases_sell_exactly_five_units() {
    let app = contended_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let listing = app.listing(&seller, "Last vases", "500.00", 5).await;
    let racers = buyers(&app, 200).await;
    let results = race(&app, &racers, |_, address| {
        (
            format!("/api/listings/{listing}/purchase/"),
            json!({"quantity": 1, "shipping_address": address}),
        )
    })
    .await;
    let (sold, refused) = tally(&results);
    assert_eq!(sold, 5);
    assert_eq!(refused, 195);
    assert!(results.iter().all(|(s, b)| *s == StatusCode::CREATED
        || b == &json!({"error": "Not enough quantity available"})
        || b == &json!({"error": "Listing is not active"})));
    assert_eq!(app.stock(listing).await, (0, 0, "out_of_stock".into()));
    assert_eq!(app.db.count("orders").await, 5);
    assert_eq!(app.db.count("listings WHERE quantity < 0").await, 0);
}

#[tokio::test]
async fn carts_with_the_same_listings_in_opposite_orders_never_deadlock() {
    let app = contended_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let a = app.listing(&seller, "Plate", "100.00", 1000).await;
    let b = app.listing(&seller, "Bowl", "200.00", 1000).await;
    let racers = buyers(&app, 40).await;
    for (i, (token, _)) in racers.iter().enumerate() {
        let order = if i % 2 == 0 { [a, b] } else { [b, a] };
        for listing in order {
            let r = app.add_to_cart(token, listing, 1).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
    }
    let results = race(&app, &racers, |_, address| {
        (
            "/api/cart/checkout/".into(),
            json!({"shipping_address_id": address}),
        )
    })
    .await;
    let (placed, failed) = tally(&results);
    assert_eq!((placed, failed), (40, 0));
    assert_eq!(app.stock(a).await, (960, 0, "active".into()));
    assert_eq!(app.stock(b).await, (960, 0, "active".into()));
}
