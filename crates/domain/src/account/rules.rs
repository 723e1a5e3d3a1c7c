//! Account rules: registration, profile changes, password policy, becoming a seller.

use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use crate::account::user::Role;
use crate::ids::AddressId;
use crate::store::StoreError;
use crate::validation::{FieldErrors, check_max_len, is_valid_email, is_valid_url, msg};

/// Why an account operation was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AccountError {
    /// Input broke a field rule.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// Unknown email, wrong password, or an inactive account.
    #[error("Invalid credentials")]
    InvalidCredentials,
    /// The account is blocked.
    #[error("Your account is blocked")]
    Blocked,
    /// Too many login or registration attempts; retry after this many seconds.
    #[error("too many attempts")]
    Throttled {
        /// Seconds until another attempt is allowed.
        retry_after_secs: u64,
    },
    /// The user no longer exists.
    #[error("user not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FieldErrors> for AccountError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

/// Longest username, first and last name.
pub const NAME_MAX: usize = 150;
/// Longest phone number.
pub const PHONE_MAX: usize = 15;
/// Shortest password.
pub const PASSWORD_MIN: usize = 8;
/// Longest password accepted (argon2 cost grows with input; nobody needs more).
pub const PASSWORD_MAX: usize = 256;
/// Longest email.
pub const EMAIL_MAX: usize = 254;
/// Longest brand name.
pub const BRAND_MAX: usize = 255;

/// A user-supplied registration, as received.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    /// Public name.
    pub username: String,
    /// Login email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Must equal `password`.
    pub password_confirm: String,
    /// Optional given name.
    pub first_name: String,
    /// Optional family name.
    pub last_name: String,
    /// Optional phone.
    pub phone_number: String,
    /// Optional role; `admin` is refused.
    pub role: Option<String>,
}

/// Lower-cases the domain of an email (the local part is kept; uniqueness ignores case).
pub fn normalize_email(email: &str) -> String {
    let email = email.trim();
    match email.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => email.to_owned(),
    }
}

/// Checks a username's length and characters.
pub fn check_username(errors: &mut FieldErrors, username: &str) {
    if username.is_empty() {
        errors.add("username", msg::BLANK);
    } else if username.chars().count() > NAME_MAX {
        errors.add("username", msg::max_length(NAME_MAX));
    } else if !username
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_'))
    {
        errors.add(
            "username",
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
        );
    }
}

/// Checks an email's form and length.
pub fn check_email(errors: &mut FieldErrors, email: &str) {
    if email.is_empty() {
        errors.add("email", msg::BLANK);
    } else if email.chars().count() > EMAIL_MAX {
        errors.add("email", msg::max_length(EMAIL_MAX));
    } else if !is_valid_email(email) {
        errors.add("email", msg::EMAIL);
    }
}

/// Passwords people pick first; refused as Django's `CommonPasswordValidator` would.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty123",
    "qwertyuiop",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "admin123",
    "letmein1",
    "passw0rd",
    "abc12345",
    "abcd1234",
    "11111111",
    "00000000",
    "pakistan",
    "pakistan123",
    "pakistan1",
    "karachi123",
    "lahore123",
    "trustno1",
    "superman",
    "starwars",
    "whatever",
    "qwerty12",
    "1q2w3e4r",
    "zaq12wsx",
    "asdfghjkl",
    "monkey123",
    "dragon123",
    "master123",
    "changeme",
    "internet",
    "computer",
];

/// Django's default password validators: length, not all digits, not common, not the username.
pub fn check_password(errors: &mut FieldErrors, password: &str, username: &str, email: &str) {
    check_password_as(errors, "password", password, username, email);
}

/// [`check_password`], its errors under `field` (a new password in a change or a reset).
pub fn check_password_as(
    errors: &mut FieldErrors,
    field: &str,
    password: &str,
    username: &str,
    email: &str,
) {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        errors.add(field, msg::min_length(PASSWORD_MIN));
        return;
    }
    if len > PASSWORD_MAX {
        errors.add(field, msg::max_length(PASSWORD_MAX));
        return;
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if username.len() >= 3
        && (lower.contains(&username.to_lowercase()) || username.to_lowercase().contains(&lower))
    {
        errors.add(field, "The password is too similar to the username.");
    } else if local.len() >= 3 && (lower.contains(&local) || local.contains(&lower)) {
        errors.add(field, "The password is too similar to the email address.");
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        errors.add(field, "This password is too common.");
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        errors.add(field, "This password is entirely numeric.");
    }
}

