//! Registration, login, tokens, profile and becoming a seller.

use std::time::Duration;

use crate::account::ports::{
    AddressRepository, PasswordHasher, RateLimiter, TokenStore, UserRepository,
};
use crate::account::rules::{
    AccountError, BackoffStore, LoginPolicy, NewUserRecord, ProfileChanges, RegisterPolicy,
    Registration, SellerApplication, UserWriteError, seller_refusal, taken_errors,
    throttle_subject, validate_registration,
};
use crate::account::user::{ProfileStats, Role, SellerProfile, User};
use crate::clock::Clock;
use crate::notification::email::EmailMessage;
use crate::notification::model::{NewNotification, NotificationType, texts};
use crate::outbox::Outbox;
use crate::validation::FieldErrors;

/// Account settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSettings {
    /// Login throttling.
    pub login: LoginPolicy,
    /// Registration throttling.
    pub register: RegisterPolicy,
    /// Tokens unused this long expire.
    pub token_idle: Duration,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            login: LoginPolicy::default(),
            register: RegisterPolicy::default(),
            token_idle: Duration::from_hours(30 * 24),
        }
    }
}

/// A signed-in session: the user and the key shown to them once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub user: User,
    /// The plain token key.
    pub token: String,
}

/// What the caller's profile page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileView {
    /// The user.
    pub user: User,
    /// Figures.
    pub stats: ProfileStats,
    /// Seller profile, if any.
    pub seller_profile: Option<SellerProfile>,
}

/// Whether the caller can still become a seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerEligibility {
    /// True for buyers without a profile.
    pub can_become_seller: bool,
    /// Current role.
    pub current_role: Role,
    /// A profile exists.
    pub has_seller_profile: bool,
}

/// The accounts use cases.
pub struct Accounts<U, T, H, L, C> {
    users: U,
    tokens: T,
    hasher: H,
    limiter: L,
    clock: C,
    settings: AccountSettings,
}

fn write_error(e: UserWriteError) -> AccountError {
    match e {
        UserWriteError::Duplicate(field) => AccountError::Validation(taken_errors(&[field])),
        UserWriteError::Store(s) => AccountError::Store(s),
    }
}

