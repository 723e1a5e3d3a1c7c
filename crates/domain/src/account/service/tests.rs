//! Tests of `service`.

use super::*;
use crate::fixtures;

fn user(role: Role, blocked: bool) -> User {
    User {
        id: UserId(7),
        username: "ali".into(),
        email: "ali@example.pk".into(),
        is_blocked: blocked,
        ..fixtures::user(7, role)
    }
}
use crate::account::ports::{
    MockAddressRepository, MockPasswordHasher, MockTokenStore, MockUserRepository,
};
use crate::account::rules::Backoff;
use crate::clock::FixedClock;
use crate::ids::UserId;
use crate::store::StoreError;
use chrono::{TimeZone, Utc};
use std::future::ready;
use std::sync::{Arc, Mutex};

/// A limiter that refuses the listed keys (42 s to wait) and records every call; clones
/// share the record, so a test keeps one while the service owns the other.
#[derive(Clone, Default)]
struct FakeLimiter {
    /// Keys whose `hit` is over the limit.
    full: Vec<String>,
    /// Keys whose `attempt` must still wait.
    waiting: Vec<String>,
    calls: Arc<Mutex<Vec<String>>>,
}

impl FakeLimiter {
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn answer(&self, refused: &[String], call: &str, key: String) -> Option<u64> {
        let verdict = refused.contains(&key).then_some(42);
        self.calls.lock().unwrap().push(format!("{call} {key}"));
        verdict
    }
}

impl RateLimiter for FakeLimiter {
    async fn hit(
        &self,
        key: String,
        _limit: u32,
        _window: Duration,
    ) -> Result<Option<u64>, StoreError> {
        Ok(self.answer(&self.full, "hit", key))
    }

    async fn reset(&self, key: String) -> Result<(), StoreError> {
        self.calls.lock().unwrap().push(format!("reset {key}"));
        Ok(())
    }
}

impl BackoffStore for FakeLimiter {
    async fn attempt(&self, key: String, _backoff: Backoff) -> Result<Option<u64>, StoreError> {
        Ok(self.answer(&self.waiting, "attempt", key))
    }
}

type Svc =
    Accounts<MockUserRepository, MockTokenStore, MockPasswordHasher, FakeLimiter, FixedClock>;

fn service(
    users: MockUserRepository,
    tokens: MockTokenStore,
    hasher: MockPasswordHasher,
    limiter: FakeLimiter,
) -> Svc {
    service_with(AccountSettings::default(), users, tokens, hasher, limiter)
}

fn service_with(
    settings: AccountSettings,
    users: MockUserRepository,
    tokens: MockTokenStore,
    hasher: MockPasswordHasher,
    limiter: FakeLimiter,
) -> Svc {
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap());
    Accounts::new(users, tokens, hasher, limiter, clock, settings)
}

fn open_limiter() -> FakeLimiter {
    FakeLimiter::default()
}

fn registration() -> Registration {
    Registration {
        username: "ali".into(),
        email: "ali@example.pk".into(),
        password: "Strong-pass-1".into(),
        password_confirm: "Strong-pass-1".into(),
        ..Registration::default()
    }
}

#[tokio::test]
async fn register_creates_user_with_welcome_outbox_and_token() {
    let mut users = MockUserRepository::new();
    users
        .expect_taken()
        .returning(|_, _, _| Box::pin(ready(Ok(vec![]))));
    users.expect_create().returning(|record, outbox| {
        assert_eq!(record.role, Role::Seller);
        assert!(record.with_seller_profile);
        assert_eq!(record.password_hash, "HASH");
        let mut u = user(record.role, false);
        u.email = record.email;
        let out = outbox(&u);
        assert_eq!(out.notices.len(), 1);
        assert_eq!(out.notices[0].notification.title, texts::WELCOME_TITLE);
        assert!(matches!(out.notices[0].email, Some((ref to, EmailMessage::Welcome { .. })) if to == "ali@example.pk"));
        Box::pin(ready(Ok(u)))
    });
    let mut tokens = MockTokenStore::new();
    tokens
        .expect_issue()
        .times(1)
        .returning(|_, _| Box::pin(ready(Ok("KEY".to_string()))));
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_hash()
        .returning(|_| Box::pin(ready(Ok("HASH".to_string()))));
    let svc = service(users, tokens, hasher, open_limiter());
    let s = svc
        .register(
            Registration {
                email: "ali@EXAMPLE.pk".into(),
                role: Some("seller".into()),
                ..registration()
            },
            "1.2.3.4",
            "test-client",
        )
        .await
        .unwrap();
    assert_eq!(s.token, "KEY");
}

