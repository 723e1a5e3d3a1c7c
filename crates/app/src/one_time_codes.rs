//! TOTP codes (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way) with
//! the `totp-rs` crate, and the randomness of secrets and recovery codes.

use chrono::{DateTime, Utc};
use madeinpk_domain::account::ports::OneTimePasswords;
use madeinpk_domain::account::two_factor::ISSUER;
use rand::Rng;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Seconds per step.
const STEP: u64 = 30;

/// Recovery codes are written in these (no 0/o or 1/l to misread).
const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// The TOTP adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TotpCodes;

fn totp(secret: &str, label: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP)
        .with_skew(1)
        .with_secret(secret)
        .with_account_name(label)
        .with_issuer(Some(ISSUER))
        .build()
        .ok()
}

impl OneTimePasswords for TotpCodes {
    fn new_secret(&self) -> String {
        // 160 bits, the HMAC-SHA-1 key length RFC 4226 recommends.
        let bytes: [u8; 20] = rand::rng().random();
        Secret::from(bytes.to_vec()).to_base32()
    }

    fn uri(&self, secret: &str, label: &str) -> String {
        totp(secret, label)
            .or_else(|| totp(secret, "account"))
            .and_then(|t| t.to_url().ok())
            .unwrap_or_default()
    }

    fn step_of(&self, secret: &str, code: &str, at: DateTime<Utc>) -> Option<i64> {
        let at = u64::try_from(at.timestamp()).ok()?;
        let step = totp(secret, "")?.check(code, at)?;
        i64::try_from(step).ok()
    }

    fn recovery_codes(&self, count: usize) -> Vec<String> {
        let mut rng = rand::rng();
        (0..count)
            .map(|_| {
                let mut code: String = (0..10)
                    .map(|_| {
                        RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())] as char
                    })
                    .collect();
                code.insert(5, '-');
                code
            })
            .collect()
    }
}

/// The code of `secret` at `at` (the tests' authenticator app).
pub fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    totp(secret, "")
        .map(|t| {
            t.generate(u64::try_from(at.timestamp()).unwrap_or(0))
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 vectors (the 8-digit codes' last 6 digits, since HOTP
    /// truncates modulo 10^digits).
    #[test]
    fn codes_match_the_rfc_vectors() {
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let at = DateTime::from_timestamp(t, 0).unwrap();
            assert_eq!(code_at(&secret, at), code, "at {t}");
            assert_eq!(TotpCodes.step_of(&secret, code, at), Some(t / 30));
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        // A fixed secret and time, so the check is the same on every run.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let step = 1_800_000_000 / 30;
        for (shift, expected) in [
            (-60, None),
            (-30, Some(step - 1)),
            (0, Some(step)),
            (30, Some(step + 1)),
            (60, None),
        ] {
            let code = code_at(&secret, now + chrono::Duration::seconds(shift));
            assert_eq!(
                TotpCodes.step_of(&secret, &code, now),
                expected,
                "shift {shift}"
            );
        }
        assert_eq!(TotpCodes.step_of(&secret, "12a456", now), None);
        assert_eq!(TotpCodes.step_of("not base32!", "123456", now), None);
    }

    #[test]
    fn enrolment_gives_an_otpauth_uri_and_distinct_recovery_codes() {
        let secret = TotpCodes.new_secret();
        assert_eq!(secret.len(), 32);
        let uri = TotpCodes.uri(&secret, "hina@example.pk");
        assert!(
            uri.starts_with("otpauth://totp/MadeInPK:hina%40example.pk?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={secret}")), "{uri}");
        assert!(uri.contains("issuer=MadeInPK"), "{uri}");
        let codes = TotpCodes.recovery_codes(10);
        assert_eq!(codes.len(), 10);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-')
        );
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
    }
}
