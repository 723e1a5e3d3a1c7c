//! The operator console over HTTP: who gets in, CSRF, session expiry, bulk actions and their
//! refusals, the audit log, lists, the dashboard and the CSV export.

mod common;

use common::{PASSWORD, TestApp, spawn_app};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// A browser's view of the console: the cookies it holds.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: StatusCode,
    location: String,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn take(&mut self, res: reqwest::Response) -> Page {
        for c in res.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        Page {
            status: res.status(),
            location: res
                .headers()
                .get(LOCATION)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            headers: res.headers().clone(),
            text: res.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let res = self
            .app
            .client
            .get(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.take(res).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let res = self
            .app
            .client
            .post(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.take(res).await
    }

    /// Signs in through the form; the response to the form's POST.
    async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/admin/login/").await;
        let csrf = hidden(&form.text, "csrf_token");
        self.post(
            "/admin/login/",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf),
                ("next", "/admin/users/"),
            ],
        )
        .await
    }

    /// The CSRF token of the signed-in session (from any console page's sign-out form).
    async fn csrf(&mut self) -> String {
        let page = self.get("/admin/users/").await;
        hidden(&page.text, "csrf_token")
    }
}

/// The value of the hidden input `name` in `html`.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name} in the page"));
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].to_owned()
}

/// The flash text a redirect carries (`?done=` / `?refused=`), decoded.
fn flash(location: &str) -> String {
    let q = location.split_once('?').map_or("", |(_, q)| q);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap();
    pairs
        .into_iter()
        .filter(|(k, _)| k == "done" || k == "refused")
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

async fn admin(app: &TestApp) -> Browser<'_> {
    app.admin_token().await;
    let mut b = Browser::new(app);
    let p = b.sign_in("root@example.pk", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text);
    b
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_only_admins_get_in() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let p = b.get("/admin/orders/?status=paid").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        p.location.starts_with("/admin/login/?next="),
        "{}",
        p.location
    );
    assert!(
        p.location.contains("%2Fadmin%2Forders%2F"),
        "{}",
        p.location
    );

    let login = b.get("/admin/login/").await;
    assert_eq!(login.status, StatusCode::OK);
    let csp = login.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(login.headers["x-frame-options"], "DENY");
    assert_eq!(login.headers["referrer-policy"], "same-origin");
    assert!(login.text.contains("name=\"csrf_token\""));

    app.register_as("buyer1", "buyer").await;
    app.register_as("seller1", "seller").await;
    for who in ["buyer1", "seller1"] {
        let mut b = Browser::new(&app);
        let p = b.sign_in(&format!("{who}@example.pk"), PASSWORD).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{who}");
        assert!(
            p.text.contains("cannot use the administration site"),
            "{who}"
        );
        assert!(!b.cookies.iter().any(|(k, _)| k == "madeinpk_console"));
        assert_eq!(b.get("/admin/").await.status, StatusCode::SEE_OTHER);
    }
    let mut wrong = Browser::new(&app);
    let p = wrong.sign_in("root@example.pk", "not-the-password").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);

    app.admin_token().await;
    let mut b = Browser::new(&app);
    let p = b.sign_in("root@example.pk", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location, "/admin/users/");
    let set = p
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("madeinpk_console="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/admin/"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain http test site");
    let home = b.get("/admin/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text.contains("MadeInPK Administration"));
    assert!(
        home.text.contains("revenue.svg?range=30"),
        "the revenue chart is on the page"
    );
    let chart = b.get("/admin/charts/status.svg?range=7").await;
    assert_eq!(chart.status, StatusCode::OK);
    assert_eq!(chart.headers["content-type"], "image/svg+xml");
    assert!(chart.text.starts_with("<svg") && chart.text.contains("Orders by status"));

    // Signing out ends the session on the server, not only in the browser.
    let token = b
        .cookies
        .iter()
        .find(|(k, _)| k == "madeinpk_console")
        .unwrap()
        .1
        .clone();
    let csrf = b.csrf().await;
    assert_eq!(
        b.post("/admin/logout/", &[("csrf_token", "nope")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let out = b.post("/admin/logout/", &[("csrf_token", &csrf)]).await;
    assert_eq!(out.location, "/admin/login/");
    b.cookies.push(("madeinpk_console".into(), token));
    assert_eq!(b.get("/admin/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused() {
    let app = spawn_app().await;
    let (_, buyer) = app.register("victim").await;
    let mut b = admin(&app).await;
    // The login form itself: a token not matching the pre-sign-in cookie.
    let mut fresh = Browser::new(&app);
    fresh.get("/admin/login/").await;
    let p = fresh
        .post(
            "/admin/login/",
            &[
                ("email", "root@example.pk"),
                ("password", PASSWORD),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    for token in ["", "forged"] {
        let id = buyer.to_string();
        let p = b
            .post(
                "/admin/users/action/",
                &[
                    ("action", "block"),
                    ("ids", &id),
                    ("confirmed", "yes"),
                    ("csrf_token", token),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "token {token:?}");
    }
    assert_eq!(
        app.db
            .count(&format!("users WHERE id = {buyer} AND is_blocked"))
            .await,
        0
    );
    assert_eq!(app.db.count("audit_log").await, 0);
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_their_absolute_limit() {
    let app = spawn_app().await;
    let mut b = admin(&app).await;
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(
        b.get("/admin/").await.status,
        StatusCode::OK,
        "29 idle minutes"
    );
    app.clock.advance(chrono::Duration::minutes(31));
    let p = b.get("/admin/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "31 idle minutes");
    assert_eq!(
        app.db.count("console_sessions").await,
        0,
        "the expired session is gone"
    );

    let mut b = admin(&app).await;
    for _ in 0..35 {
        app.clock.advance(chrono::Duration::minutes(20));
        assert_eq!(b.get("/admin/").await.status, StatusCode::OK);
    }
    // 12 hours after signing in, however busy.
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(b.get("/admin/").await.status, StatusCode::SEE_OTHER);
}

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
async fn lists_search_filter_sort_page_and_export_what_they_show() {
    let app = spawn_app().await;
    for i in 0..55 {
        app.register(&format!("user{i:02}")).await;
    }
    app.register_as("maker", "seller").await;
    let mut b = admin(&app).await;
    for slug in [
        "users",
        "provinces",
        "cities",
        "addresses",
        "categories",
        "products",
        "auctions",
        "bids",
        "listings",
        "orders",
        "order-items",
        "payments",
        "transfers",
        "feedbacks",
        "conversations",
        "messages",
        "notifications",
        "complaints",
        "payment-violations",
        "seller-profiles",
        "wishlist",
        "reviews",
        "carts",
        "cart-items",
    ] {
        let p = b.get(&format!("/admin/{slug}/?q=x&o=-id")).await;
        assert_eq!(p.status, StatusCode::OK, "{slug}");
        let csv = b.get(&format!("/admin/{slug}/export.csv")).await;
        assert_eq!(csv.status, StatusCode::OK, "{slug} export");
    }
    let seller = b.get("/admin/users/?role=seller").await;
    assert!(seller.text.contains("maker") && !seller.text.contains("user07"));
    let first = b.get("/admin/users/?o=username").await;
    assert!(
        first.text.contains("Page 1 of 2"),
        "57 users over pages of 50"
    );
    assert!(
        first.text.contains("maker")
            && first.text.contains("user47")
            && !first.text.contains("user48")
    );
    let second = b.get("/admin/users/?o=username&p=2").await;
    assert!(
        second.text.contains("user48")
            && second.text.contains("user54")
            && !second.text.contains("user47")
    );
    let csv = b.get("/admin/users/export.csv?q=user0").await;
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "username,email,role,blocked,failed_payments,orders,spent,joined,last_login"
    );
    assert_eq!(lines.len(), 11, "header and user00..user09");
    assert_eq!(
        b.get("/admin/nonsense/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/admin/users/999999/").await.status,
        StatusCode::NOT_FOUND
    );
    let orders = b.get("/admin/orders/export.csv").await;
    assert_eq!(
        orders.text.lines().next(),
        Some("number,buyer,seller,type,amount,status,date")
    );
}

#[tokio::test]
async fn edit_forms_save_through_the_api_rules() {
    let app = spawn_app().await;
    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    let cat = app
        .db
        .ids("SELECT id FROM categories ORDER BY id LIMIT 1")
        .await[0];
    let other = app
        .db
        .ids("SELECT id FROM categories ORDER BY id OFFSET 1 LIMIT 1")
        .await[0];
    assert_eq!(
        b.get(&format!("/admin/categories/{other}/")).await.status,
        StatusCode::OK
    );
    let other_name = hidden_name(
        &b.get(&format!("/admin/categories/{other}/edit/"))
            .await
            .text,
    );
    let path = format!("/admin/categories/{cat}/edit/");
    let p = b
        .post(
            &path,
            &[
                ("name", &other_name),
                ("description", ""),
                ("parent_id", ""),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.text.contains("aria-invalid=\"true\""),
        "the name field shows its error"
    );
    let p = b
        .post(
            &path,
            &[
                ("name", "Hand-block prints"),
                ("description", "Printed by hand"),
                ("parent_id", ""),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text);
    assert_eq!(
        app.db
            .count(&format!(
                "categories WHERE id = {cat} AND name = 'Hand-block prints'"
            ))
            .await,
        1
    );
    assert_eq!(app.db.count(&format!("audit_log WHERE entity = 'categories' AND entity_id = {cat} AND action = 'edit' AND outcome = 'done'")).await, 1);
    assert_eq!(
        app.db
            .count("audit_log WHERE outcome LIKE 'refused:%'")
            .await,
        1
    );
}

/// The name field's value in an edit form.
fn hidden_name(html: &str) -> String {
    let at = html.find("name=\"name\"").expect("a name field");
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].replace("&amp;", "&")
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

#[tokio::test]
async fn places_and_product_text_are_corrected_with_the_apis_rules() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("dyer", "seller").await;
    let product = app.product(&seller, "Ajrak shawl").await;
    let mut b = admin(&app).await;
    let csrf = b.csrf().await;
    let provinces = app
        .db
        .ids("SELECT id FROM provinces ORDER BY id LIMIT 2")
        .await;
    let (p1, p2) = (provinces[0], provinces[1]);
    let taken = hidden_name(&b.get(&format!("/admin/provinces/{p2}/edit/")).await.text);
    let dup = b
        .post(
            &format!("/admin/provinces/{p1}/edit/"),
            &[("name", &taken), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(dup.text.contains("province with this name already exists."));
    let blank = b
        .post(
            &format!("/admin/provinces/{p1}/edit/"),
            &[("name", "  "), ("csrf_token", &csrf)],
        )
        .await;
    assert!(blank.text.contains("This field may not be blank."));
    let ok = b
        .post(
            &format!("/admin/provinces/{p1}/edit/"),
            &[
                ("name", "Gilgit-Baltistan (renamed)"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.db
            .count(&format!(
                "provinces WHERE id = {p1} AND name = 'Gilgit-Baltistan (renamed)'"
            ))
            .await,
        1
    );

    let city = app
        .db
        .ids(&format!(
            "SELECT id FROM cities WHERE province_id = {p1} LIMIT 1"
        ))
        .await[0];
    let p2s = p2.to_string();
    let moved = b
        .post(
            &format!("/admin/cities/{city}/edit/"),
            &[
                ("name", "New Town"),
                ("province_id", &p2s),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    assert_eq!(
        app.db
            .count(&format!(
                "cities WHERE id = {city} AND province_id = {p2} AND name = 'New Town'"
            ))
            .await,
        1
    );

    let path = format!("/admin/products/{product}/edit/");
    let long = "x".repeat(300);
    let bad = b
        .post(
            &path,
            &[("name", &long), ("description", "d"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let good = b
        .post(
            &path,
            &[
                ("name", "Ajrak shawl, indigo"),
                ("description", "Block-printed in Bhit Shah"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text);
    assert_eq!(
        app.db
            .count(&format!(
                "products WHERE id = {product} AND name = 'Ajrak shawl, indigo'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.db
            .count("audit_log WHERE action = 'edit' AND outcome = 'done'")
            .await,
        3
    );
    assert_eq!(
        app.db
            .count("audit_log WHERE action = 'edit' AND outcome LIKE 'refused:%'")
            .await,
        3
    );
}

#[tokio::test]
async fn admin_api_changes_are_in_the_audit_log_too() {
    let app = spawn_app().await;
    let (_, user) = app.register("nadia").await;
    let admin = app.admin_token().await;
    let r = app
        .post(
            &format!("/api/admin/users/{user}/block/"),
            Some(&admin),
            serde_json::json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            "/api/admin/users/999999/unblock/",
            Some(&admin),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.db
            .count(&format!(
                "audit_log WHERE source = 'api' AND entity = 'users' AND entity_id = {user} AND action = 'block' \
                 AND outcome = 'done' AND after->>'is_blocked' = 'true'"
            ))
            .await,
        1
    );
    assert_eq!(
        app.db
            .count(
                "audit_log WHERE source = 'api' AND entity_id = 999999 AND outcome LIKE 'refused:%'"
            )
            .await,
        1
    );
    // A buyer's refused attempt is no operator's change.
    let (buyer, _) = app.register("mallory").await;
    app.post(
        &format!("/api/admin/users/{user}/unblock/"),
        Some(&buyer),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(app.db.count("audit_log").await, 2);
}
