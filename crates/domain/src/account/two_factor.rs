//! Two-factor sign-in (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps): what an account's
//! second factor is, the sign-in challenge between the password and the code, and the rules on
//! codes.

use std::time::Duration;

use crate::account::user::User;

/// How long a sign-in challenge (the step between the password and the code) lives.
pub const CHALLENGE_MINUTES: i64 = 5;

/// Wrong codes one challenge takes before it is spent (sign in again for another).
pub const CHALLENGE_ATTEMPTS: i32 = 5;

/// Wrong codes one account may send in [`CODE_WINDOW`], over every challenge, setup and
/// disable, before it must wait.
pub const CODE_ATTEMPTS: u32 = 10;

/// The window of [`CODE_ATTEMPTS`].
pub const CODE_WINDOW: Duration = Duration::from_mins(15);

/// Single-use recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "MadeInPK";

/// Refusals of the two-factor endpoints.
pub mod refusal {
    /// A code that is wrong, used already, or out of its window.
    pub const BAD_CODE: &str = "Invalid or expired code.";
    /// A challenge that is unknown, expired, spent or out of attempts.
    pub const BAD_CHALLENGE: &str = "This sign-in has expired. Please sign in again.";
    /// Setup while two-factor sign-in is on.
    pub const ALREADY_ON: &str = "Two-factor sign-in is already on.";
    /// Confirm with no setup begun.
    pub const NOT_SET_UP: &str = "Start two-factor setup first.";
    /// Disable while it is off.
    pub const NOT_ON: &str = "Two-factor sign-in is not on.";
    /// Admins must keep it.
    pub const ADMINS_KEEP_IT: &str = "Admins must keep two-factor sign-in on.";
}

/// An account's second factor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// The shared secret, base32 (authenticator apps need it, so it cannot be hashed).
    pub secret: String,
    /// True once a code confirmed the enrolment; until then sign-in does not ask for it.
    pub enabled: bool,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
}

/// What enrolment shows the user, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The secret, base32, to type into an app.
    pub secret: String,
    /// The `otpauth://totp/…` URI (a QR code of it is what apps scan).
    pub otpauth_uri: String,
}

/// Why a challenge was opened: what passing it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengePurpose {
    /// An API token (`POST /api/auth/login/2fa/`).
    Api,
    /// A console session (the console's code page).
    Console,
}

impl ChallengePurpose {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Console => "console",
        }
    }
}

/// A live challenge: whose, why, and the client that signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenChallenge {
    /// The account whose password was right.
    pub user: User,
    /// Where passing it leads.
    pub purpose: ChallengePurpose,
    /// The client that sent the password (kept for the token it leads to).
    pub client: String,
    /// The secret a console enrolment showed with this challenge (only it may be confirmed
    /// through it, so a second sign-in cannot see or confirm another's secret).
    pub enrolling: Option<String>,
}

/// The end of a password sign-in: a session, or a code to ask for first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn<S> {
    /// Signed in.
    Done(S),
    /// The account has two-factor sign-in: send the code with this challenge.
    CodeRequired {
        /// The challenge (shown once, stored hashed).
        challenge: String,
    },
}

/// A code as typed: spaces and dashes dropped, letters lower-cased (recovery codes are
/// `xxxxx-xxxxx`; apps show TOTP codes as `123 456`).
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A 6-digit TOTP code, as opposed to a recovery code.
pub fn is_totp_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The account name an authenticator app shows beside the issuer (no `:`, which the URI
/// format reserves).
pub fn account_label(user: &User) -> String {
    user.email.replace(':', "")
}

/// Who must have two-factor sign-in: admins (the console enrols them at their first sign-in).
pub fn required_for(user: &User) -> bool {
    user.is_admin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;

    #[test]
    fn codes_are_read_as_typed() {
        assert_eq!(normalise_code(" 123 456 "), "123456");
        assert_eq!(normalise_code("ABCDE-fghij"), "abcdefghij");
        assert!(is_totp_code("123456"));
        assert!(!is_totp_code("12345"));
        assert!(!is_totp_code("12345a"));
        assert!(!is_totp_code("abcdefghij"));
    }

    #[test]
    fn only_admins_must_have_it() {
        assert!(required_for(&crate::fixtures::user(1, Role::Admin)));
        for role in [Role::Buyer, Role::Seller, Role::Both] {
            assert!(!required_for(&crate::fixtures::user(1, role)));
        }
    }
}
