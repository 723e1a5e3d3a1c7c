//! An account's signed-in clients (its API tokens) as their owner sees and ends them.

use chrono::{DateTime, Utc};

/// Longest client description kept (a browser's user agent, cut).
pub const CLIENT_MAX: usize = 200;

/// One signed-in client of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSession {
    /// The token's id (never the token itself).
    pub id: i64,
    /// When it was issued (sign-in or registration).
    pub created_at: DateTime<Utc>,
    /// When it was last used (to the minute).
    pub last_used_at: DateTime<Utc>,
    /// The client that signed in (its `User-Agent`), `""` when unknown.
    pub client: String,
    /// This is the token of the request asking.
    pub current: bool,
}

/// The client description kept for a token: trimmed, control characters dropped, at most
/// [`CLIENT_MAX`] characters.
pub fn client_label(user_agent: &str) -> String {
    user_agent
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(CLIENT_MAX)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_label_is_trimmed_cleaned_and_bounded() {
        assert_eq!(client_label("  Firefox/133\n"), "Firefox/133");
        assert_eq!(client_label("a\u{0}b"), "ab");
        assert_eq!(client_label(&"x".repeat(500)).len(), CLIENT_MAX);
    }
}
