//! The operator console over HTTP: who gets in, CSRF, session expiry, and what lists show.

mod common;

use common::console::{Browser, admin};
use common::{PASSWORD, spawn_app};
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;

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
    // The password alone opens nothing: an admin's first sign-in enrols a second factor.
    let enrol = b.sign_in("root@example.pk", PASSWORD).await;
    assert_eq!(enrol.status, StatusCode::OK);
    assert!(enrol.text.contains("Set up two-factor sign-in"));
    assert!(!b.cookies.iter().any(|(k, _)| k == "madeinpk_console"));
    assert_eq!(b.get("/admin/").await.status, StatusCode::SEE_OTHER);
    let secret = common::console::secret_shown(&enrol.text);
    let code = madeinpk_app::one_time_codes::code_at(&secret, chrono::Utc::now());
    let p = b.enter_code(&enrol, &code).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(common::console::recovery_codes_shown(&p.text).len(), 10);
    assert!(
        p.text
            .replace("&#x2f;", "/")
            .contains("href=\"/admin/users/\" id=\"continue\""),
        "continue goes to next"
    );
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
async fn the_date_drill_down_offers_only_periods_with_matching_rows() {
    let app = spawn_app().await;
    let (seller, _) = app.register_as("potter", "seller").await;
    let vase = app.product(&seller, "Blue Vase").await;
    let shawl = app.product(&seller, "Pashmina Shawl").await;
    app.product(&seller, "Clay Lamp").await;
    // Noon UTC, so the day is the same in the console's zone.
    app.db
        .execute(&format!(
            "UPDATE products SET created_at = '2024-06-15T12:00:00Z' WHERE id = {vase}"
        ))
        .await;
    app.db
        .execute(&format!(
            "UPDATE products SET created_at = '2023-02-03T12:00:00Z' WHERE id = {shawl}"
        ))
        .await;
    let mut b = admin(&app).await;
    let all = b.get("/admin/products/").await;
    let this_year = chrono::Utc::now().format("%Y").to_string();
    for year in ["2023", "2024", this_year.as_str()] {
        assert!(all.text.contains(&format!("year={year}")), "{year} offered");
    }
    // The search narrows the periods offered, not only the rows.
    let searched = b.get("/admin/products/?q=Vase").await;
    assert!(searched.text.contains("year=2024"));
    assert!(
        !searched.text.contains("year=2023")
            && !searched.text.contains(&format!("year={this_year}"))
    );
    // A year: its rows and the months that have some.
    let year = b.get("/admin/products/?year=2024").await;
    assert!(year.text.contains("Blue Vase") && !year.text.contains("Clay Lamp"));
    assert!(year.text.contains(">June<") && !year.text.contains(">February<"));
    let month = b.get("/admin/products/?year=2024&month=6").await;
    assert!(month.text.contains("day=15") && !month.text.contains("day=3&"));
    let empty = b.get("/admin/products/?year=2024&q=Lamp").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!empty.text.contains("month=") && !empty.text.contains("Clay Lamp"));
}

#[tokio::test]
async fn each_console_sign_in_emails_the_admin_and_a_failed_one_does_not() {
    let app = spawn_app().await;
    let signed_in = |app: &common::TestApp| {
        app.mail_to("root@example.pk")
            .into_iter()
            .filter(|m| m.contains("New sign-in to the MadeInPK administration site"))
            .collect::<Vec<_>>()
    };
    let first = admin(&app).await;
    app.run_jobs().await;
    let mails = signed_in(&app);
    assert_eq!(mails.len(), 1, "one email per sign-in");
    assert!(mails[0].contains("127.0.0.1"), "it says where from");
    let mut wrong = Browser::new(&app);
    let p = wrong.sign_in("root@example.pk", "Wrong-password-1").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    let mut again = Browser::new(&app);
    again.secret = first.secret.clone();
    let p = again.sign_in_with_code("root@example.pk", 30).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text);
    app.run_jobs().await;
    assert_eq!(signed_in(&app).len(), 2, "the failed attempt sent nothing");
}

