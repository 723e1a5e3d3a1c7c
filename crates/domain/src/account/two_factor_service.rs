//! Two-factor sign-in use cases: enrol, confirm, disable, and the code step of a sign-in (for an
//! API token or a console session).

use crate::account::ports::{OneTimePasswords, RateLimiter, TokenStore, TwoFactorStore};
use crate::account::rules::AccountError;
use crate::account::service::Session;
use crate::account::session_service::required;
use crate::account::token_session::client_label;
use crate::account::two_factor::{
    CHALLENGE_ATTEMPTS, CHALLENGE_MINUTES, CODE_ATTEMPTS, CODE_WINDOW, ChallengePurpose, Enrolment,
    OpenChallenge, RECOVERY_CODES, SecondFactor, SignIn, account_label, is_totp_code,
    normalise_code, refusal, required_for,
};
use crate::account::user::User;
use crate::clock::Clock;
use crate::ids::UserId;
use crate::validation::FieldErrors;

/// What the console asks after a right password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleGate {
    /// The admin has two-factor sign-in: ask for a code.
    Code {
        /// The challenge the code goes with.
        challenge: String,
    },
    /// The admin has none yet: enrol now (admins must have it).
    Enrol {
        /// The challenge the first code goes with.
        challenge: String,
        /// The secret to add to an app.
        enrolment: Enrolment,
    },
}

/// A console challenge passed: the admin, and their recovery codes if this pass enrolled them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsolePass {
    /// The admin.
    pub user: User,
    /// Shown once, right after enrolment.
    pub recovery_codes: Option<Vec<String>>,
}

/// The two-factor use cases.
pub struct TwoFactor<S, O, T, L, C> {
    store: S,
    otp: O,
    tokens: T,
    limiter: L,
    clock: C,
}

