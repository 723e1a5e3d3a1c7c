//! Ending sign-ins: the hash a token is stored under, and signing an account out everywhere.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::ids::UserId;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::schema::api_tokens;

/// A new secret token: 32 random bytes as hex, shown once (API keys, reset and verification
/// links).
pub(crate) fn fresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What a token (API key or emailed link) is stored under: its SHA-256.
pub(crate) fn digest(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Deletes the user's tokens (but `keep`), console sessions and sign-ins waiting for a code;
/// the next request of each is refused, on every instance, since every request reads its token
/// from the database.
pub(crate) async fn sign_out(
    conn: &mut AsyncPgConnection,
    user: UserId,
    keep: Option<&str>,
) -> QueryResult<()> {
    let mine = api_tokens::table.filter(api_tokens::user_id.eq(user.get()));
    match keep {
        Some(key) => {
            diesel::delete(mine.filter(api_tokens::key_hash.ne(digest(key))))
                .execute(conn)
                .await?
        }
        None => diesel::delete(mine).execute(conn).await?,
    };
    // A sign-in waiting for its code ends too.
    diesel::sql_query("DELETE FROM two_factor_challenges WHERE user_id = $1")
        .bind::<diesel::sql_types::BigInt, _>(user.get())
        .execute(conn)
        .await?;
    diesel::sql_query("DELETE FROM console_sessions WHERE user_id = $1")
        .bind::<diesel::sql_types::BigInt, _>(user.get())
        .execute(conn)
        .await?;
    Ok(())
}
