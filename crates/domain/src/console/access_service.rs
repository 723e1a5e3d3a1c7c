//! Who gets into the console and for how long: admins only, sessions that end when idle or old,
//! or as soon as the operator is blocked or no longer an admin.

use crate::account::ports::UserRepository;
use crate::account::token_session::client_label;
use crate::account::user::User;
use crate::clock::Clock;
use crate::console::ports::SessionStore;
use crate::console::session::{ConsoleSession, SessionPolicy};
use crate::job::model::{JobPayload, NewJob};
use crate::notification::email::{Email, EmailMessage};
use crate::outbox::Outbox;
use crate::store::StoreError;

/// Why a sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The account is not an admin's.
    #[error("This account cannot use the administration site.")]
    NotAdmin,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who may use the console: admins who are not blocked (checked before the password's second
/// factor is asked for, and again when the session opens).
pub fn admits(user: &User) -> Result<(), AccessError> {
    if user.is_admin() && !user.is_blocked {
        Ok(())
    } else {
        Err(AccessError::NotAdmin)
    }
}

/// Where a sign-in came from, as the server saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInFrom {
    /// The client's address.
    pub ip: String,
    /// The client's own description (User-Agent).
    pub client: String,
}

/// The console's sessions.
pub struct ConsoleAccess<S, U, K> {
    sessions: S,
    users: U,
    clock: K,
    policy: SessionPolicy,
}

impl<S: SessionStore, U: UserRepository, K: Clock> ConsoleAccess<S, U, K> {
    /// Wires the service.
    pub fn new(sessions: S, users: U, clock: K, policy: SessionPolicy) -> Self {
        Self {
            sessions,
            users,
            clock,
            policy,
        }
    }

    /// Opens a session for `user` (already authenticated): admins only. The admin is emailed
    /// at each sign-in (when, from where), so a sign-in they did not make shows.
    pub async fn open(
        &self,
        user: &User,
        token_hash: Vec<u8>,
        csrf_token: String,
        from: SignInFrom,
    ) -> Result<(), AccessError> {
        admits(user)?;
        let now = self.clock.now();
        let email = NewJob::now(JobPayload::SendEmail {
            email: Email {
                to: user.email.clone(),
                message: EmailMessage::ConsoleSignIn {
                    username: user.username.clone(),
                    at: now.format("%Y-%m-%d %H:%M UTC").to_string(),
                    ip: from.ip,
                    client: client_label(&from.client),
                },
                key: None,
            },
            notification: None,
        });
        self.sessions
            .open_session(
                user.id,
                token_hash,
                csrf_token,
                now,
                Outbox::new().job(email),
            )
            .await?;
        Ok(())
    }

    /// The live session with this token hash and its operator; an expired session, or one
    /// whose operator is no longer an unblocked admin, is ended and gives `None`.
    pub async fn resume(
        &self,
        token_hash: Vec<u8>,
    ) -> Result<Option<(ConsoleSession, User)>, StoreError> {
        let Some(session) = self.sessions.session(token_hash).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let user = if session.is_live(now, self.policy) {
            self.users
                .find(session.user)
                .await?
                .filter(|u| u.is_admin() && !u.is_blocked)
        } else {
            None
        };
        let Some(user) = user else {
            self.sessions.end_session(session.id).await?;
            return Ok(None);
        };
        if session.needs_touch(now) {
            self.sessions.touch_session(session.id, now).await?;
        }
        Ok(Some((session, user)))
    }

    /// Ends a session (sign-out).
    pub async fn close(&self, session: &ConsoleSession) -> Result<(), StoreError> {
        self.sessions.end_session(session.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::ports::MockUserRepository;
    use crate::account::user::Role;
    use crate::clock::FixedClock;
    use crate::console::ports::MockSessionStore;
    use crate::fixtures::user;
    use crate::ids::UserId;
    use chrono::{Duration, TimeZone, Utc};

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    fn stored(idle_minutes: i64) -> ConsoleSession {
        ConsoleSession {
            id: 9,
            user: UserId(1),
            csrf_token: "c".into(),
            created_at: now() - Duration::hours(1),
            last_seen_at: now() - Duration::minutes(idle_minutes),
        }
    }

    fn admin() -> User {
        user(1, Role::Admin)
    }

    #[tokio::test]
    async fn only_admins_open_sessions() {
        let mut sessions = MockSessionStore::new();
        sessions
            .expect_open_session()
            .times(1)
            .withf(|_, _, _, _, outbox| {
                matches!(
                    &outbox.jobs[..],
                    [job] if matches!(
                        &job.payload,
                        JobPayload::SendEmail { email, .. }
                            if email.to == "u1@example.pk"
                                && matches!(&email.message, EmailMessage::ConsoleSignIn { ip, .. } if ip == "203.0.113.7")
                    )
                )
            })
            .returning(|_, _, _, _, _| Box::pin(async { Ok(()) }));
        let access = ConsoleAccess::new(
            sessions,
            MockUserRepository::new(),
            FixedClock(now()),
            SessionPolicy::default(),
        );
        assert!(matches!(
            access
                .open(
                    &user(2, Role::Buyer),
                    vec![1],
                    "c".into(),
                    SignInFrom::default()
                )
                .await,
            Err(AccessError::NotAdmin)
        ));
        let from = SignInFrom {
            ip: "203.0.113.7".into(),
            client: "Firefox/133".into(),
        };
        access
            .open(&admin(), vec![1], "c".into(), from)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_idle_session_is_ended_and_a_demoted_admin_is_let_go() {
        for (idle, role, live) in [
            (31, Role::Admin, false),
            (5, Role::Buyer, false),
            (5, Role::Admin, true),
        ] {
            let mut sessions = MockSessionStore::new();
            sessions
                .expect_session()
                .returning(move |_| Box::pin(async move { Ok(Some(stored(idle))) }));
            sessions
                .expect_end_session()
                .times(usize::from(!live))
                .returning(|_| Box::pin(async { Ok(()) }));
            sessions
                .expect_touch_session()
                .times(usize::from(live))
                .returning(|_, _| Box::pin(async { Ok(()) }));
            let mut users = MockUserRepository::new();
            users.expect_find().returning(move |_| {
                let mut u = admin();
                u.role = role;
                Box::pin(async move { Ok(Some(u)) })
            });
            let access =
                ConsoleAccess::new(sessions, users, FixedClock(now()), SessionPolicy::default());
            let got = access.resume(vec![1]).await.unwrap();
            assert_eq!(got.is_some(), live, "idle {idle} min as {role:?}");
        }
    }
}