impl<S, O, T, L, C> TwoFactor<S, O, T, L, C>
where
    S: TwoFactorStore,
    O: OneTimePasswords,
    T: TokenStore,
    L: RateLimiter,
    C: Clock,
{
    /// Wires the service.
    pub fn new(store: S, otp: O, tokens: T, limiter: L, clock: C) -> Self {
        Self {
            store,
            otp,
            tokens,
            limiter,
            clock,
        }
    }

    /// The user's second factor, if any (enabled or being set up).
    pub async fn status(&self, user: &User) -> Result<Option<SecondFactor>, AccountError> {
        Ok(self.store.second_factor(user.id).await?)
    }

    /// Begins enrolment: a new secret to add to an authenticator app (a setup begun earlier and
    /// not confirmed is replaced).
    pub async fn setup(&self, user: &User) -> Result<Enrolment, AccountError> {
        let secret = self.otp.new_secret();
        if !self.store.begin_setup(user.id, secret.clone()).await? {
            return Err(FieldErrors::non_field(refusal::ALREADY_ON).into());
        }
        Ok(self.enrolment(user, secret))
    }

    /// Confirms enrolment with a code from the app: two-factor sign-in is on, and the recovery
    /// codes are returned (shown once).
    pub async fn confirm(&self, user: &User, code: &str) -> Result<Vec<String>, AccountError> {
        let code = normalise_code(code);
        required(&[("code", &code)]).into_result()?;
        self.count_attempt(user.id).await?;
        match self.store.second_factor(user.id).await? {
            Some(f) if f.enabled => Err(FieldErrors::non_field(refusal::ALREADY_ON).into()),
            Some(f) => self.enable(user.id, f.secret, &code).await,
            None => Err(FieldErrors::non_field(refusal::NOT_SET_UP).into()),
        }
    }

    /// Turns two-factor sign-in off, with a code (TOTP or recovery); admins must keep it.
    pub async fn disable(&self, user: &User, code: &str) -> Result<(), AccountError> {
        let code = normalise_code(code);
        required(&[("code", &code)]).into_result()?;
        if required_for(user) {
            return Err(FieldErrors::non_field(refusal::ADMINS_KEEP_IT).into());
        }
        let Some(factor) = self
            .store
            .second_factor(user.id)
            .await?
            .filter(|f| f.enabled)
        else {
            return Err(FieldErrors::non_field(refusal::NOT_ON).into());
        };
        self.count_attempt(user.id).await?;
        if !self.spend_code(user.id, &factor, &code).await? {
            return Err(bad_code());
        }
        self.store.disable(user.id).await?;
        Ok(())
    }

    /// The end of an API password sign-in: a token, or a challenge when the account has
    /// two-factor sign-in on.
    pub async fn sign_in(&self, user: User, client: &str) -> Result<SignIn<Session>, AccountError> {
        let client = client_label(client);
        if self.is_on(user.id).await? {
            let challenge = self
                .store
                .open_challenge(user.id, ChallengePurpose::Api, client, None, self.expiry())
                .await?;
            return Ok(SignIn::CodeRequired { challenge });
        }
        let token = self.tokens.issue(user.id, client).await?;
        Ok(SignIn::Done(Session { user, token }))
    }

    /// The code step of an API sign-in: the usual session, with a token for the client that
    /// sent the password.
    pub async fn finish_sign_in(
        &self,
        challenge: &str,
        code: &str,
    ) -> Result<Session, AccountError> {
        let (open, _) = self
            .pass(challenge, code, ChallengePurpose::Api, Accept::Enabled)
            .await?;
        let token = self.tokens.issue(open.user.id, open.client).await?;
        Ok(Session {
            user: open.user,
            token,
        })
    }

    /// After an admin's right password in the console: the code page, or enrolment.
    pub async fn console_gate(
        &self,
        user: &User,
        client: &str,
    ) -> Result<ConsoleGate, AccountError> {
        let enrolment = if self.is_on(user.id).await? {
            None
        } else {
            let secret = self.otp.new_secret();
            self.store.begin_setup(user.id, secret.clone()).await?;
            Some(self.enrolment(user, secret))
        };
        let challenge = self
            .store
            .open_challenge(
                user.id,
                ChallengePurpose::Console,
                client_label(client),
                enrolment.as_ref().map(|e| e.secret.clone()),
                self.expiry(),
            )
            .await?;
        Ok(match enrolment {
            None => ConsoleGate::Code { challenge },
            Some(enrolment) => ConsoleGate::Enrol {
                challenge,
                enrolment,
            },
        })
    }

    /// The enrolment a live console challenge is for (to show the page again after a wrong
    /// code); `None` when the challenge is gone or the admin is enrolled.
    pub async fn console_enrolment(
        &self,
        challenge: &str,
    ) -> Result<Option<Enrolment>, AccountError> {
        if challenge.len() > 256 {
            return Ok(None);
        }
        let Some(open) = self
            .store
            .challenge(
                challenge.to_owned(),
                ChallengePurpose::Console,
                self.clock.now(),
            )
            .await?
        else {
            return Ok(None);
        };
        // Only the secret this challenge showed, and only while it is still being set up.
        let Some(secret) = open.enrolling.clone() else {
            return Ok(None);
        };
        Ok(match self.store.second_factor(open.user.id).await? {
            Some(f) if !f.enabled && f.secret == secret => Some(self.enrolment(&open.user, secret)),
            _ => None,
        })
    }

    /// The code step of a console sign-in: the admin, enrolled by this code if they were not.
    pub async fn console_pass(
        &self,
        challenge: &str,
        code: &str,
    ) -> Result<ConsolePass, AccountError> {
        let (open, recovery_codes) = self
            .pass(
                challenge,
                code,
                ChallengePurpose::Console,
                Accept::EnabledOrEnrol,
            )
            .await?;
        Ok(ConsolePass {
            user: open.user,
            recovery_codes,
        })
    }

    /// Checks a challenge and its code; spends the challenge on success (with the recovery
    /// codes when the code enrolled the account), counts a wrong code against it otherwise.
    async fn pass(
        &self,
        challenge: &str,
        code: &str,
        purpose: ChallengePurpose,
        accept: Accept,
    ) -> Result<(OpenChallenge, Option<Vec<String>>), AccountError> {
        let code = normalise_code(code);
        let challenge = challenge.trim().to_owned();
        required(&[("challenge", &challenge), ("code", &code)]).into_result()?;
        let open = if challenge.len() <= 256 {
            self.store
                .challenge(challenge.clone(), purpose, self.clock.now())
                .await?
        } else {
            None
        };
        let Some(open) = open else {
            return Err(bad_challenge());
        };
        // Blocked since the password step: refused as the password step would have.
        if open.user.is_blocked {
            return Err(AccountError::Blocked);
        }
        self.count_attempt(open.user.id).await?;
        let Some(factor) = self.store.second_factor(open.user.id).await? else {
            return Err(bad_challenge());
        };
        let id = open.user.id;
        let passed = if factor.enabled {
            self.spend_code(id, &factor, &code).await?.then_some(None)
        } else if let (Accept::EnabledOrEnrol, Some(secret)) = (accept, open.enrolling.clone()) {
            // The secret this challenge showed; `enable` refuses it if another sign-in has
            // replaced the pending setup since.
            match self.enable(id, secret, &code).await {
                Ok(codes) => Some(Some(codes)),
                Err(AccountError::Validation(_)) => None,
                Err(e) => return Err(e),
            }
        } else {
            None
        };
        let Some(recovery_codes) = passed else {
            self.store
                .challenge_failed(challenge, CHALLENGE_ATTEMPTS)
                .await?;
            return Err(bad_code());
        };
        if !self.store.close_challenge(challenge).await? {
            return Err(bad_challenge());
        }
        Ok((open, recovery_codes))
    }

    /// Spends a TOTP code (its step, once) or a recovery code of an enabled factor.
    async fn spend_code(
        &self,
        user: UserId,
        factor: &SecondFactor,
        code: &str,
    ) -> Result<bool, AccountError> {
        if !factor.enabled {
            return Ok(false);
        }
        if is_totp_code(code) {
            return Ok(
                match self.otp.step_of(&factor.secret, code, self.clock.now()) {
                    Some(step) => self.store.spend_step(user, step).await?,
                    None => false,
                },
            );
        }
        Ok(self
            .store
            .spend_recovery_code(user, code.to_owned())
            .await?)
    }

    /// Turns on the pending setup `secret` if `code` is its current code.
    async fn enable(
        &self,
        user: UserId,
        secret: String,
        code: &str,
    ) -> Result<Vec<String>, AccountError> {
        let Some(step) = self.otp.step_of(&secret, code, self.clock.now()) else {
            return Err(bad_code());
        };
        let codes = self.otp.recovery_codes(RECOVERY_CODES);
        // Stored as they will be typed back (normalised), shown as generated.
        let stored = codes.iter().map(|c| normalise_code(c)).collect();
        if !self.store.enable(user, secret, step, stored).await? {
            return Err(FieldErrors::non_field(refusal::NOT_SET_UP).into());
        }
        Ok(codes)
    }

    async fn is_on(&self, user: UserId) -> Result<bool, AccountError> {
        Ok(self
            .store
            .second_factor(user)
            .await?
            .is_some_and(|f| f.enabled))
    }

    /// Every code an account sends counts, before it is checked, so parallel guesses cannot
    /// slip past the limit.
    async fn count_attempt(&self, user: UserId) -> Result<(), AccountError> {
        match self
            .limiter
            .hit(format!("2fa:{}", user.get()), CODE_ATTEMPTS, CODE_WINDOW)
            .await?
        {
            Some(retry_after_secs) => Err(AccountError::Throttled { retry_after_secs }),
            None => Ok(()),
        }
    }

    fn enrolment(&self, user: &User, secret: String) -> Enrolment {
        Enrolment {
            otpauth_uri: self.otp.uri(&secret, &account_label(user)),
            secret,
        }
    }

    fn expiry(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now() + chrono::Duration::minutes(CHALLENGE_MINUTES)
    }
}

