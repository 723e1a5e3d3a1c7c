//! Accounts from the Django service: users (with their Django password hashes, verified and
//! upgraded at sign-in) and DRF tokens (kept working under our hashed token storage).

use crate::account::user::Role;

/// What the old `users` table holds that we keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyUser {
    /// Id, kept.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Email, as typed.
    pub email: String,
    /// The Django hash (`pbkdf2_sha256$…`).
    pub password: String,
    /// `role` column.
    pub role: String,
    /// Django's `is_active`.
    pub is_active: bool,
    /// Profile picture path under the media root, `""` for none (Django's empty FileField).
    pub profile_picture: String,
}

/// Why a user row cannot be imported as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserRefusal {
    /// A role we do not have.
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    /// No email: nobody could sign in.
    #[error("no email address")]
    NoEmail,
    /// No username.
    #[error("no username")]
    NoUsername,
}

/// The role a legacy row keeps (the same four names).
pub fn role(user: &LegacyUser) -> Result<Role, UserRefusal> {
    Role::parse(&user.role).ok_or_else(|| UserRefusal::UnknownRole(user.role.clone()))
}

/// Checks a legacy user row: what we refuse rather than import.
pub fn check_user(user: &LegacyUser) -> Result<Role, UserRefusal> {
    if user.email.trim().is_empty() {
        return Err(UserRefusal::NoEmail);
    }
    if user.username.trim().is_empty() {
        return Err(UserRefusal::NoUsername);
    }
    role(user)
}

/// The stored profile picture: Django writes `""` for none.
pub fn profile_picture(path: &str) -> Option<String> {
    (!path.is_empty()).then(|| path.to_owned())
}

/// The client an imported token shows in the sessions list.
pub const IMPORTED_TOKEN_CLIENT: &str = "signed in on the old service";

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy(role: &str, email: &str) -> LegacyUser {
        LegacyUser {
            id: 1,
            username: "u".into(),
            email: email.into(),
            password: "pbkdf2_sha256$1$s$h".into(),
            role: role.into(),
            is_active: true,
            profile_picture: String::new(),
        }
    }

    #[test]
    fn roles_map_one_to_one_and_others_are_refused() {
        for (name, role) in [
            ("buyer", Role::Buyer),
            ("seller", Role::Seller),
            ("both", Role::Both),
            ("admin", Role::Admin),
        ] {
            assert_eq!(check_user(&legacy(name, "a@b.pk")), Ok(role));
        }
        assert_eq!(
            check_user(&legacy("staff", "a@b.pk")),
            Err(UserRefusal::UnknownRole("staff".into()))
        );
        assert_eq!(check_user(&legacy("buyer", " ")), Err(UserRefusal::NoEmail));
    }

    #[test]
    fn an_empty_picture_is_none() {
        assert_eq!(profile_picture(""), None);
        assert_eq!(
            profile_picture("profiles/a.jpg"),
            Some("profiles/a.jpg".into())
        );
    }
}
