//! Tests of `rules`.

use super::*;

fn reg() -> Registration {
    Registration {
        username: "ali_khan".into(),
        email: "Ali@Example.PK".into(),
        password: "s3cure-pass".into(),
        password_confirm: "s3cure-pass".into(),
        ..Registration::default()
    }
}

#[test]
fn accepts_a_good_registration_and_lowercases_the_domain() {
    let v = validate_registration(&reg()).unwrap();
    assert_eq!(v.email, "Ali@example.pk");
    assert_eq!(v.role, Role::Buyer);
}

#[test]
fn refuses_admin_role() {
    let mut r = reg();
    r.role = Some("admin".into());
    let e = validate_registration(&r).unwrap_err();
    assert_eq!(e.get("role").unwrap(), ["\"admin\" is not a valid choice."]);
}

#[test]
fn accepts_seller_roles() {
    for role in ["seller", "both", "buyer"] {
        let mut r = reg();
        r.role = Some(role.into());
        assert_eq!(validate_registration(&r).unwrap().role.as_str(), role);
    }
}

#[test]
fn password_rules() {
    let mut r = reg();
    r.password = "short".into();
    r.password_confirm = "short".into();
    assert_eq!(
        validate_registration(&r)
            .unwrap_err()
            .get("password")
            .unwrap(),
        ["Ensure this field has at least 8 characters."]
    );
    r.password = "12345678".into();
    let e = validate_registration(&r).unwrap_err();
    let m = e.get("password").unwrap();
    assert!(m.contains(&"This password is too common.".to_string()));
    assert!(m.contains(&"This password is entirely numeric.".to_string()));
    r.password = "ali_khan99".into();
    assert_eq!(
        validate_registration(&r)
            .unwrap_err()
            .get("password")
            .unwrap(),
        ["The password is too similar to the username."]
    );
}

#[test]
fn mismatch_is_non_field_and_only_after_fields_pass() {
    let mut r = reg();
    r.password_confirm = "other-pass".into();
    assert_eq!(
        validate_registration(&r)
            .unwrap_err()
            .get("non_field_errors")
            .unwrap(),
        ["Passwords do not match"]
    );
    r.username = "bad name!".into();
    let e = validate_registration(&r).unwrap_err();
    assert!(e.has("username"));
    assert!(!e.has("non_field_errors"));
}

#[test]
fn username_and_lengths() {
    let mut r = reg();
    r.username = "x".repeat(151);
    r.phone_number = "1".repeat(16);
    let e = validate_registration(&r).unwrap_err();
    assert_eq!(
        e.get("username").unwrap(),
        ["Ensure this field has no more than 150 characters."]
    );
    assert_eq!(
        e.get("phone_number").unwrap(),
        ["Ensure this field has no more than 15 characters."]
    );
}

#[test]
fn backoff_waits_after_the_free_attempts_doubling_up_to_the_cap() {
    let b = LoginPolicy {
        per_account: 3,
        backoff_secs: 30,
        backoff_max_secs: 200,
        ..LoginPolicy::default()
    }
    .backoff();
    let waits: Vec<u64> = (1..=8).map(|n| b.wait_after(n).as_secs()).collect();
    assert_eq!(waits, [0, 0, 30, 60, 120, 200, 200, 200]);
    assert_eq!(b.wait_after(u32::MAX), Duration::from_secs(200));
}

#[test]
fn backoff_without_free_attempts_waits_from_the_first() {
    let b = Backoff {
        free: 0,
        first: Duration::from_secs(1),
        max: Duration::from_secs(8),
        forget_after: FORGET_FAILURES_AFTER,
    };
    assert_eq!(b.wait_after(1), Duration::from_secs(1));
    assert_eq!(b.wait_after(2), Duration::from_secs(2));
    assert_eq!(b.wait_after(9), Duration::from_secs(8));
}

#[test]
fn a_cap_below_the_first_wait_is_raised_to_it() {
    let b = LoginPolicy {
        backoff_secs: 60,
        backoff_max_secs: 10,
        ..LoginPolicy::default()
    }
    .backoff();
    assert_eq!(b.max, Duration::from_mins(1));
}

#[test]
fn ipv6_clients_are_throttled_by_their_64() {
    assert_eq!(
        throttle_subject("2001:db8:1:2:aaaa::1"),
        throttle_subject("2001:db8:1:2:bbbb::2")
    );
    assert_ne!(
        throttle_subject("2001:db8:1:2::1"),
        throttle_subject("2001:db8:1:3::1")
    );
    assert_eq!(throttle_subject("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    assert_eq!(throttle_subject("::ffff:10.0.0.7"), "10.0.0.7");
    assert_eq!(throttle_subject("10.0.0.7"), "10.0.0.7");
    assert_eq!(throttle_subject("unknown"), "unknown");
}

#[test]
fn seller_application_website() {
    let app = SellerApplication {
        website: "not a url".into(),
        ..Default::default()
    };
    assert_eq!(
        app.check_fields().unwrap_err().get("website").unwrap(),
        ["Enter a valid URL."]
    );
    let app = SellerApplication {
        website: String::new(),
        ..Default::default()
    };
    assert!(app.check_fields().is_ok());
}