/// A registration that passed every field rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRegistration {
    /// Public name.
    pub username: String,
    /// Normalised email.
    pub email: String,
    /// Plain password, to be hashed.
    pub password: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Phone.
    pub phone_number: String,
    /// Chosen role (never admin).
    pub role: Role,
}

/// Applies the registration rules; object-level checks run only when fields pass (as in DRF).
pub fn validate_registration(r: &Registration) -> Result<ValidRegistration, FieldErrors> {
    let mut errors = FieldErrors::new();
    let email = normalize_email(&r.email);
    check_username(&mut errors, &r.username);
    check_email(&mut errors, &email);
    check_password(&mut errors, &r.password, &r.username, &email);
    check_max_len(&mut errors, "first_name", &r.first_name, NAME_MAX);
    check_max_len(&mut errors, "last_name", &r.last_name, NAME_MAX);
    check_max_len(&mut errors, "phone_number", &r.phone_number, PHONE_MAX);
    let role = match r.role.as_deref() {
        None | Some("") => Role::Buyer,
        Some(text) => Role::parse_self_service(text).unwrap_or_else(|| {
            errors.add("role", msg::invalid_choice(text));
            Role::Buyer
        }),
    };
    errors.clone().into_result()?;
    if r.password != r.password_confirm {
        return Err(FieldErrors::non_field("Passwords do not match"));
    }
    Ok(ValidRegistration {
        username: r.username.clone(),
        email,
        password: r.password.clone(),
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        phone_number: r.phone_number.clone(),
        role,
    })
}

/// Changes a user may make to their own profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    /// New username.
    pub username: Option<String>,
    /// New email.
    pub email: Option<String>,
    /// New given name.
    pub first_name: Option<String>,
    /// New family name.
    pub last_name: Option<String>,
    /// New phone.
    pub phone_number: Option<String>,
    /// `Some(None)` clears the picture; `Some(Some(path))` sets it.
    pub profile_picture: Option<Option<String>>,
}

impl ProfileChanges {
    /// Validates and normalises the changes.
    pub fn validated(mut self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(u) = &self.username {
            check_username(&mut errors, u);
        }
        if let Some(e) = &self.email {
            let e = normalize_email(e);
            check_email(&mut errors, &e);
            self.email = Some(e);
        }
        if let Some(v) = &self.first_name {
            check_max_len(&mut errors, "first_name", v, NAME_MAX);
        }
        if let Some(v) = &self.last_name {
            check_max_len(&mut errors, "last_name", v, NAME_MAX);
        }
        if let Some(v) = &self.phone_number {
            check_max_len(&mut errors, "phone_number", v, PHONE_MAX);
        }
        errors.into_result().map(|()| self)
    }
}

/// Which unique account field a write collided with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueField {
    /// Username taken.
    Username,
    /// Email taken.
    Email,
}

impl UniqueField {
    /// The contract's message for the collision.
    pub const fn error(self) -> (&'static str, &'static str) {
        match self {
            Self::Username => ("username", "A user with that username already exists."),
            Self::Email => ("email", "user with this email already exists."),
        }
    }
}

/// Field errors for a set of collisions.
pub fn taken_errors(taken: &[UniqueField]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for f in taken {
        let (field, message) = f.error();
        errors.add(field, message);
    }
    errors
}

/// What a user sends to become a seller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SellerApplication {
    /// Shop name.
    pub brand_name: String,
    /// About.
    pub biography: String,
    /// Legacy free-text address.
    pub business_address_text: String,
    /// One of the caller's addresses.
    pub business_address_id: Option<AddressId>,
    /// Phone.
    pub business_phone: String,
    /// Website URL or empty.
    pub website: String,
    /// Links object.
    pub social_media_links: serde_json::Value,
}

impl SellerApplication {
    /// Field rules of the application.
    pub fn check_fields(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        check_max_len(&mut errors, "brand_name", &self.brand_name, BRAND_MAX);
        check_max_len(
            &mut errors,
            "business_phone",
            &self.business_phone,
            PHONE_MAX,
        );
        if !self.website.is_empty() && !is_valid_url(&self.website) {
            errors.add("website", msg::URL);
        }
        check_max_len(&mut errors, "website", &self.website, 200);
        errors.into_result()
    }
}