impl<U, T, H, L, C> Accounts<U, T, H, L, C>
where
    U: UserRepository,
    T: TokenStore,
    H: PasswordHasher,
    L: RateLimiter + BackoffStore,
    C: Clock,
{
    /// Wires the service.
    pub fn new(
        users: U,
        tokens: T,
        hasher: H,
        limiter: L,
        clock: C,
        settings: AccountSettings,
    ) -> Self {
        Self {
            users,
            tokens,
            hasher,
            limiter,
            clock,
            settings,
        }
    }

    /// Registers a user, queues the welcome notice and email, and signs them in; throttled per
    /// client address, since a refusal says whether an email is registered.
    pub async fn register(
        &self,
        registration: Registration,
        client_ip: &str,
    ) -> Result<Session, AccountError> {
        let policy = self.settings.register;
        // Counted before anything is checked, so every probe for a registered email costs one.
        if policy.per_ip > 0
            && let Some(retry_after_secs) = self
                .limiter
                .hit(
                    format!("register:ip:{}", throttle_subject(client_ip)),
                    policy.per_ip,
                    Duration::from_secs(policy.window_secs),
                )
                .await?
        {
            return Err(AccountError::Throttled { retry_after_secs });
        }
        let valid = validate_registration(&registration)?;
        let taken = self
            .users
            .taken(
                Some(valid.username.clone()),
                Some(valid.email.clone()),
                None,
            )
            .await?;
        if !taken.is_empty() {
            return Err(AccountError::Validation(taken_errors(&taken)));
        }
        let password_hash = self.hasher.hash(valid.password.clone()).await?;
        let record = NewUserRecord {
            username: valid.username,
            email: valid.email,
            password_hash,
            first_name: valid.first_name,
            last_name: valid.last_name,
            phone_number: valid.phone_number,
            role: valid.role,
            with_seller_profile: valid.role.can_sell(),
        };
        let user = self
            .users
            .create(
                record,
                Box::new(|user: &User| {
                    Outbox::new().notify_by_email(
                        NewNotification::new(
                            user.id,
                            NotificationType::General,
                            texts::WELCOME_TITLE,
                            texts::WELCOME_MESSAGE,
                        ),
                        user.email.clone(),
                        EmailMessage::Welcome {
                            username: user.username.clone(),
                        },
                    )
                }),
            )
            .await
            .map_err(write_error)?;
        let token = self.tokens.issue(user.id).await?;
        Ok(Session { user, token })
    }

    /// Signs in by email and password, throttled per client address and, per address, on each
    /// account with a doubling wait.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client_ip: &str,
    ) -> Result<Session, AccountError> {
        let policy = self.settings.login;
        let client = throttle_subject(client_ip);
        if let Some(retry_after_secs) = self
            .limiter
            .hit(
                format!("login:ip:{client}"),
                policy.per_ip,
                Duration::from_secs(policy.window_secs),
            )
            .await?
        {
            return Err(AccountError::Throttled { retry_after_secs });
        }
        // Nothing to look up (and nothing a key or query could hold: no address is longer than
        // 254 bytes, and the throttle's key must fit its index).
        if email.trim().is_empty()
            || email.len() > 254
            || password.is_empty()
            || email.contains('\0')
            || password.contains('\0')
        {
            return Err(AccountError::InvalidCredentials);
        }
        // Attempts are counted per client address and account, so only the guesser waits, even
        // with the right password, while the owner signing in from elsewhere never does. There is
        // deliberately no per-account ceiling: any limit that refused the right password would let
        // anyone who knows an email lock its owner out; guessing from many addresses is slowed by
        // each address's own backoff and per-address budget instead. Counted before the password
        // is checked, so parallel guesses cannot slip past the limit; a success forgets them.
        let backoff_key = format!("login:backoff:{client} {}", email.trim().to_lowercase());
        if let Some(retry_after_secs) = self
            .limiter
            .attempt(backoff_key.clone(), policy.backoff())
            .await?
        {
            return Err(AccountError::Throttled { retry_after_secs });
        }
        let found = self.users.find_credentials(email.trim().to_owned()).await?;
        // Verify even for unknown emails (against an unparsable hash the adapter replaces with a
        // dummy) so response time does not reveal which emails exist.
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, String::new()),
        };
        let ok = self.hasher.verify(password.to_owned(), hash).await;
        let Some(user) = user.filter(|_| ok) else {
            return Err(AccountError::InvalidCredentials);
        };
        self.limiter.reset(backoff_key).await?;
        if user.is_blocked {
            return Err(AccountError::Blocked);
        }
        let token = self.tokens.issue(user.id).await?;
        Ok(Session { user, token })
    }

    /// Revokes the token the caller used.
    pub async fn logout(&self, token: &str) -> Result<(), AccountError> {
        Ok(self.tokens.revoke(token.to_owned()).await?)
    }

    /// The user a token belongs to, if it is valid and not idle too long.
    pub async fn authenticate(&self, token: &str) -> Result<Option<User>, AccountError> {
        Ok(self
            .tokens
            .authenticate(token.to_owned(), self.clock.now(), self.settings.token_idle)
            .await?)
    }

    /// The caller's profile page.
    pub async fn profile(&self, user: &User) -> Result<ProfileView, AccountError> {
        let fresh = self
            .users
            .find(user.id)
            .await?
            .ok_or(AccountError::NotFound)?;
        let stats = self.users.stats(user.id).await?;
        let seller_profile = self.users.seller_profile(user.id).await?;
        Ok(ProfileView {
            user: fresh,
            stats,
            seller_profile,
        })
    }

    /// Updates the caller's own profile (role and flags are not writable here).
    pub async fn update_profile(
        &self,
        user: &User,
        changes: ProfileChanges,
    ) -> Result<ProfileView, AccountError> {
        let changes = changes.validated()?;
        let username = changes.username.clone().filter(|u| *u != user.username);
        let email = changes
            .email
            .clone()
            .filter(|e| !e.eq_ignore_ascii_case(&user.email));
        if username.is_some() || email.is_some() {
            let taken = self.users.taken(username, email, Some(user.id)).await?;
            if !taken.is_empty() {
                return Err(AccountError::Validation(taken_errors(&taken)));
            }
        }
        self.users
            .update_profile(user.id, changes)
            .await
            .map_err(write_error)?;
        self.profile(user).await
    }

    /// Whether the caller may become a seller.
    pub async fn seller_eligibility(&self, user: &User) -> Result<SellerEligibility, AccountError> {
        let has_seller_profile = self.users.seller_profile(user.id).await?.is_some();
        Ok(SellerEligibility {
            can_become_seller: user.role == Role::Buyer && !has_seller_profile,
            current_role: user.role,
            has_seller_profile,
        })
    }

    /// Gives a buyer selling rights and a seller profile; admins keep their role.
    pub async fn become_seller<A: AddressRepository>(
        &self,
        addresses: &A,
        user: &User,
        application: SellerApplication,
    ) -> Result<(User, SellerProfile), AccountError> {
        application.check_fields()?;
        if user.role.can_sell() {
            return Err(FieldErrors::non_field(seller_refusal::ALREADY_SELLER).into());
        }
        if self.users.seller_profile(user.id).await?.is_some() {
            return Err(FieldErrors::non_field(seller_refusal::PROFILE_EXISTS).into());
        }
        if let Some(address) = application.business_address_id
            && addresses.get(user.id, address).await?.is_none()
        {
            return Err(FieldErrors::non_field(seller_refusal::BAD_ADDRESS).into());
        }
        let outbox = Outbox::new().notify_by_email(
            NewNotification::new(
                user.id,
                NotificationType::General,
                texts::SELLER_TITLE,
                texts::SELLER_MESSAGE,
            ),
            user.email.clone(),
            EmailMessage::Notice {
                username: user.username.clone(),
                title: texts::SELLER_TITLE.into(),
                message: texts::SELLER_MESSAGE.into(),
            },
        );
        let grant = user.role == Role::Buyer;
        self.users
            .create_seller_profile(user.id, application, grant, outbox)
            .await?
            .ok_or_else(|| FieldErrors::non_field(seller_refusal::PROFILE_EXISTS).into())
    }
}