/// Which second factors a challenge accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accept {
    /// Only an enabled one (API sign-in).
    Enabled,
    /// An enabled one, or a pending setup that this code confirms (the console enrols admins).
    EnabledOrEnrol,
}

fn bad_challenge() -> AccountError {
    FieldErrors::single("challenge", refusal::BAD_CHALLENGE).into()
}

fn bad_code() -> AccountError {
    FieldErrors::single("code", refusal::BAD_CODE).into()
}

#[cfg(test)]
mod tests {
    use std::future::ready;

    use chrono::Utc;

    use super::*;
    use crate::account::ports::{
        MockOneTimePasswords, MockRateLimiter, MockTokenStore, MockTwoFactorStore,
    };
    use crate::account::user::Role;
    use crate::clock::FixedClock;
    use crate::fixtures::user;

    type Service = TwoFactor<
        MockTwoFactorStore,
        MockOneTimePasswords,
        MockTokenStore,
        MockRateLimiter,
        FixedClock,
    >;

    fn service(
        store: MockTwoFactorStore,
        otp: MockOneTimePasswords,
        tokens: MockTokenStore,
    ) -> Service {
        let mut limiter = MockRateLimiter::new();
        limiter
            .expect_hit()
            .returning(|_, _, _| Box::pin(ready(Ok(None))));
        TwoFactor::new(store, otp, tokens, limiter, FixedClock(Utc::now()))
    }