#[tokio::test]
async fn an_enrolled_admin_needs_a_fresh_code_and_wrong_codes_keep_the_door_shut() {
    let app = spawn_app().await;
    // A wrong first code shows the same secret again and enrols nothing.
    app.admin_token().await;
    let mut b = Browser::new(&app);
    let enrol = b.sign_in("root@example.pk", PASSWORD).await;
    let secret = common::console::secret_shown(&enrol.text);
    let code = madeinpk_app::one_time_codes::code_at(&secret, chrono::Utc::now());
    let wrong: String = code
        .chars()
        .map(|c| char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap())
        .collect();
    let refused = b.enter_code(&enrol, &wrong).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("Invalid or expired code."));
    assert_eq!(common::console::secret_shown(&refused.text), secret);
    assert!(!b.cookies.iter().any(|(k, _)| k == "madeinpk_console"));
    let done = b.enter_code(&refused, &code).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let recovery = common::console::recovery_codes_shown(&done.text);
    assert_eq!(b.get("/admin/").await.status, StatusCode::OK);

    // Next time: a code page with no secret on it; the enrolment's code is spent.
    let mut next = Browser::new(&app);
    let ask = next.sign_in("root@example.pk", PASSWORD).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        !ask.text.contains("totp-secret"),
        "the secret is shown at enrolment only"
    );
    let replay = next.enter_code(&ask, &code).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    let by_recovery = next.enter_code(&replay, &recovery[0]).await;
    assert_eq!(
        by_recovery.status,
        StatusCode::SEE_OTHER,
        "{}",
        by_recovery.text
    );
    assert_eq!(next.get("/admin/").await.status, StatusCode::OK);

    // A forged challenge goes back to the password.
    let mut forged = Browser::new(&app);
    let ask = forged.sign_in("root@example.pk", PASSWORD).await;
    let page = common::console::Page {
        text: ask
            .text
            .replace(&common::console::hidden(&ask.text, "challenge"), "forged"),
        ..ask
    };
    let back = forged.enter_code(&page, &recovery[1]).await;
    assert_eq!(back.status, StatusCode::BAD_REQUEST);
    assert!(back.text.contains("Please sign in again"));
    assert!(!forged.cookies.iter().any(|(k, _)| k == "madeinpk_console"));

    // The API asks an enrolled admin for a code too.
    let api = app.login("root@example.pk", PASSWORD).await;
    assert_eq!(api.body["two_factor_required"], true, "{}", api.text);
}

#[tokio::test]
async fn a_second_sign_in_during_enrolment_sees_and_confirms_only_its_own_secret() {
    let app = spawn_app().await;
    app.admin_token().await;
    // Someone with the password opens an enrolment, then the admin signs in too.
    let mut other = Browser::new(&app);
    let theirs = other.sign_in("root@example.pk", PASSWORD).await;
    let their_secret = common::console::secret_shown(&theirs.text);
    let mut admin = Browser::new(&app);
    let mine = admin.sign_in("root@example.pk", PASSWORD).await;
    let my_secret = common::console::secret_shown(&mine.text);
    assert_ne!(their_secret, my_secret);
    // A wrong code on the first page shows that page's secret again, never the admin's.
    let their_code = madeinpk_app::one_time_codes::code_at(&their_secret, chrono::Utc::now());
    let wrong: String = their_code
        .chars()
        .map(|c| char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap())
        .collect();
    let again = other.enter_code(&theirs, &wrong).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(!again.text.contains(&my_secret));
    let now = chrono::Utc::now();
    // The first page's secret was replaced: its code enrols nothing.
    let code = madeinpk_app::one_time_codes::code_at(&their_secret, now);
    assert_eq!(
        other.enter_code(&again, &code).await.status,
        StatusCode::BAD_REQUEST
    );
    // The admin's own page enrols the admin's secret.
    let code = madeinpk_app::one_time_codes::code_at(&my_secret, now);
    let done = admin.enter_code(&mine, &code).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(
        app.db
            .count(&format!(
                "two_factor WHERE enabled_at IS NOT NULL AND secret = '{my_secret}'"
            ))
            .await,
        1
    );
}
