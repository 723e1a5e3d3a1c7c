//! Test fixtures shared by the services' unit tests.

use chrono::{TimeZone, Utc};

use crate::ids::UserId;
use crate::user::{Role, User};

/// A user with the given id and role, not blocked.
pub fn user(id: i64, role: Role) -> User {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    User {
        id: UserId(id),
        username: format!("u{id}"),
        email: format!("u{id}@example.pk"),
        first_name: String::new(),
        last_name: String::new(),
        phone_number: String::new(),
        profile_picture: None,
        role,
        is_blocked: false,
        failed_payment_count: 0,
        stripe_account_id: None,
        created_at: t,
        updated_at: t,
    }
}