/// Messages of the become-seller refusals, in the order they are checked.
pub mod seller_refusal {
    /// The user can already sell.
    pub const ALREADY_SELLER: &str = "You already have seller capabilities";
    /// A profile exists.
    pub const PROFILE_EXISTS: &str = "Seller profile already exists";
    /// The address is not the caller's.
    pub const BAD_ADDRESS: &str = "Invalid business address ID or address does not belong to you";
}

/// Login throttling: attempts per client address, and each address's attempts on each account
/// spaced out by a doubling wait. Only the client that fails waits: the owner, signing in from
/// elsewhere, is never refused because of someone else's failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Attempts allowed from one client address (on any accounts) per window.
    pub per_ip: u32,
    /// Attempts one client address may make on one account before each further one must wait.
    pub per_account: u32,
    /// Window of the per-address count, in seconds.
    pub window_secs: u64,
    /// The first wait, in seconds; it doubles after every further failure.
    pub backoff_secs: u64,
    /// The longest wait, in seconds.
    pub backoff_max_secs: u64,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            per_ip: 30,
            per_account: 5,
            window_secs: 900,
            backoff_secs: 30,
            backoff_max_secs: 900,
        }
    }
}

impl LoginPolicy {
    /// The spacing of one client address's attempts on one account.
    pub fn backoff(&self) -> Backoff {
        Backoff {
            free: self.per_account,
            first: Duration::from_secs(self.backoff_secs),
            max: Duration::from_secs(self.backoff_max_secs.max(self.backoff_secs)),
            forget_after: FORGET_FAILURES_AFTER,
        }
    }
}

/// How long counted attempts are remembered once their wait is over: a day, as long as the
/// hourly prune keeps throttle rows anyway.
pub const FORGET_FAILURES_AFTER: Duration = Duration::from_hours(24);

/// Spacing of one client's attempts on one account: `free` attempts come without waiting, the
/// next one waits `first`, and the wait doubles after each further attempt up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts made without waiting.
    pub free: u32,
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Counted attempts are forgotten this long after their wait ends.
    pub forget_after: Duration,
}

impl Backoff {
    /// The wait after `attempts` counted attempts (the storage adapter applies the same rule).
    pub fn wait_after(&self, attempts: u32) -> Duration {
        if attempts < self.free {
            return Duration::ZERO;
        }
        // Past 2^31 the cap has long been reached; the bound keeps the shift in range.
        let doublings = attempts.saturating_sub(self.free.max(1)).min(31);
        self.first.saturating_mul(1u32 << doublings).min(self.max)
    }
}

/// Stored backoff counters, shared by every instance (a port; Postgres in production).
pub trait BackoffStore: Send + Sync {
    /// Counts an attempt on `key`, unless the wait set by the attempts already counted is still
    /// running: then `Some(seconds left)` and nothing is counted. Atomic, so parallel attempts
    /// cannot share one free slot. `RateLimiter::reset` forgets the key.
    fn attempt(
        &self,
        key: String,
        backoff: Backoff,
    ) -> impl Future<Output = Result<Option<u64>, StoreError>> + Send;
}

/// Registration throttling: attempts from one client address per window. The default (300 an
/// hour) slows probing which addresses are registered without getting in the way of a family,
/// an office behind one address, or a client's test suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterPolicy {
    /// Attempts allowed from one client address per window; 0 means no bound.
    pub per_ip: u32,
    /// Window length in seconds.
    pub window_secs: u64,
}

impl Default for RegisterPolicy {
    fn default() -> Self {
        Self {
            per_ip: 300,
            window_secs: 3600,
        }
    }
}

/// The address throttles count against: the IP itself, or for IPv6 its /64, since one
/// subscriber's network holds more addresses than any limit could count.
pub fn throttle_subject(client_ip: &str) -> String {
    match client_ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                v4.to_string()
            } else {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => client_ip.to_owned(),
    }
}

/// A write to the users table that can collide with a unique field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserWriteError {
    /// A unique field is already taken.
    #[error("duplicate {0:?}")]
    Duplicate(UniqueField),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new account ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUserRecord {
    /// Public name.
    pub username: String,
    /// Normalised email.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Phone.
    pub phone_number: String,
    /// Role.
    pub role: Role,
    /// Create a blank seller profile too (sellers at registration).
    pub with_seller_profile: bool,
}

#[cfg(test)]
mod tests;