    fn enabled(store: &mut MockTwoFactorStore) {
        store.expect_second_factor().returning(|_| {
            Box::pin(ready(Ok(Some(SecondFactor {
                secret: "SECRET".into(),
                enabled: true,
                recovery_codes_left: 10,
            }))))
        });
    }

    #[tokio::test]
    async fn a_replayed_step_counts_against_the_challenge_and_issues_no_token() {
        let mut store = MockTwoFactorStore::new();
        store.expect_challenge().returning(|_, purpose, _| {
            Box::pin(ready(Ok(Some(OpenChallenge {
                user: user(7, Role::Buyer),
                purpose,
                client: "Firefox".into(),
                enrolling: None,
            }))))
        });
        enabled(&mut store);
        // The store says the step was used already.
        store
            .expect_spend_step()
            .withf(|u, step| *u == UserId(7) && *step == 42)
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(false))));
        store
            .expect_challenge_failed()
            .withf(|_, limit| *limit == CHALLENGE_ATTEMPTS)
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(()))));
        let mut otp = MockOneTimePasswords::new();
        otp.expect_step_of().returning(|_, _, _| Some(42));
        // No token expectation: issuing one would panic.
        let svc = service(store, otp, MockTokenStore::new());
        let err = svc
            .finish_sign_in("challenge", "123 456")
            .await
            .unwrap_err();
        assert_eq!(err, bad_code());
    }

    #[tokio::test]
    async fn a_password_sign_in_asks_for_a_code_only_when_it_is_on() {
        let mut store = MockTwoFactorStore::new();
        store
            .expect_second_factor()
            .times(1)
            .returning(|_| Box::pin(ready(Ok(None))));
        let mut tokens = MockTokenStore::new();
        tokens
            .expect_issue()
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok("key".into()))));
        let svc = service(store, MockOneTimePasswords::new(), tokens);
        let done = svc.sign_in(user(7, Role::Buyer), "curl").await.unwrap();
        assert!(matches!(done, SignIn::Done(Session { ref token, .. }) if token == "key"));

        let mut store = MockTwoFactorStore::new();
        enabled(&mut store);
        store
            .expect_open_challenge()
            .withf(|u, purpose, _, enrolling, _| {
                *u == UserId(7) && *purpose == ChallengePurpose::Api && enrolling.is_none()
            })
            .times(1)
            .returning(|_, _, _, _, _| Box::pin(ready(Ok("c".into()))));
        let svc = service(store, MockOneTimePasswords::new(), MockTokenStore::new());
        let asked = svc.sign_in(user(7, Role::Buyer), "curl").await.unwrap();
        assert_eq!(
            asked,
            SignIn::CodeRequired {
                challenge: "c".into()
            }
        );
    }

    #[tokio::test]
    async fn admins_cannot_turn_it_off() {
        // No store expectation: the refusal comes before anything is read.
        let svc = service(
            MockTwoFactorStore::new(),
            MockOneTimePasswords::new(),
            MockTokenStore::new(),
        );
        let err = svc
            .disable(&user(1, Role::Admin), "123456")
            .await
            .unwrap_err();
        assert_eq!(
            err,
            AccountError::Validation(FieldErrors::non_field(refusal::ADMINS_KEEP_IT))
        );
    }
}
