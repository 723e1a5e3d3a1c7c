//! Verifying password hashes imported from the Django service
//! (`pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`, Django's default hasher) as Django
//! verifies them; they are replaced by argon2id at the first right password.

use base64::Engine as _;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The prefix of the only Django scheme the old service used.
pub const PREFIX: &str = "pbkdf2_sha256$";

/// More rounds than any Django release uses: refused rather than run (an altered row must not
/// cost minutes of CPU).
const MAX_ITERATIONS: u32 = 10_000_000;

/// `Some(matches)` for a Django `pbkdf2_sha256` hash, `None` for anything else.
pub fn verify(password: &str, encoded: &str) -> Option<bool> {
    let rest = encoded.strip_prefix(PREFIX)?;
    let mut parts = rest.splitn(3, '$');
    let (iterations, salt, expected) = (parts.next()?, parts.next()?, parts.next()?);
    let iterations: u32 = iterations
        .parse()
        .ok()
        .filter(|n| (1..=MAX_ITERATIONS).contains(n))?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(expected)
        .ok()?;
    // PBKDF2-SHA256 as Django stores it: exactly one 32-byte block (a shorter, truncated value
    // would make guessing easy).
    if expected.len() != 32 {
        return None;
    }
    let mut derived = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    Some(bool::from(derived.ct_eq(&expected)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_made_by_django_verifies() {
        // users.id 267 of the old service's database (../shared/fixtures/django), whose password
        // its README gives.
        let encoded = "pbkdf2_sha256$1000000$FDp7FarjnptZzw9jFGfG2u$9vl8qBsWRCEBpWKlUE1l9dLosAS+emX3cQm7gs4kty4=";
        assert_eq!(verify("Buyer-Pass-2468", encoded), Some(true));
        assert_eq!(verify("buyer-pass-2468", encoded), Some(false));
    }

    #[test]
    fn anything_else_is_not_a_django_hash() {
        for other in [
            "$argon2id$v=19$m=19456,t=2,p=1$abc$def",
            "",
            "pbkdf2_sha256$",
            "pbkdf2_sha256$0$salt$AAAA",
            "pbkdf2_sha256$99999999999$salt$AAAA",
            "pbkdf2_sha256$1000$salt$not base64!",
            "pbkdf2_sha1$1000$salt$AAAA",
            // A truncated digest (16 bytes) is not accepted.
            "pbkdf2_sha256$1000$salt$AAAAAAAAAAAAAAAAAAAAAA==",
        ] {
            assert_eq!(verify("pw", other), None, "{other}");
        }
    }
}
