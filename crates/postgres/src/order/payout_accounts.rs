//! Sellers' payout accounts, kept current by provider reports; the payout-readiness check.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::catalog::ports::PayoutReadiness;
use madeinpk_domain::ids::{OrderId, UserId};
use madeinpk_domain::job::model::{JobPayload, NewJob};
use madeinpk_domain::order::payment::{AccountUpdate, PayoutAccount, TransferStatus};
use madeinpk_domain::order::ports::PayoutAccountRepository;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::{store, unique_violation};
use crate::job::queue::insert_job;
use crate::schema::{payout_accounts, seller_transfers, users};

impl PayoutAccountRepository for Db {
    async fn payout_account(&self, user: UserId) -> Result<Option<PayoutAccount>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(String, bool, bool, bool, serde_json::Value)> = payout_accounts::table
            .find(user.get())
            .select((
                payout_accounts::account_id,
                payout_accounts::details_submitted,
                payout_accounts::charges_enabled,
                payout_accounts::payouts_enabled,
                payout_accounts::requirements,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|r| PayoutAccount {
            account_id: r.0,
            details_submitted: r.1,
            charges_enabled: r.2,
            payouts_enabled: r.3,
            requirements: r.4,
        }))
    }

    async fn save_payout_account(
        &self,
        user: UserId,
        account_id: String,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let inserted = diesel::insert_into(payout_accounts::table)
                .values((
                    payout_accounts::user_id.eq(user.get()),
                    payout_accounts::account_id.eq(&account_id),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            if inserted == 1 {
                diesel::update(users::table.find(user.get()))
                    .set(users::stripe_account_id.eq(&account_id))
                    .execute(conn)
                    .await?;
            }
            Ok(inserted == 1)
        })
        .await
        .or_else(|e| {
            if unique_violation(&e).is_some() {
                Ok(false)
            } else {
                Err(store(e))
            }
        })
    }

    async fn apply_account_update(
        &self,
        update: AccountUpdate,
    ) -> Result<Option<UserId>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let seller: Option<i64> = diesel::update(
                payout_accounts::table.filter(
                    payout_accounts::account_id.eq(&update.account_id).and(
                        payout_accounts::last_event_at
                            .is_null()
                            .or(payout_accounts::last_event_at.le(update.created)),
                    ),
                ),
            )
            .set((
                payout_accounts::details_submitted.eq(update.details_submitted),
                payout_accounts::charges_enabled.eq(update.charges_enabled),
                payout_accounts::payouts_enabled.eq(update.payouts_enabled),
                payout_accounts::requirements.eq(&update.requirements),
                payout_accounts::last_event_at.eq(update.created),
                payout_accounts::updated_at.eq(Utc::now()),
            ))
            .returning(payout_accounts::user_id)
            .get_result(conn)
            .await
            .optional()?;
            let Some(seller) = seller else {
                return Ok(None);
            };
            if update.payouts_enabled {
                // Payouts held for this seller go out now (the provider key is unchanged).
                queue_held_payouts(conn, seller, &format!("ready:{}", update.created)).await?;
            }
            Ok(Some(UserId(seller)))
        })
        .await
        .map_err(store)
    }
}

/// Queues a payout job for each of the seller's pending transfers (held ones go out; the
/// provider key is unchanged, so one already on its way is not paid twice); `occasion` makes
/// the jobs' keys unique to what released them.
pub(crate) async fn queue_held_payouts(
    conn: &mut diesel_async::AsyncPgConnection,
    seller: i64,
    occasion: &str,
) -> QueryResult<()> {
    let waiting: Vec<i64> = seller_transfers::table
        .filter(
            seller_transfers::seller_id
                .eq(seller)
                .and(seller_transfers::status.eq(TransferStatus::Pending.as_str())),
        )
        .select(seller_transfers::order_id)
        .load(conn)
        .await?;
    for order in waiting {
        let job = NewJob::now(JobPayload::PayOutSeller {
            order: OrderId(order),
            seller: UserId(seller),
        })
        .unique(format!("transfer:{order}:{seller}:{occasion}"));
        insert_job(conn, &job).await?;
    }
    Ok(())
}

impl PayoutReadiness for Db {
    async fn can_receive_payouts(&self, seller: UserId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let ready: Option<bool> = payout_accounts::table
            .find(seller.get())
            .select(payout_accounts::payouts_enabled)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(ready.unwrap_or(false))
    }

    async fn email_verified(&self, seller: UserId) -> Result<bool, StoreError> {
        madeinpk_domain::account::ports::EmailVerificationStore::is_verified(self, seller).await
    }
}
