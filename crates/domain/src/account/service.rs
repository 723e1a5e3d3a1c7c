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
use crate::account::token_session::client_label;
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
    pub(crate) users: U,
    pub(crate) tokens: T,
    pub(crate) hasher: H,
    pub(crate) limiter: L,
    pub(crate) clock: C,
    pub(crate) settings: AccountSettings,
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
        client: &str,
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
        let token = self.tokens.issue(user.id, client_label(client)).await?;
        Ok(Session { user, token })
    }

    /// Signs in by email and password, throttled per client address and, per address, on each
    /// account with a doubling wait.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client_ip: &str,
        client: &str,
    ) -> Result<Session, AccountError> {
        let user = self.check_credentials(email, password, client_ip).await?;
        let token = self.tokens.issue(user.id, client_label(client)).await?;
        Ok(Session { user, token })
    }

    /// The account these credentials open, under the same throttling as `login` (the console
    /// signs in through it), without issuing an API token.
    pub async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        client_ip: &str,
    ) -> Result<User, AccountError> {
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
        let ok = self.hasher.verify(password.to_owned(), hash.clone()).await;
        let Some(user) = user.filter(|_| ok) else {
            return Err(AccountError::InvalidCredentials);
        };
        self.limiter.reset(backoff_key).await?;
        if !self.hasher.is_current(&hash) {
            // An older scheme (a hash imported from the Django service): replaced by ours now
            // that the password is known. Best effort: a failure tries again next time.
            if let Ok(upgraded) = self.hasher.hash(password.to_owned()).await {
                let _ = self
                    .users
                    .upgrade_password_hash(user.id, hash, upgraded)
                    .await;
            }
        }
        if user.is_blocked {
            return Err(AccountError::Blocked);
        }
        Ok(user)
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
mod tests;
