//! argon2id password hashing on the blocking pool (it is slow on purpose).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use madeinpk_domain::account::ports::PasswordHasher;
use madeinpk_domain::store::StoreError;
use rand::RngCore;

/// argon2id with the crate's recommended parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Argon2Hasher;

fn hash_now(password: &str) -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt =
        SaltString::encode_b64(&bytes).map_err(|e| StoreError::Other(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(format!("hashing failed: {e}")))
}

/// A real hash of a random password: unknown emails are verified against it so that a login
/// for a missing account costs as much time as one for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("dummy-password-never-matches").unwrap_or_default())
}

fn verify_now(password: &str, hash: &str) -> bool {
    if let Some(matches) = madeinpk_django_hash::verify(password, hash) {
        return matches;
    }
    let (hash, real) = match PasswordHash::new(hash) {
        Ok(h) => (h, true),
        Err(_) => match PasswordHash::new(dummy_hash()) {
            Ok(h) => (h, false),
            Err(_) => return false,
        },
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
        && real
}

/// At most this many hashes run at once. Each takes 19 MiB and a core for tens of
/// milliseconds; unbounded, a burst of sign-ups spread them over many blocking threads whose
/// allocator arenas kept the memory (3 GiB RSS after 1,000 registrations).
const CONCURRENT_HASHES: usize = 4;

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);

/// Imported Django hashes (1,000,000 PBKDF2 rounds each) wait on their own permits, so guesses
/// against imported accounts never queue ordinary sign-ins and sign-ups behind them.
static LEGACY_HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = HASHING.acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

async fn bounded_legacy<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _permit = LEGACY_HASHING.acquire().await.ok()?;
    tokio::task::spawn_blocking(work).await.ok()
}

impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: String) -> Result<String, StoreError> {
        bounded(move || hash_now(&password))
            .await
            .unwrap_or_else(|| Err(StoreError::Other("hashing task failed".into())))
    }

    async fn verify(&self, password: String, hash: String) -> bool {
        if hash.starts_with(madeinpk_django_hash::PREFIX) {
            return bounded_legacy(move || verify_now(&password, &hash))
                .await
                .unwrap_or(false);
        }
        bounded(move || verify_now(&password, &hash))
            .await
            .unwrap_or(false)
    }

    fn is_current(&self, hash: &str) -> bool {
        hash.starts_with("$argon2id$")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_now("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_now("correct horse", &h));
        assert!(!verify_now("wrong horse", &h));
        assert!(!verify_now("dummy-password-never-matches", ""));
    }
}