#[cfg(test)]
mod tests {
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
            .returning(|_| Box::pin(ready(Ok("KEY".to_string()))));
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
            )
            .await
            .unwrap();
        assert_eq!(s.token, "KEY");
    }

    #[tokio::test]
    async fn register_reports_taken_fields() {
        let mut users = MockUserRepository::new();
        users.expect_taken().returning(|_, _, _| {
            Box::pin(ready(Ok(vec![crate::account::rules::UniqueField::Email])))
        });
        users.expect_create().never();
        let svc = service(
            users,
            MockTokenStore::new(),
            MockPasswordHasher::new(),
            open_limiter(),
        );
        let err = svc.register(registration(), "1.2.3.4").await.unwrap_err();
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
        let mut tokens = MockTokenStore::new();
        tokens.expect_issue().never();
        let svc = service(users, tokens, hasher, open_limiter());
        assert_eq!(
            svc.login("ali@example.pk", "pw-12345678", "1.2.3.4")
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
            svc.login(" Nobody@Example.pk", "whatever-1", "1.2.3.4")
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
            svc.login("a@b.pk", "x", "9.9.9.9").await.unwrap_err(),
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
        let mut tokens = MockTokenStore::new();
        tokens
            .expect_issue()
            .times(1)
            .returning(|_| Box::pin(ready(Ok("KEY".to_string()))));
        let limiter = FakeLimiter {
            waiting: vec!["login:backoff:6.6.6.6 ali@example.pk".into()],
            ..FakeLimiter::default()
        };
        let svc = service(users, tokens, hasher, limiter.clone());
        assert_eq!(
            svc.login("Ali@Example.pk", "pw-12345678", "6.6.6.6")
                .await
                .unwrap_err(),
            AccountError::Throttled {
                retry_after_secs: 42
            }
        );
        let session = svc
            .login("ali@example.pk", "pw-12345678", "1.2.3.4")
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
            svc.register(registration(), "6.6.6.6").await.unwrap_err(),
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
            svc.register(invalid, "1.2.3.4").await.unwrap_err(),
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
        users.expect_taken().returning(|_, _, _| {
            Box::pin(ready(Ok(vec![crate::account::rules::UniqueField::Email])))
        });
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
            svc.register(registration(), "6.6.6.6").await.unwrap_err(),
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
}
