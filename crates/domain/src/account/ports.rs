//! Ports of the account feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::account::address::{Address, AddressInput, AddressQuery, Removal};
use crate::account::rules::{
    NewUserRecord, ProfileChanges, SellerApplication, UniqueField, UserWriteError,
};
use crate::account::user::{ProfileStats, SellerProfile, User};
use crate::ids::{AddressId, UserId};
use crate::outbox::Outbox;
use crate::page::{Page, PageRequest};
use crate::store::StoreError;

/// Builds the outbox of a new user once its id is known.
pub type UserOutbox = Box<dyn FnOnce(&User) -> Outbox + Send>;

/// Accounts and seller profiles.
#[cfg_attr(test, mockall::automock)]
pub trait UserRepository: Send + Sync {
    /// Which of the given unique values already belong to another user.
    fn taken(
        &self,
        username: Option<String>,
        email: Option<String>,
        except: Option<UserId>,
    ) -> impl Future<Output = Result<Vec<UniqueField>, StoreError>> + Send;
    /// Stores a new user and its outbox in one transaction.
    fn create(
        &self,
        user: NewUserRecord,
        outbox: UserOutbox,
    ) -> impl Future<Output = Result<User, UserWriteError>> + Send;
    /// A user by id.
    fn find(&self, id: UserId) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// A user and password hash by email (case-insensitive).
    fn find_credentials(
        &self,
        email: String,
    ) -> impl Future<Output = Result<Option<(User, String)>, StoreError>> + Send;
    /// Applies profile changes.
    fn update_profile(
        &self,
        id: UserId,
        changes: ProfileChanges,
    ) -> impl Future<Output = Result<User, UserWriteError>> + Send;
    /// Sales, purchases and rating figures.
    fn stats(&self, id: UserId) -> impl Future<Output = Result<ProfileStats, StoreError>> + Send;
    /// The user's seller profile.
    fn seller_profile(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<SellerProfile>, StoreError>> + Send;
    /// Creates the seller profile, grants selling if `grant_selling`, and writes the outbox,
    /// atomically; `None` when the user already has a profile (a concurrent request won).
    fn create_seller_profile(
        &self,
        user: UserId,
        application: SellerApplication,
        grant_selling: bool,
        outbox: Outbox,
    ) -> impl Future<Output = Result<Option<(User, SellerProfile)>, StoreError>> + Send;
    /// Replaces an older-scheme hash of the same password by `new`, if `old` is still stored
    /// (nothing is revoked: the password did not change).
    fn upgrade_password_hash(
        &self,
        user: UserId,
        old: String,
        new: String,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Sets the password hash, revokes every token but `keep` and every console session, and
    /// writes `outbox`, in one transaction.
    fn replace_password(
        &self,
        user: UserId,
        password_hash: String,
        keep: Option<String>,
        outbox: Outbox,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Creates an admin, or promotes the user with that email to admin and resets the password.
    fn upsert_admin(
        &self,
        email: String,
        username: String,
        password_hash: String,
    ) -> impl Future<Output = Result<User, UserWriteError>> + Send;
}

/// API tokens: random keys shown once, stored hashed.
#[cfg_attr(test, mockall::automock)]
pub trait TokenStore: Send + Sync {
    /// Issues a fresh key for the user, remembering the client that signed in.
    fn issue(
        &self,
        user: UserId,
        client: String,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// The active user owning `key`, if the key exists and was used within `idle`.
    fn authenticate(
        &self,
        key: String,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Revokes one key.
    fn revoke(&self, key: String) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user's tokens, newest first; `current` marks the one that is `key`.
    fn sessions(
        &self,
        user: UserId,
        key: String,
    ) -> impl Future<Output = Result<Vec<crate::account::token_session::TokenSession>, StoreError>> + Send;
    /// Revokes the user's token `id`; false when the user has no such token.
    fn revoke_session(
        &self,
        user: UserId,
        id: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Signs the user out everywhere: every token (but `keep`, if given) and every console
    /// session.
    fn revoke_all(
        &self,
        user: UserId,
        keep: Option<String>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Password hashing (argon2id in the adapter; slow on purpose, so async).
#[cfg_attr(test, mockall::automock)]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password into a PHC string.
    fn hash(&self, password: String) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// True when the password matches the hash (ours, or an imported Django
    /// `pbkdf2_sha256$…`).
    fn verify(&self, password: String, hash: String) -> impl Future<Output = bool> + Send;
    /// False for a hash of an older scheme, to be replaced at the next right password.
    fn is_current(&self, hash: &str) -> bool;
}

/// Fixed-window counters for throttling.
#[cfg_attr(test, mockall::automock)]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit on `key`; `Some(seconds)` when the limit was already reached in this window.
    fn hit(
        &self,
        key: String,
        limit: u32,
        window: Duration,
    ) -> impl Future<Output = Result<Option<u64>, StoreError>> + Send;
    /// Forgets the key's count.
    fn reset(&self, key: String) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Users' addresses; every method is scoped to the owner.
#[cfg_attr(test, mockall::automock)]
pub trait AddressRepository: Send + Sync {
    /// One page of the owner's addresses.
    fn list(
        &self,
        query: AddressQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Address>, StoreError>> + Send;
    /// One of the owner's addresses.
    fn get(
        &self,
        owner: UserId,
        id: AddressId,
    ) -> impl Future<Output = Result<Option<Address>, StoreError>> + Send;
    /// Creates an address (clearing other defaults when it is the default).
    fn create(
        &self,
        owner: UserId,
        input: AddressInput,
    ) -> impl Future<Output = Result<Address, StoreError>> + Send;
    /// Updates an address; `None` when it is not the owner's.
    fn update(
        &self,
        owner: UserId,
        id: AddressId,
        input: AddressInput,
    ) -> impl Future<Output = Result<Option<Address>, StoreError>> + Send;
    /// Deletes an address unless an order still references it.
    fn delete(
        &self,
        owner: UserId,
        id: AddressId,
    ) -> impl Future<Output = Result<Removal, StoreError>> + Send;
    /// Makes one address the owner's only default; false when it is not the owner's.
    fn set_default(
        &self,
        owner: UserId,
        id: AddressId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The notices of blocking an account, given the user.
pub type BlockOutbox =
    Box<dyn FnOnce(&crate::order::checkout::Party) -> crate::outbox::Outbox + Send>;

/// Admins' moderation of accounts.
#[cfg_attr(test, mockall::automock)]
pub trait ModerationRepository: Send + Sync {
    /// Applies one step to a non-admin account under its lock; blocking a user who was not
    /// blocked writes `outbox` in the same transaction. `Err(Protected)` for admins,
    /// `Err(NotFound)` for no such user.
    fn moderate(
        &self,
        user: UserId,
        step: crate::account::moderation::Moderation,
        outbox: BlockOutbox,
    ) -> impl Future<
        Output = Result<
            Result<
                crate::account::moderation::Moderated,
                crate::account::moderation::ModerationError,
            >,
            StoreError,
        >,
    > + Send;
    /// Payment violations, newest first (one user's when given).
    fn violations(
        &self,
        user: Option<UserId>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<crate::account::moderation::ViolationRecord>, StoreError>> + Send;
}

/// Builds the email of a password reset from the account and its token.
pub type ResetNotice = Box<dyn FnOnce(&User, &str) -> Outbox + Send>;

/// Password reset tokens: random, shown once (in the email), stored hashed, one live per
/// account, single use.
#[cfg_attr(test, mockall::automock)]
pub trait PasswordResetStore: Send + Sync {
    /// For the active account using `email` (case-insensitive), if any: a fresh token valid
    /// until `expires_at` replaces any older one, and `notice`'s outbox is written, in one
    /// transaction. Says nothing of whether an account matched (nor may its caller).
    fn issue(
        &self,
        email: String,
        expires_at: DateTime<Utc>,
        notice: ResetNotice,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The account a token resets, while it is live (issued, not redeemed, not expired at `now`).
    fn holder(
        &self,
        token: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Redeems a live token: the account gets `password_hash`, every token and console session
    /// of it is revoked, and `outbox` is written, in one transaction; false when the token is no
    /// longer live (used meanwhile, or expired).
    fn redeem(
        &self,
        token: String,
        now: DateTime<Utc>,
        password_hash: String,
        outbox: Outbox,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Email verification links: random, shown once (in the email), stored hashed, one live per
/// account, single use, each for the address it was sent to.
#[cfg_attr(test, mockall::automock)]
pub trait EmailVerificationStore: Send + Sync {
    /// A fresh token for `email`, valid until `expires_at`, replaces the user's older one, and
    /// `notice`'s outbox is written, in one transaction.
    fn issue(
        &self,
        user: UserId,
        email: String,
        expires_at: DateTime<Utc>,
        notice: ResetNotice,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Spends a live token: its address becomes its owner's verified one if it is still their
    /// email; false when the token is not live or the email changed since. With
    /// `release_held_payouts`, the owner's payouts held for want of a verified address are
    /// queued in the same transaction.
    fn verify(
        &self,
        token: String,
        now: DateTime<Utc>,
        release_held_payouts: bool,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Whether the user's current email is the one they verified.
    fn is_verified(&self, user: UserId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// TOTP arithmetic (RFC 6238) and the randomness two-factor sign-in needs; no I/O.
#[cfg_attr(test, mockall::automock)]
pub trait OneTimePasswords: Send + Sync {
    /// A fresh random secret, base32.
    fn new_secret(&self) -> String;
    /// The `otpauth://` URI of `secret` for the account `label`.
    fn uri(&self, secret: &str, label: &str) -> String;
    /// The time step (30-second window since the epoch) whose code is `code`, looking one step
    /// either side of `at` for clock drift; `None` when it matches none.
    fn step_of(&self, secret: &str, code: &str, at: DateTime<Utc>) -> Option<i64>;
    /// Fresh single-use recovery codes (`xxxxx-xxxxx`).
    fn recovery_codes(&self, count: usize) -> Vec<String>;
}

/// Second factors, their recovery codes (stored hashed) and sign-in challenges (stored hashed).
#[cfg_attr(test, mockall::automock)]
pub trait TwoFactorStore: Send + Sync {
    /// The user's second factor, enabled or still being set up.
    fn second_factor(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<crate::account::two_factor::SecondFactor>, StoreError>> + Send;
    /// Begins (or restarts) setup with `secret`; false when two-factor sign-in is on already.
    fn begin_setup(
        &self,
        user: UserId,
        secret: String,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Turns on the setup begun with `secret`, spending `step`, and stores the recovery codes,
    /// in one transaction; false when that setup is no longer pending.
    fn enable(
        &self,
        user: UserId,
        secret: String,
        step: i64,
        recovery_codes: Vec<String>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Spends the time step `step` of an enabled factor: false when it or a later one was used
    /// (a code is accepted once, RFC 6238 §5.2).
    fn spend_step(
        &self,
        user: UserId,
        step: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Spends one recovery code; false when the account has no such unused code.
    fn spend_recovery_code(
        &self,
        user: UserId,
        code: String,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Removes the second factor and its recovery codes.
    fn disable(&self, user: UserId) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Opens a challenge for `user` valid until `expires_at` (with the secret it enrols, if
    /// any); its token.
    fn open_challenge(
        &self,
        user: UserId,
        purpose: crate::account::two_factor::ChallengePurpose,
        client: String,
        enrolling: Option<String>,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// The live challenge `token` (for `purpose`, before `now`, with attempts left).
    fn challenge(
        &self,
        token: String,
        purpose: crate::account::two_factor::ChallengePurpose,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<crate::account::two_factor::OpenChallenge>, StoreError>> + Send;
    /// Counts a wrong code on a challenge; after `limit` wrong codes it is gone.
    fn challenge_failed(
        &self,
        token: String,
        limit: i32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Spends a challenge; false when another request spent it first.
    fn close_challenge(
        &self,
        token: String,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