#[tokio::test]
async fn register_reports_taken_fields() {
    let mut users = MockUserRepository::new();
    users
        .expect_taken()
        .returning(|_, _, _| Box::pin(ready(Ok(vec![crate::account::rules::UniqueField::Email]))));
    users.expect_create().never();
    let svc = service(
        users,
        MockTokenStore::new(),
        MockPasswordHasher::new(),
        open_limiter(),
    );
    let err = svc
        .register(registration(), "1.2.3.4", "test-client")
        .await
        .unwrap_err();
    let AccountError::Validation(e) = err else {
        panic!("expected validation")
    };
    assert_eq!(
        e.get("email").unwrap(),
        ["user with this email already exists."]
    );
}

#[tokio::test]
async fn blocked_user_with_right_password_is_refused_without_token() {
    let mut users = MockUserRepository::new();
    users
        .expect_find_credentials()
        .returning(|_| Box::pin(ready(Ok(Some((user(Role::Buyer, true), "H".to_string()))))));
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_verify()
        .returning(|_, _| Box::pin(ready(true)));
    hasher.expect_is_current().return_const(true);
    let mut tokens = MockTokenStore::new();
    tokens.expect_issue().never();
    let svc = service(users, tokens, hasher, open_limiter());
    assert_eq!(
        svc.login("ali@example.pk", "pw-12345678", "1.2.3.4", "test-client")
            .await
            .unwrap_err(),
        AccountError::Blocked
    );
}

#[tokio::test]
async fn wrong_password_counts_a_failure_and_unknown_email_still_verifies() {
    let mut users = MockUserRepository::new();
    users
        .expect_find_credentials()
        .returning(|_| Box::pin(ready(Ok(None))));
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_verify().times(1).returning(|_, h| {
        assert!(h.is_empty());
        Box::pin(ready(false))
    });
    let limiter = FakeLimiter::default();
    let svc = service(users, MockTokenStore::new(), hasher, limiter.clone());
    assert_eq!(
        svc.login(" Nobody@Example.pk", "whatever-1", "1.2.3.4", "test-client")
            .await
            .unwrap_err(),
        AccountError::InvalidCredentials
    );
    // One hit for the address, one attempt for the address on that account; a failure
    // never resets the count.
    assert_eq!(
        limiter.calls(),
        [
            "hit login:ip:1.2.3.4",
            "attempt login:backoff:1.2.3.4 nobody@example.pk"
        ]
    );
}

#[tokio::test]
async fn throttled_ip_never_reaches_the_password_check() {
    let limiter = FakeLimiter {
        full: vec!["login:ip:9.9.9.9".into()],
        ..FakeLimiter::default()
    };
    let mut users = MockUserRepository::new();
    users.expect_find_credentials().never();
    let svc = service(
        users,
        MockTokenStore::new(),
        MockPasswordHasher::new(),
        limiter,
    );
    assert_eq!(
        svc.login("a@b.pk", "x", "9.9.9.9", "test-client")
            .await
            .unwrap_err(),
        AccountError::Throttled {
            retry_after_secs: 42
        }
    );
}

#[tokio::test]
async fn a_client_in_backoff_waits_even_with_the_right_password_and_the_owner_does_not() {
    let mut users = MockUserRepository::new();
    // Only the owner's attempt reaches the password check.
    users
        .expect_find_credentials()
        .times(1)
        .returning(|_| Box::pin(ready(Ok(Some((user(Role::Buyer, false), "H".to_string()))))));
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_verify()
        .times(1)
        .returning(|_, _| Box::pin(ready(true)));
    hasher.expect_is_current().return_const(true);
    let mut tokens = MockTokenStore::new();
    tokens
        .expect_issue()
        .withf(|_, client| client == "test-client")
        .times(1)
        .returning(|_, _| Box::pin(ready(Ok("KEY".to_string()))));
    let limiter = FakeLimiter {
        waiting: vec!["login:backoff:6.6.6.6 ali@example.pk".into()],
        ..FakeLimiter::default()
    };
    let svc = service(users, tokens, hasher, limiter.clone());
    assert_eq!(
        svc.login("Ali@Example.pk", "pw-12345678", "6.6.6.6", "test-client")
            .await
            .unwrap_err(),
        AccountError::Throttled {
            retry_after_secs: 42
        }
    );
    let session = svc
        .login("ali@example.pk", "pw-12345678", "1.2.3.4", "test-client")
        .await
        .unwrap();
    assert_eq!(session.token, "KEY");
    // The owner's success forgets only the owner's own count, not the guesser's.
    let resets: Vec<String> = limiter
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("reset "))
        .collect();
    assert_eq!(resets, ["reset login:backoff:1.2.3.4 ali@example.pk"]);
}

