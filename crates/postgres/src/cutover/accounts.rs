//! Users and DRF tokens.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamptz};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::cutover::accounts::{
    IMPORTED_TOKEN_CLIENT, LegacyUser, check_user, profile_picture,
};
use madeinpk_domain::cutover::report::{EntityReport, SumCheck};
use madeinpk_domain::store::StoreError;

use super::{BATCH, Import, ledger};
use crate::account::revocation::digest;
use crate::error::store;

#[derive(QueryableByName)]
struct UserRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    password: String,
    #[diesel(sql_type = Text)]
    first_name: String,
    #[diesel(sql_type = Text)]
    last_name: String,
    #[diesel(sql_type = Text)]
    phone_number: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Bool)]
    is_blocked: bool,
    #[diesel(sql_type = Bool)]
    is_active: bool,
    #[diesel(sql_type = Integer)]
    failed_payment_count: i32,
    #[diesel(sql_type = Nullable<Text>)]
    stripe_customer_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    stripe_account_id: Option<String>,
    #[diesel(sql_type = Text)]
    profile_picture: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Owner {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct TokenRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = Timestamptz)]
    created: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = Text)]
    total: String,
}

/// What happened to one row on our side.
enum Outcome {
    Imported,
    Present,
    Refused(String),
}

impl Import {
    /// Users, ids and Django hashes kept (upgraded at their first sign-in).
    pub(super) async fn users(&mut self) -> Result<EntityReport, StoreError> {
        let mut report = EntityReport::new("users");
        report.source_rows = self.source_count("users").await?;
        let mut after = 0i64;
        loop {
            let rows: Vec<UserRow> = diesel::sql_query(
                "SELECT id, username, email, password, first_name, last_name, phone_number,
                        role, is_blocked, is_active, failed_payment_count, stripe_customer_id,
                        stripe_account_id, COALESCE(profile_picture, '') AS profile_picture,
                        created_at, updated_at
                 FROM users WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind::<BigInt, _>(after)
            .bind::<BigInt, _>(BATCH)
            .load(&mut self.source)
            .await
            .map_err(store)?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in rows {
                match self.user(&row).await? {
                    Outcome::Imported => report.imported += 1,
                    Outcome::Present => report.already_present += 1,
                    Outcome::Refused(reason) => report.refuse(row.id, reason),
                }
            }
            self.tick(&report);
        }
        let sum = "SELECT COALESCE(sum(failed_payment_count), 0)::text AS total FROM users";
        let source: Total = diesel::sql_query(sum)
            .get_result(&mut self.source)
            .await
            .map_err(store)?;
        let ours: Total = diesel::sql_query(sum)
            .get_result(&mut self.target)
            .await
            .map_err(store)?;
        report.sums.push(SumCheck {
            label: "sum(failed_payment_count)".into(),
            source: source.total,
            imported: ours.total,
        });
        self.remember_refused(&report);
        Ok(report)
    }

    async fn user(&mut self, row: &UserRow) -> Result<Outcome, StoreError> {
        let legacy = LegacyUser {
            id: row.id,
            username: row.username.clone(),
            email: row.email.clone(),
            password: row.password.clone(),
            role: row.role.clone(),
            is_active: row.is_active,
            profile_picture: row.profile_picture.clone(),
        };
        let role = match check_user(&legacy) {
            Ok(role) => role,
            Err(why) => return Ok(Outcome::Refused(why.to_string())),
        };
        let key = [row.id.to_string()];
        if !ledger::recorded(&mut self.target, "users", &key)
            .await?
            .is_empty()
        {
            return Ok(Outcome::Present);
        }
        let conn = &mut self.target;
        // The same id with the same email is this account, imported before; with another
        // email it is somebody else's.
        let present: Option<Owner> = diesel::sql_query(
            "SELECT CASE WHEN lower(email) = lower($2) THEN 1 ELSE 0 END::bigint AS id
             FROM users WHERE id = $1",
        )
        .bind::<BigInt, _>(row.id)
        .bind::<Text, _>(&row.email)
        .get_result(conn)
        .await
        .optional()
        .map_err(store)?;
        match present {
            Some(Owner { id: 1 }) => {
                ledger::record(conn, "users", &key).await.map_err(store)?;
                return Ok(Outcome::Present);
            }
            Some(_) => {
                return Ok(Outcome::Refused(format!(
                    "id {} belongs to another account here",
                    row.id
                )));
            }
            None => {}
        }
        // Our emails and usernames are unique regardless of case; another account holding
        // either is reported, not merged.
        let taken: Option<Owner> = diesel::sql_query(
            "SELECT id FROM users
             WHERE lower(email) = lower($1) OR lower(username) = lower($2) LIMIT 1",
        )
        .bind::<Text, _>(&row.email)
        .bind::<Text, _>(&row.username)
        .get_result(conn)
        .await
        .optional()
        .map_err(store)?;
        if let Some(other) = taken {
            return Ok(Outcome::Refused(format!(
                "its email or username belongs to another account here (id {})",
                other.id
            )));
        }
        let inserted = diesel::sql_query(
            "INSERT INTO users (id, username, email, password_hash, first_name, last_name,
                 phone_number, profile_picture, role, is_blocked, is_active,
                 failed_payment_count, stripe_customer_id, stripe_account_id, created_at,
                 updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT DO NOTHING",
        )
        .bind::<BigInt, _>(row.id)
        .bind::<Text, _>(&row.username)
        .bind::<Text, _>(&row.email)
        .bind::<Text, _>(&row.password)
        .bind::<Text, _>(&row.first_name)
        .bind::<Text, _>(&row.last_name)
        .bind::<Text, _>(&row.phone_number)
        .bind::<Nullable<Text>, _>(profile_picture(&row.profile_picture))
        .bind::<Text, _>(role.as_str())
        .bind::<Bool, _>(row.is_blocked)
        .bind::<Bool, _>(row.is_active)
        .bind::<Integer, _>(row.failed_payment_count.max(0))
        .bind::<Nullable<Text>, _>(&row.stripe_customer_id)
        .bind::<Nullable<Text>, _>(&row.stripe_account_id)
        .bind::<Timestamptz, _>(row.created_at)
        .bind::<Timestamptz, _>(row.updated_at)
        .execute(conn)
        .await
        .map_err(store)?;
        ledger::record(conn, "users", &key).await.map_err(store)?;
        Ok(if inserted == 1 {
            Outcome::Imported
        } else {
            Outcome::Present
        })
    }

    /// DRF tokens, stored as their SHA-256 like ours: the key in a browser keeps working until
    /// it idles out (counted from the import).
    pub(super) async fn tokens(&mut self) -> Result<EntityReport, StoreError> {
        let mut report = EntityReport::new("api_tokens");
        report.source_rows = self.source_count("authtoken_token").await?;
        let mut after = String::new();
        loop {
            let rows: Vec<TokenRow> = diesel::sql_query(
                "SELECT key, user_id, created FROM authtoken_token
                 WHERE key > $1 ORDER BY key LIMIT $2",
            )
            .bind::<Text, _>(&after)
            .bind::<BigInt, _>(BATCH)
            .load(&mut self.source)
            .await
            .map_err(store)?;
            let Some(last) = rows.last() else { break };
            after = last.key.clone();
            // A refused user's id may be another account's here: their tokens must not attach.
            let refused_users = self.refused.get("users").cloned().unwrap_or_default();
            // Tokens are recorded by their hash, never by their key.
            let hashes: Vec<String> = rows.iter().map(|r| hex::encode(digest(&r.key))).collect();
            let done = ledger::recorded(&mut self.target, "api_tokens", &hashes).await?;
            let outcomes = self
                .target
                .transaction::<_, diesel::result::Error, _>(async |conn| {
                    let mut outcomes = Vec::with_capacity(rows.len());
                    for (row, hash) in rows.iter().zip(&hashes) {
                        let owner: Option<Owner> =
                            diesel::sql_query("SELECT id FROM users WHERE id = $1")
                                .bind::<BigInt, _>(row.user_id)
                                .get_result(conn)
                                .await
                                .optional()?;
                        let present: Option<Owner> =
                            diesel::sql_query("SELECT id FROM api_tokens WHERE key_hash = $1")
                                .bind::<diesel::sql_types::Bytea, _>(digest(&row.key))
                                .get_result(conn)
                                .await
                                .optional()?;
                        let outcome = if done.contains(hash) || present.is_some() {
                            Outcome::Present
                        } else if owner.is_none() || refused_users.contains(&row.user_id) {
                            Outcome::Refused(format!("its user {} was not imported", row.user_id))
                        } else {
                            diesel::sql_query(
                                "INSERT INTO api_tokens (user_id, key_hash, created_at,
                                     last_used_at, client)
                                 VALUES ($1, $2, $3, now(), $4) ON CONFLICT DO NOTHING",
                            )
                            .bind::<BigInt, _>(row.user_id)
                            .bind::<diesel::sql_types::Bytea, _>(digest(&row.key))
                            .bind::<Timestamptz, _>(row.created)
                            .bind::<Text, _>(IMPORTED_TOKEN_CLIENT)
                            .execute(conn)
                            .await?;
                            ledger::record(conn, "api_tokens", std::slice::from_ref(hash)).await?;
                            Outcome::Imported
                        };
                        outcomes.push((row.key.chars().take(6).collect::<String>(), outcome));
                    }
                    Ok(outcomes)
                })
                .await
                .map_err(store)?;
            for (key_start, outcome) in outcomes {
                match outcome {
                    Outcome::Imported => report.imported += 1,
                    Outcome::Present => report.already_present += 1,
                    // A token is named by its first characters only: the report is not a key.
                    Outcome::Refused(reason) => report.refuse(format!("{key_start}…"), reason),
                }
            }
            self.tick(&report);
        }
        Ok(report)
    }
}
