//! Console sessions: who may open one and when one ends.

use chrono::{DateTime, Duration, Utc};

use crate::ids::UserId;

/// How long a console session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ends after this long without a request.
    pub idle: Duration,
    /// Ends this long after sign-in, whatever happens.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A stored console session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// Its row.
    pub id: i64,
    /// The operator.
    pub user: UserId,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// Signed in.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
}

/// Requests this close together do not move `last_seen_at` (one write a minute at most).
pub const TOUCH_EVERY: Duration = Duration::seconds(60);

impl ConsoleSession {
    /// True while neither the idle nor the absolute limit has passed at `now`.
    pub fn is_live(&self, now: DateTime<Utc>, policy: SessionPolicy) -> bool {
        now < self.last_seen_at + policy.idle && now < self.created_at + policy.absolute
    }

    /// True when a request at `now` should record itself as the last one.
    pub fn needs_touch(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen_at >= TOUCH_EVERY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn session(created: i64, seen: i64) -> ConsoleSession {
        let t0 = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        ConsoleSession {
            id: 1,
            user: UserId(1),
            csrf_token: "t".into(),
            created_at: t0 + Duration::minutes(created),
            last_seen_at: t0 + Duration::minutes(seen),
        }
    }

    #[test]
    fn a_session_ends_when_idle_or_too_old() {
        let p = SessionPolicy::default();
        let t0 = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        assert!(session(0, 0).is_live(t0 + Duration::minutes(29), p));
        assert!(!session(0, 0).is_live(t0 + Duration::minutes(30), p));
        // Busy all day: still ends 12 hours after sign-in.
        assert!(session(0, 719).is_live(t0 + Duration::minutes(719), p));
        assert!(!session(0, 719).is_live(t0 + Duration::minutes(720), p));
    }

    #[test]
    fn touches_are_at_most_a_minute_apart() {
        let t0 = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        assert!(!session(0, 0).needs_touch(t0 + Duration::seconds(59)));
        assert!(session(0, 0).needs_touch(t0 + Duration::seconds(60)));
    }
}