#[tokio::test]
async fn registration_is_counted_per_address_before_anything_is_checked() {
    let mut users = MockUserRepository::new();
    users.expect_taken().never();
    users.expect_create().never();
    let limiter = FakeLimiter {
        full: vec!["register:ip:6.6.6.6".into()],
        ..FakeLimiter::default()
    };
    let svc = service(
        users,
        MockTokenStore::new(),
        MockPasswordHasher::new(),
        limiter.clone(),
    );
    assert_eq!(
        svc.register(registration(), "6.6.6.6", "test-client")
            .await
            .unwrap_err(),
        AccountError::Throttled {
            retry_after_secs: 42
        }
    );
    // Even a registration that fails validation costs an attempt.
    let invalid = Registration {
        password_confirm: "other".into(),
        ..registration()
    };
    assert!(matches!(
        svc.register(invalid, "1.2.3.4", "test-client")
            .await
            .unwrap_err(),
        AccountError::Validation(_)
    ));
    assert_eq!(
        limiter.calls(),
        ["hit register:ip:6.6.6.6", "hit register:ip:1.2.3.4"]
    );
}

#[tokio::test]
async fn registration_without_a_bound_counts_nothing() {
    let mut users = MockUserRepository::new();
    users
        .expect_taken()
        .returning(|_, _, _| Box::pin(ready(Ok(vec![crate::account::rules::UniqueField::Email]))));
    let settings = AccountSettings {
        register: RegisterPolicy {
            per_ip: 0,
            window_secs: 3600,
        },
        ..AccountSettings::default()
    };
    let limiter = FakeLimiter {
        full: vec!["register:ip:6.6.6.6".into()],
        ..FakeLimiter::default()
    };
    let svc = service_with(
        settings,
        users,
        MockTokenStore::new(),
        MockPasswordHasher::new(),
        limiter.clone(),
    );
    assert!(matches!(
        svc.register(registration(), "6.6.6.6", "test-client")
            .await
            .unwrap_err(),
        AccountError::Validation(_)
    ));
    assert!(limiter.calls().is_empty());
}

#[tokio::test]
async fn become_seller_refusals_in_order() {
    let mut users = MockUserRepository::new();
    users
        .expect_seller_profile()
        .returning(|_| Box::pin(ready(Ok(None))));
    users.expect_create_seller_profile().never();
    let mut addresses = MockAddressRepository::new();
    addresses
        .expect_get()
        .returning(|_, _| Box::pin(ready(Ok(None))));
    let svc = service(
        users,
        MockTokenStore::new(),
        MockPasswordHasher::new(),
        open_limiter(),
    );
    let err = svc
        .become_seller(
            &addresses,
            &user(Role::Both, false),
            SellerApplication::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AccountError::Validation(FieldErrors::non_field(seller_refusal::ALREADY_SELLER))
    );
    let app = SellerApplication {
        business_address_id: Some(crate::ids::AddressId(99)),
        ..Default::default()
    };
    let err = svc
        .become_seller(&addresses, &user(Role::Buyer, false), app)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AccountError::Validation(FieldErrors::non_field(seller_refusal::BAD_ADDRESS))
    );
}

#[tokio::test]
async fn a_right_password_replaces_an_older_scheme_hash_once_known() {
    let mut users = MockUserRepository::new();
    users.expect_find_credentials().returning(|_| {
        Box::pin(ready(Ok(Some((
            user(Role::Buyer, false),
            "pbkdf2_sha256$1000000$salt$old".to_string(),
        )))))
    });
    users
        .expect_upgrade_password_hash()
        .withf(|_, old, new| old == "pbkdf2_sha256$1000000$salt$old" && new == "$argon2id$new")
        .times(1)
        .returning(|_, _, _| Box::pin(ready(Ok(()))));
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_verify()
        .returning(|_, _| Box::pin(ready(true)));
    hasher
        .expect_is_current()
        .returning(|h| h.starts_with("$argon2id$"));
    hasher
        .expect_hash()
        .withf(|p| p == "pw-12345678")
        .times(1)
        .returning(|_| Box::pin(ready(Ok("$argon2id$new".to_string()))));
    let svc = service(users, MockTokenStore::new(), hasher, open_limiter());
    let user = svc
        .check_credentials("ali@example.pk", "pw-12345678", "1.2.3.4")
        .await
        .unwrap();
    assert!(!user.is_blocked);
}
