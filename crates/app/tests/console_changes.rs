//! The operator console's changes over HTTP: bulk actions through the domain services, their
//! refusals and reports, and their audit entries.

mod common;

use common::console::{admin, flash};
use common::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn blocking_asks_first_emails_the_user_reports_row_by_row_and_is_audited() {
    let app = spawn_app().await;
    let (_, amna) = app.register("amna").await;
    let (_, bilal) = app.register("bilal").await;
    let mut b = admin(&app).await;
    let root = app
        .db
        .ids("SELECT id FROM users WHERE username = 'root'")
        .await[0];
    let csrf = b.csrf().await;

    // Search finds the user.
    let list = b.get("/admin/users/?q=amn").await;
    assert!(
        list.text.contains("amna") && !list.text.contains("bilal"),
        "search"
    );

    let (a, bi, r) = (amna.to_string(), bilal.to_string(), root.to_string());
    let ask = b
        .post(
            "/admin/users/action/",
            &[
                ("action", "block"),
                ("ids", &a),
                ("csrf_token", &csrf),
                ("go", "1"),
            ],
        )
        .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.text.contains("Yes, I&#x27;m sure") || ask.text.contains("Yes, I'm sure"),
        "confirmation page"
    );
    assert_eq!(
        app.db.count("users WHERE is_blocked").await,
        0,
        "nothing happens before confirming"
    );

    let done = b
        .post(
            "/admin/users/action/",
            &[
                ("action", "block"),
                ("ids", &a),
                ("ids", &bi),
                ("ids", &r),
                ("confirmed", "yes"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        flash(&done.location),
        format!("refused: 2 blocked; 1 refused: Admin accounts cannot be blocked (#{root})")
    );
    assert_eq!(app.db.count("users WHERE is_blocked").await, 2);
    app.run_jobs().await;
    let blocked_mails = || {
        app.mail_to("amna@example.pk")
            .iter()
            .filter(|m| m.contains("Blocked"))
            .count()
    };
    assert_eq!(blocked_mails(), 1, "the user is emailed");

    let again = b
        .post(
            "/admin/users/action/",
            &[
                ("action", "block"),
                ("ids", &a),
                ("confirmed", "yes"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(
        flash(&again.location),
        format!("refused: 0 blocked; 1 refused: already blocked (#{amna})")
    );
    app.run_jobs().await;
    assert_eq!(blocked_mails(), 1, "no second email");

    // Audit: who, what, before → after, outcome; the page filters by entity.
    assert_eq!(
        app.db
            .count(&format!(
                "audit_log WHERE entity = 'users' AND entity_id = {amna} AND action = 'block' \
                 AND operator_id = {root} AND source = 'console' AND outcome = 'done' \
                 AND before->>'is_blocked' = 'false' AND after->>'is_blocked' = 'true'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.db
            .count("audit_log WHERE outcome LIKE 'refused:%'")
            .await,
        2
    );
    let audit = b.get("/admin/audit/?entity=users").await;
    assert!(
        audit.text.contains("block")
            && audit.text.contains("root")
            && audit.text.contains(&format!("User #{amna}: amna"))
    );
}

#[tokio::test]
async fn actions_the_rules_refuse_are_refused_with_their_reason() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let (buyer, _) = app.register("asad").await;
    let auction = app
        .auction_of(&seller, "Blue vase", "1000.00", chrono::Duration::hours(5))
        .await;
    let quiet = app
        .auction_of(&seller, "Clay pot", "500.00", chrono::Duration::hours(5))
        .await;
    let r = app
        .post(
            &format!("/api/auctions/{auction}/place_bid/"),
            Some(&buyer),
            serde_json::json!({"amount": "1100.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let listing = app.listing(&seller, "Ajrak", "1500.00", 3).await;
    let address = app.address(&buyer).await;
    let r = app
        .post(
            &format!("/api/listings/{listing}/purchase/"),
            Some(&buyer),
            serde_json::json!({"quantity": 1, "shipping_address": address}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let order = app.db.ids("SELECT id FROM orders").await[0];

    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    let run = |slug: &'static str, action: &'static str, id: i64| (slug, action, id.to_string());
    for ((slug, action, id), expected) in [
        (
            run("auctions", "cancel", auction),
            format!("refused: 0 cancelled; 1 refused: the auction has bids (#{auction})"),
        ),
        (
            run("orders", "mark_paid", order),
            format!(
                "refused: 0 marked paid; 1 refused: only the payment provider marks an order paid (#{order})"
            ),
        ),
        (
            run("orders", "mark_shipped", order),
            format!("refused: 0 marked shipped; 1 refused: Order must be paid first (#{order})"),
        ),
        (
            run("auctions", "cancel", quiet),
            "done: 1 cancelled".to_owned(),
        ),
        (
            run("auctions", "end", quiet),
            format!("refused: 0 ended; 1 refused: the auction is not active (#{quiet})"),
        ),
        (
            run("orders", "cancel", order),
            "done: 1 cancelled".to_owned(),
        ),
    ] {
        let p = b
            .post(
                &format!("/admin/{slug}/action/"),
                &[
                    ("action", action),
                    ("ids", &id),
                    ("confirmed", "yes"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(flash(&p.location), expected, "{slug} {action}");
    }
    assert_eq!(
        app.db
            .count(&format!(
                "orders WHERE id = {order} AND status = 'cancelled'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.stock(listing).await.0,
        3,
        "the cancelled order's unit is back"
    );
    // Nothing selected, or an action the list does not offer.
    let p = b
        .post(
            "/admin/orders/action/",
            &[("action", "cancel"), ("csrf_token", &csrf)],
        )
        .await;
    assert!(flash(&p.location).starts_with("refused: Items must be selected"));
    let p = b
        .post(
            "/admin/orders/action/",
            &[("action", "block"), ("ids", "1"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(flash(&p.location), "refused: Choose an action.");
}

#[tokio::test]
async fn ending_an_auction_runs_the_real_ending_and_the_winner_gets_an_order() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("weaver", "seller").await;
    let (buyer, buyer_id) = app.register("zara").await;
    let auction = app
        .auction_of(&seller, "Kilim rug", "2000.00", chrono::Duration::days(2))
        .await;
    let r = app
        .post(
            &format!("/api/auctions/{auction}/place_bid/"),
            Some(&buyer),
            serde_json::json!({"amount": "2500.00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    let id = auction.to_string();
    let p = b
        .post(
            "/admin/auctions/action/",
            &[
                ("action", "end"),
                ("ids", &id),
                ("confirmed", "yes"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(flash(&p.location), "done: 1 ended");
    assert_eq!(
        app.db
            .count(&format!(
                "orders WHERE auction_id = {auction} AND buyer_id = {buyer_id} AND order_type = 'auction' \
                 AND total_amount = 2500.00 AND status = 'pending_payment' AND payment_url <> ''"
            ))
            .await,
        1
    );
    app.run_jobs().await;
    assert_eq!(
        app.mail_to("zara@example.pk")
            .iter()
            .filter(|m| m.contains("Kilim rug"))
            .count(),
        1,
        "the winner is emailed"
    );
    let orders = b.get("/admin/orders/?type=auction&q=Kilim").await;
    assert!(orders.text.contains("zara"), "the winner's order is listed");
}

#[tokio::test]
async fn corrections_of_community_records_follow_their_rules() {
    let app = spawn_app().await;
    let (seller, seller_id) = app.register_as("carver", "seller").await;
    let (_, buyer) = app.register("hina").await;
    let product = app.product(&seller, "Walnut box").await;
    for sql in [
        format!(
            "INSERT INTO conversations (buyer_id, seller_id, product_id) VALUES ({buyer}, {seller_id}, {product})"
        ),
        format!(
            "INSERT INTO messages (conversation_id, sender_id, content) SELECT id, {buyer}, 'Is it walnut?' FROM conversations"
        ),
        format!(
            "INSERT INTO notifications (user_id, notification_type, title, message) VALUES ({buyer}, 'general', 'Eid sale', 'Everything handmade, 10% off')"
        ),
        format!(
            "INSERT INTO product_reviews (product_id, buyer_id, rating, title, comment) VALUES ({product}, {buyer}, 5, 'Lovely', 'Fine grain')"
        ),
        format!(
            "INSERT INTO seller_profiles (user_id, brand_name) VALUES ({seller_id}, 'Carved') ON CONFLICT (user_id) DO NOTHING"
        ),
        format!(
            "UPDATE seller_profiles SET average_rating = 4.50, total_feedbacks = 7 WHERE user_id = {seller_id}"
        ),
    ] {
        app.db.execute(&sql).await;
    }
    let id = |sql: &str| {
        let sql = sql.to_owned();
        let app = &app;
        async move { app.db.ids(&sql).await[0].to_string() }
    };
    let message = id("SELECT id FROM messages").await;
    let notification = id("SELECT id FROM notifications WHERE title = 'Eid sale'").await;
    let review = id("SELECT id FROM product_reviews").await;
    let profile = id(&format!(
        "SELECT id FROM seller_profiles WHERE user_id = {seller_id}"
    ))
    .await;
    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    for (slug, action, row, expected) in [
        (
            "messages",
            "mark_read",
            &message,
            "done: 1 marked read".to_owned(),
        ),
        (
            "messages",
            "mark_read",
            &message,
            format!("refused: 0 marked read; 1 refused: already read (#{message})"),
        ),
        (
            "messages",
            "mark_unread",
            &message,
            "done: 1 marked unread".to_owned(),
        ),
        (
            "notifications",
            "send_emails",
            &notification,
            "done: 1 queued for email".to_owned(),
        ),
        (
            "notifications",
            "mark_read",
            &notification,
            "done: 1 marked read".to_owned(),
        ),
        (
            "reviews",
            "verify_purchases",
            &review,
            format!(
                "refused: 0 checked; 1 refused: the buyer has not received this product (#{review})"
            ),
        ),
        (
            "seller-profiles",
            "update_ratings",
            &profile,
            "done: 1 updated".to_owned(),
        ),
    ] {
        let p = b
            .post(
                &format!("/admin/{slug}/action/"),
                &[
                    ("action", action),
                    ("ids", row),
                    ("confirmed", "yes"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(flash(&p.location), expected, "{slug} {action}");
    }
    assert_eq!(app.db.count("messages WHERE NOT is_read").await, 1);
    assert_eq!(app.db.count(&format!("seller_profiles WHERE user_id = {seller_id} AND total_feedbacks = 0 AND average_rating = 0")).await, 1, "recomputed from no feedback");
    app.run_jobs().await;
    let mails = app.mail_to("hina@example.pk");
    assert_eq!(
        mails.iter().filter(|m| m.contains("Eid sale")).count(),
        1,
        "the notification is emailed"
    );
    assert_eq!(
        app.db
            .count("notifications WHERE title = 'Eid sale' AND is_sent_via_email AND is_read")
            .await,
        1
    );
    let again = b
        .post(
            "/admin/notifications/action/",
            &[
                ("action", "send_emails"),
                ("ids", &notification),
                ("confirmed", "yes"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(
        flash(&again.location),
        format!("refused: 0 queued for email; 1 refused: already emailed (#{notification})")
    );
}
