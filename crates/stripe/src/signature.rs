//! `Stripe-Signature`: `t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{raw body}"}` (several `v1`
//! entries allowed, e.g. while a secret is rolled), checked within a tolerance of `t`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Stripe's default tolerance, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header, or not `t=…,v1=…`.
    #[error("malformed signature header")]
    Malformed,
    /// No `v1` matches the body.
    #[error("no signature matches the payload")]
    Mismatch,
    /// `t` is outside the tolerance.
    #[error("timestamp outside the tolerance")]
    Stale,
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The header value Stripe would send for `payload` at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let digest = mac(secret, timestamp, payload).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// Checks a `Stripe-Signature` header against the raw body at `now` (unix seconds).
pub fn verify(
    secret: &str,
    header: &str,
    payload: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(SignatureError::Malformed);
        };
        match key {
            "t" => {
                let t = value
                    .parse::<i64>()
                    .map_err(|_| SignatureError::Malformed)?;
                timestamp = Some(t);
            }
            "v1" => signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            // v0 (test-mode) and future schemes are ignored, as Stripe's libraries do.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let expected = mac(secret, timestamp, payload).finalize().into_bytes();
    if !signatures
        .iter()
        .any(|s| bool::from(s.as_slice().ct_eq(expected.as_slice())))
    {
        return Err(SignatureError::Mismatch);
    }
    // `abs_diff`: a signed header from any time (even i64::MIN) must not overflow (cargo-fuzz
    // found `(now - timestamp).abs()` panicking in debug and wrapping in release).
    if now.abs_diff(timestamp) > tolerance.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// Checks a header against several endpoint secrets (the account's and the Connect
/// endpoint's): valid when one of them verifies it.
pub fn verify_any(
    secrets: &[&str],
    header: &str,
    payload: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let mut outcome = Err(SignatureError::Mismatch);
    for secret in secrets {
        outcome = verify(secret, header, payload, now, tolerance);
        if outcome != Err(SignatureError::Mismatch) {
            break;
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_from_the_far_past_or_future_is_stale_without_overflow() {
        let now = 1_760_000_000;
        for t in [i64::MIN, i64::MIN + 1, -1, i64::MAX] {
            let header = sign("whsec_x", t, b"{}");
            assert_eq!(
                verify("whsec_x", &header, b"{}", now, TOLERANCE_SECS),
                Err(SignatureError::Stale),
                "t={t}"
            );
        }
        let header = sign("whsec_x", i64::MAX, b"{}");
        assert_eq!(
            verify("whsec_x", &header, b"{}", i64::MAX, TOLERANCE_SECS),
            Ok(())
        );
    }

    #[test]
    fn either_endpoint_secret_verifies_and_no_other() {
        let connect = sign("whsec_connect", 1_000, BODY);
        let secrets = ["whsec_account", "whsec_connect"];
        assert_eq!(
            verify_any(&secrets, &connect, BODY, 1_000, TOLERANCE_SECS),
            Ok(())
        );
        let account = sign("whsec_account", 1_000, BODY);
        assert_eq!(
            verify_any(&secrets, &account, BODY, 1_000, TOLERANCE_SECS),
            Ok(())
        );
        let other = sign("whsec_other", 1_000, BODY);
        assert_eq!(
            verify_any(&secrets, &other, BODY, 1_000, TOLERANCE_SECS),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_any(&secrets, &connect, BODY, 2_000, TOLERANCE_SECS),
            Err(SignatureError::Stale)
        );
    }

    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let h = sign("whsec_x", 1_000, BODY);
        assert!(h.starts_with("t=1000,v1="));
        assert_eq!(verify("whsec_x", &h, BODY, 1_100, TOLERANCE_SECS), Ok(()));
    }

    #[test]
    fn wrong_secret_tampered_body_and_stale_time_are_refused() {
        let h = sign("whsec_x", 1_000, BODY);
        assert_eq!(
            verify("whsec_y", &h, BODY, 1_000, TOLERANCE_SECS),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_x", &h, b"{}", 1_000, TOLERANCE_SECS),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_x", &h, BODY, 1_301, TOLERANCE_SECS),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn any_of_several_v1_signatures_may_match() {
        let good = sign("whsec_x", 1_000, BODY);
        let v1 = good.split_once("v1=").unwrap().1;
        let header = format!("t=1000,v1={},v0=abc,v1={v1}", "00".repeat(32));
        assert_eq!(
            verify("whsec_x", &header, BODY, 1_000, TOLERANCE_SECS),
            Ok(())
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        for h in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1000",
            "t=1000,v1=zz",
            "garbage",
        ] {
            assert_eq!(
                verify("whsec_x", h, BODY, 1_000, TOLERANCE_SECS),
                Err(SignatureError::Malformed),
                "{h}"
            );
        }
    }
}
