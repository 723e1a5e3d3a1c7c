//! Seller payouts: one row per (order, seller), moved from pending to succeeded exactly once.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use madeinpk_domain::ids::{OrderId, TransferId, UserId};
use madeinpk_domain::job::model::{JobPayload, NewJob};
use madeinpk_domain::money::{Currency, Money};
use madeinpk_domain::order::model::{OrderStatus, OrderType};
use madeinpk_domain::order::payment::{
    DueTransfer, OrderAwaitingPayout, ProviderAmount, RequeueRefusal, TransferStatus, TransferView,
};
use madeinpk_domain::order::ports::TransferRepository;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::job::queue::insert_job;
use crate::money::pkr;
use crate::schema::{
    order_sellers, orders, payments, payout_accounts, refund_sellers, refunds, seller_transfers,
    users,
};

/// The payout row of one seller for one order.
macro_rules! this {
    ($order:expr, $seller:expr) => {
        seller_transfers::order_id
            .eq($order.get())
            .and(seller_transfers::seller_id.eq($seller.get()))
    };
}

/// One pending payout row per seller of a paid order (existing rows are kept).
pub(crate) async fn create_payout_rows(
    conn: &mut AsyncPgConnection,
    order: i64,
    payment: i64,
) -> QueryResult<()> {
    let shares: Vec<(i64, BigDecimal, BigDecimal)> = order_sellers::table
        .filter(order_sellers::order_id.eq(order))
        .select((
            order_sellers::seller_id,
            order_sellers::seller_amount,
            order_sellers::platform_fee,
        ))
        .load(conn)
        .await?;
    let rows: Vec<_> = shares
        .into_iter()
        .map(|(seller, amount, fee)| {
            (
                seller_transfers::order_id.eq(order),
                seller_transfers::payment_id.eq(payment),
                seller_transfers::seller_id.eq(seller),
                seller_transfers::amount.eq(amount),
                seller_transfers::platform_fee.eq(fee),
            )
        })
        .collect();
    diesel::insert_into(seller_transfers::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Statuses in which an order has been paid for.
const PAID: [&str; 4] = ["paid", "shipped", "delivered", "partially_refunded"];

type ViewRow = (
    i64,
    i64,
    String,
    BigDecimal,
    BigDecimal,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

async fn views(conn: &mut AsyncPgConnection, order: i64) -> QueryResult<Vec<TransferView>> {
    let rows: Vec<ViewRow> = seller_transfers::table
        .inner_join(users::table.on(users::id.eq(seller_transfers::seller_id)))
        .filter(seller_transfers::order_id.eq(order))
        .select((
            seller_transfers::id,
            seller_transfers::seller_id,
            users::username,
            seller_transfers::amount,
            seller_transfers::platform_fee,
            seller_transfers::stripe_transfer_id,
            seller_transfers::status,
            seller_transfers::created_at,
            seller_transfers::completed_at,
        ))
        .order(seller_transfers::id)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| TransferView {
            id: TransferId(r.0),
            seller: UserId(r.1),
            seller_username: r.2,
            amount: pkr(&r.3),
            platform_fee: pkr(&r.4),
            provider_id: r.5,
            status: TransferStatus::parse(&r.6).unwrap_or(TransferStatus::Pending),
            created_at: r.7,
            completed_at: r.8,
        })
        .collect())
}

/// Id, number, type, status, total, created, paid.
type OwedRow = (
    i64,
    String,
    String,
    String,
    BigDecimal,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

/// Order number, destination account, amount, charge, payment intent, status.
type DueRow = (
    String,
    Option<String>,
    BigDecimal,
    Option<String>,
    Option<String>,
    String,
    BigDecimal,
    bool,
);

impl TransferRepository for Db {
    async fn due_transfer(
        &self,
        order: OrderId,
        seller: UserId,
    ) -> Result<Option<DueTransfer>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<DueRow> = seller_transfers::table
            .inner_join(orders::table)
            .left_join(
                payout_accounts::table.on(payout_accounts::user_id
                    .eq(seller_transfers::seller_id)
                    .and(payout_accounts::payouts_enabled)),
            )
            .inner_join(payments::table.on(payments::id.eq(seller_transfers::payment_id)))
            .inner_join(users::table.on(users::id.eq(seller_transfers::seller_id)))
            .filter(this!(order, seller))
            .select((
                orders::order_number,
                payout_accounts::account_id.nullable(),
                seller_transfers::amount,
                payments::charge_id,
                payments::payment_intent_id,
                seller_transfers::status,
                orders::total_amount,
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "COALESCE(lower(users.verified_email) = lower(users.email), false)",
                ),
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        let Some(r) = row else {
            return Ok(None);
        };
        // Every seller's amount: the parts a settled amount is shared by.
        let payouts: Vec<(i64, BigDecimal)> = order_sellers::table
            .filter(order_sellers::order_id.eq(order.get()))
            .select((order_sellers::seller_id, order_sellers::seller_amount))
            .order(order_sellers::seller_id)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Some(DueTransfer {
            order_id: order,
            order_number: r.0,
            seller,
            destination: r.1,
            amount: pkr(&r.2),
            order_total: pkr(&r.6),
            payouts: payouts
                .into_iter()
                .map(|(s, a)| (UserId(s), pkr(&a)))
                .collect(),
            charge: r.3,
            payment_intent: r.4,
            status: TransferStatus::parse(&r.5).unwrap_or(TransferStatus::Pending),
            seller_email_verified: r.7,
        }))
    }

    async fn transfer_succeeded(
        &self,
        order: OrderId,
        seller: UserId,
        transfer_id: String,
        paid: ProviderAmount,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        // No transfer id: refunds took the whole payout before it was made.
        let status = if transfer_id.is_empty() {
            TransferStatus::Reversed
        } else {
            TransferStatus::Succeeded
        };
        diesel::update(seller_transfers::table.filter(this!(order, seller).and(
            seller_transfers::status.eq_any([
                TransferStatus::Pending.as_str(),
                TransferStatus::Processing.as_str(),
            ]),
        )))
        .set((
            seller_transfers::status.eq(status.as_str()),
            seller_transfers::stripe_transfer_id.eq(transfer_id),
            seller_transfers::provider_amount.eq(paid.minor),
            seller_transfers::currency.eq(paid.currency.to_ascii_uppercase()),
            seller_transfers::completed_at.eq(now),
            seller_transfers::attempts.eq(seller_transfers::attempts + 1),
            seller_transfers::last_error.eq(None::<String>),
        ))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(())
    }

    async fn record_reversed(
        &self,
        transfer_id: String,
        amount_reversed: i64,
    ) -> Result<bool, StoreError> {
        if transfer_id.is_empty() {
            return Ok(false);
        }
        let mut conn = self.conn().await?;
        // One statement: the reversed amount only grows (reports come in any order), and a
        // transfer taken back whole is reversed.
        let updated = diesel::sql_query(
            "UPDATE seller_transfers SET \
               provider_reversed = GREATEST(provider_reversed, $2), \
               status = CASE WHEN status = 'succeeded' AND provider_amount IS NOT NULL \
                              AND GREATEST(provider_reversed, $2) >= provider_amount \
                             THEN 'reversed' ELSE status END \
             WHERE stripe_transfer_id = $1",
        )
        .bind::<diesel::sql_types::Text, _>(transfer_id)
        .bind::<diesel::sql_types::BigInt, _>(amount_reversed)
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(updated > 0)
    }

    async fn order_transfers(&self, order: OrderId) -> Result<Vec<TransferView>, StoreError> {
        let mut conn = self.conn().await?;
        views(&mut conn, order.get()).await.map_err(store)
    }

    async fn orders_awaiting_payout(&self) -> Result<Vec<OrderAwaitingPayout>, StoreError> {
        let mut conn = self.conn().await?;
        let owed = seller_transfers::table
            // Owed: not made yet (a payout refunded whole before it was made is settled).
            .filter(seller_transfers::status.eq_any([
                TransferStatus::Pending.as_str(),
                TransferStatus::Processing.as_str(),
                TransferStatus::Failed.as_str(),
            ]))
            .select(seller_transfers::order_id);
        let rows: Vec<OwedRow> = orders::table
            .filter(orders::status.eq_any(PAID).and(orders::id.eq_any(owed)))
            .select((
                orders::id,
                orders::order_number,
                orders::order_type,
                orders::status,
                orders::total_amount,
                orders::created_at,
                orders::paid_at,
            ))
            .order((orders::created_at.desc(), orders::id.desc()))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let sellers: Vec<(i64, i64, String, Option<bool>)> = order_sellers::table
            .inner_join(users::table.on(users::id.eq(order_sellers::seller_id)))
            .left_join(payout_accounts::table.on(payout_accounts::user_id.eq(users::id)))
            .filter(order_sellers::order_id.eq_any(&ids))
            .select((
                order_sellers::order_id,
                users::id,
                users::username,
                payout_accounts::payouts_enabled.nullable(),
            ))
            .order(users::id)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(rows
            .into_iter()
            .map(|r| OrderAwaitingPayout {
                order_id: OrderId(r.0),
                order_number: r.1,
                order_type: OrderType::parse(&r.2).unwrap_or(OrderType::Cart),
                status: OrderStatus::parse(&r.3).unwrap_or(OrderStatus::Paid),
                total: pkr(&r.4),
                created_at: r.5,
                paid_at: r.6,
                sellers: sellers
                    .iter()
                    .filter(|s| s.0 == r.0)
                    .map(|s| (UserId(s.1), s.2.clone(), s.3.unwrap_or(false)))
                    .collect(),
            })
            .collect())
    }

    async fn requeue_transfers(
        &self,
        order: OrderId,
        now: DateTime<Utc>,
    ) -> Result<Result<(Vec<TransferView>, usize), RequeueRefusal>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // One admin request per order at a time.
            let status: Option<String> = orders::table
                .find(order.get())
                .select(orders::status)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(status) = status else {
                return Ok(Err(RequeueRefusal::NoOrder));
            };
            if !PAID.contains(&status.as_str()) {
                let status = OrderStatus::parse(&status).unwrap_or(OrderStatus::PendingPayment);
                return Ok(Err(RequeueRefusal::NotPaid(status)));
            }
            let payment: Option<i64> = payments::table
                .filter(
                    payments::order_id
                        .eq(order.get())
                        .and(payments::status.eq("succeeded")),
                )
                .select(payments::id)
                .first(conn)
                .await
                .optional()?;
            let Some(payment) = payment else {
                return Ok(Err(RequeueRefusal::NoPayment));
            };
            create_payout_rows(conn, order.get(), payment).await?;
            diesel::update(
                seller_transfers::table.filter(
                    seller_transfers::order_id
                        .eq(order.get())
                        .and(seller_transfers::status.eq(TransferStatus::Failed.as_str())),
                ),
            )
            .set(seller_transfers::status.eq(TransferStatus::Pending.as_str()))
            .execute(conn)
            .await?;
            let owed: Vec<i64> = seller_transfers::table
                .filter(seller_transfers::order_id.eq(order.get()).and(
                    seller_transfers::status.eq_any([
                        TransferStatus::Pending.as_str(),
                        TransferStatus::Processing.as_str(),
                    ]),
                ))
                .select(seller_transfers::seller_id)
                .load(conn)
                .await?;
            for seller in &owed {
                // A fresh job key (the provider key stays per order and seller, so a payout that
                // went through meanwhile is never made twice).
                let job = NewJob::now(JobPayload::PayOutSeller {
                    order,
                    seller: UserId(*seller),
                })
                .unique(format!(
                    "transfer:{order}:{seller}:manual:{}",
                    now.timestamp_millis()
                ));
                insert_job(conn, &job).await?;
            }
            Ok(Ok((views(conn, order.get()).await?, owed.len())))
        })
        .await
        .map_err(store)
    }

    async fn transfer_failed(
        &self,
        order: OrderId,
        seller: UserId,
        error: String,
        then: TransferStatus,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(seller_transfers::table.filter(this!(order, seller).and(
            seller_transfers::status.eq_any([
                TransferStatus::Pending.as_str(),
                TransferStatus::Processing.as_str(),
            ]),
        )))
        .set((
            seller_transfers::status.eq(then.as_str()),
            seller_transfers::attempts.eq(seller_transfers::attempts + 1),
            seller_transfers::last_error.eq(error),
        ))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(())
    }

    async fn begin_transfer(
        &self,
        order: OrderId,
        seller: UserId,
    ) -> Result<Option<Money>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let status: Option<String> = seller_transfers::table
                .filter(this!(order, seller))
                .select(seller_transfers::status)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            if !matches!(
                status.as_deref().and_then(TransferStatus::parse),
                Some(TransferStatus::Pending | TransferStatus::Processing)
            ) {
                return Ok(None);
            }
            diesel::update(seller_transfers::table.filter(this!(order, seller)))
                .set(seller_transfers::status.eq(TransferStatus::Processing.as_str()))
                .execute(conn)
                .await?;
            // Netting happens only while the payout is pending (under this same lock), so
            // what is read here is final for this payout.
            let netted: Vec<BigDecimal> = refund_sellers::table
                .inner_join(refunds::table)
                .filter(
                    refunds::order_id
                        .eq(order.get())
                        .and(refund_sellers::seller_id.eq(seller.get()))
                        .and(refund_sellers::status.eq("netted")),
                )
                .select(refund_sellers::reversal)
                .load(conn)
                .await?;
            Ok(Some(
                netted
                    .iter()
                    .map(pkr)
                    .fold(Money::zero(Currency::Pkr), |sum, n| {
                        sum.checked_add(n).unwrap_or(sum)
                    }),
            ))
        })
        .await
        .map_err(store)
    }
}
