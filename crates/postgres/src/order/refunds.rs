//! Refunds. Recording one is a single transaction under a lock on the order: the domain plans it
//! from the locked ledgers, then the ledgers, refunded quantities, restock, status and outbox are
//! written together (CHECK constraints keep refunds within what was paid). The provider side is
//! done by a job, step by step, each step recorded as it succeeds.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::ids::{OrderItemId, RefundId, UserId};
use madeinpk_domain::money::{Currency, Money};
use madeinpk_domain::order::model::{OrderError, OrderStatus};
use madeinpk_domain::order::payment::{ProviderAmount, TransferStatus};
use madeinpk_domain::order::ports::{RefundOutbox, RefundRepository};
use madeinpk_domain::order::refund::{
    Netting, NewRefund, RefundPlanner, RefundRecord, RefundState, RefundWork, RefundableLine,
    ReversalWork, SellerLedger,
};
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::money::{pkr, to_numeric};
use crate::order::order_rows::{load_order, parties};
use crate::order::placing::PlaceError;
use crate::order::stock::give_back;
use crate::schema::{
    order_items, order_sellers, orders, payments, refund_items, refund_sellers, refunds,
    seller_transfers,
};

type LedgerRow = (i64, BigDecimal, BigDecimal, BigDecimal, BigDecimal);
type TransferRow = (i64, String, String, Option<i64>, String);

impl RefundRepository for Db {
    async fn record_refund(
        &self,
        refund: NewRefund,
        plan: RefundPlanner,
        outbox: RefundOutbox,
    ) -> Result<Option<RefundRecord>, OrderError> {
        let mut conn = self.conn().await?;
        let order = refund.order.get();
        let result = conn
            .transaction::<_, PlaceError, _>(async move |conn| {
                let status: Option<String> = orders::table
                    .find(order)
                    .select(orders::status)
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                let Some(status) = status else {
                    return Ok(None);
                };
                let lines: Vec<(i64, i64, i32, i32, BigDecimal)> = order_items::table
                    .filter(order_items::order_id.eq(order))
                    .select((
                        order_items::id,
                        order_items::seller_id,
                        order_items::quantity,
                        order_items::refunded_quantity,
                        order_items::unit_price,
                    ))
                    .order(order_items::id)
                    .load(conn)
                    .await?;
                let ledgers: Vec<LedgerRow> = order_sellers::table
                    .filter(order_sellers::order_id.eq(order))
                    .select((
                        order_sellers::seller_id,
                        order_sellers::subtotal,
                        order_sellers::platform_fee,
                        order_sellers::refunded,
                        order_sellers::fee_refunded,
                    ))
                    .order(order_sellers::seller_id)
                    .load(conn)
                    .await?;
                let state = RefundState {
                    status: OrderStatus::parse(&status).unwrap_or(OrderStatus::PendingPayment),
                    lines: lines
                        .iter()
                        .map(|l| RefundableLine {
                            item: OrderItemId(l.0),
                            seller: UserId(l.1),
                            quantity: l.2,
                            refunded_quantity: l.3,
                            unit_price: pkr(&l.4),
                        })
                        .collect(),
                    ledgers: ledgers
                        .iter()
                        .map(|l| SellerLedger {
                            seller: UserId(l.0),
                            subtotal: pkr(&l.1),
                            fee: pkr(&l.2),
                            refunded: pkr(&l.3),
                            fee_refunded: pkr(&l.4),
                        })
                        .collect(),
                };
                let Some(plan) = plan(&state).map_err(PlaceError::Refused)? else {
                    return Ok(None);
                };
                // A refund made at the provider already only has its reversals left.
                let at_provider = refund.provider_refund_id.clone();
                let id: i64 = diesel::insert_into(refunds::table)
                    .values((
                        refunds::order_id.eq(order),
                        refunds::amount.eq(to_numeric(plan.amount)),
                        refunds::reason.eq(&refund.reason),
                        refunds::restock.eq(refund.restock),
                        refunds::requested_by.eq(refund.requested_by.map(UserId::get)),
                        refunds::created_at.eq(refund.now),
                        refunds::provider_refund_id.eq(at_provider.clone().unwrap_or_default()),
                        refunds::status.eq(if at_provider.is_some() {
                            "succeeded"
                        } else {
                            "pending"
                        }),
                        refunds::completed_at.eq(at_provider.map(|_| refund.now)),
                    ))
                    .returning(refunds::id)
                    .get_result(conn)
                    .await?;
                for part in &plan.sellers {
                    let status = if part.reversal.is_zero() {
                        "succeeded"
                    } else {
                        "pending"
                    };
                    diesel::insert_into(refund_sellers::table)
                        .values((
                            refund_sellers::refund_id.eq(id),
                            refund_sellers::seller_id.eq(part.seller.get()),
                            refund_sellers::amount.eq(to_numeric(part.amount)),
                            refund_sellers::platform_fee.eq(to_numeric(part.fee)),
                            refund_sellers::reversal.eq(to_numeric(part.reversal)),
                            refund_sellers::status.eq(status),
                        ))
                        .execute(conn)
                        .await?;
                    diesel::update(
                        order_sellers::table.filter(
                            order_sellers::order_id
                                .eq(order)
                                .and(order_sellers::seller_id.eq(part.seller.get())),
                        ),
                    )
                    .set((
                        order_sellers::refunded
                            .eq(order_sellers::refunded + to_numeric(part.amount)),
                        order_sellers::fee_refunded
                            .eq(order_sellers::fee_refunded + to_numeric(part.fee)),
                    ))
                    .execute(conn)
                    .await?;
                }
                let mut restocked = Vec::new();
                for &(item, quantity) in &plan.items {
                    diesel::insert_into(refund_items::table)
                        .values((
                            refund_items::refund_id.eq(id),
                            refund_items::order_item_id.eq(item.get()),
                            refund_items::quantity.eq(quantity),
                        ))
                        .execute(conn)
                        .await?;
                    let listing: Option<i64> = diesel::update(order_items::table.find(item.get()))
                        .set(
                            order_items::refunded_quantity
                                .eq(order_items::refunded_quantity + quantity),
                        )
                        .returning(order_items::listing_id)
                        .get_result(conn)
                        .await?;
                    if let Some(listing) = listing {
                        restocked.push((listing, quantity));
                    }
                }
                if refund.restock {
                    give_back(conn, &mut restocked).await?;
                }
                let to = if plan.completes {
                    OrderStatus::Refunded
                } else {
                    OrderStatus::PartiallyRefunded
                };
                diesel::update(orders::table.find(order))
                    .set((
                        orders::status.eq(to.as_str()),
                        orders::updated_at.eq(refund.now),
                    ))
                    .execute(conn)
                    .await?;
                let Some(after) = load_order(conn, order).await? else {
                    return Ok(None);
                };
                let (buyer, sellers) = parties(conn, &after).await?;
                let refund_id = RefundId(id);
                crate::outbox::write(conn, outbox(&after, &buyer, &sellers, refund_id, &plan))
                    .await?;
                Ok(Some(RefundRecord {
                    id: refund_id,
                    plan,
                }))
            })
            .await;
        match result {
            Ok(done) => Ok(done),
            Err(PlaceError::Refused(e)) => Err(e),
            Err(PlaceError::Db(e)) => Err(OrderError::Store(store(e))),
        }
    }

    async fn refund_work(&self, refund: RefundId) -> Result<Option<RefundWork>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(i64, BigDecimal, String, String)> = refunds::table
            .find(refund.get())
            .select((
                refunds::order_id,
                refunds::amount,
                refunds::provider_refund_id,
                refunds::status,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        let Some((order, amount, provider, status)) = row else {
            return Ok(None);
        };
        let payment_intent: Option<Option<String>> = payments::table
            .filter(payments::order_id.eq(order))
            .select(payments::payment_intent_id)
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        let parts: Vec<(i64, BigDecimal, String)> = refund_sellers::table
            .filter(refund_sellers::refund_id.eq(refund.get()))
            .select((
                refund_sellers::seller_id,
                refund_sellers::reversal,
                refund_sellers::status,
            ))
            .order(refund_sellers::seller_id)
            .load(&mut conn)
            .await
            .map_err(store)?;
        let transfers: Vec<TransferRow> = seller_transfers::table
            .filter(seller_transfers::order_id.eq(order))
            .select((
                seller_transfers::seller_id,
                seller_transfers::status,
                seller_transfers::stripe_transfer_id,
                seller_transfers::provider_amount,
                seller_transfers::currency,
            ))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let amounts: Vec<(i64, BigDecimal)> = order_sellers::table
            .filter(order_sellers::order_id.eq(order))
            .select((order_sellers::seller_id, order_sellers::seller_amount))
            .load(&mut conn)
            .await
            .map_err(store)?;
        // What each seller's earlier refunds of this order took back (refunds are planned one
        // at a time under the order's lock, so earlier ids are settled history).
        let earlier: Vec<(i64, BigDecimal)> = refund_sellers::table
            .inner_join(refunds::table)
            .filter(
                refunds::order_id
                    .eq(order)
                    .and(refunds::id.lt(refund.get())),
            )
            .select((refund_sellers::seller_id, refund_sellers::reversal))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let zero = Money::zero(Currency::Pkr);
        Ok(Some(RefundWork {
            refund,
            payment_intent: payment_intent.flatten(),
            amount: pkr(&amount),
            provider_refund_id: (status == "succeeded").then_some(provider),
            reversals: parts
                .into_iter()
                .map(|(seller, reversal, status)| {
                    let transfer = transfers.iter().find(|t| t.0 == seller);
                    ReversalWork {
                        seller: UserId(seller),
                        amount: pkr(&reversal),
                        done: status == "succeeded" || status == "netted",
                        transfer_status: transfer.and_then(|t| TransferStatus::parse(&t.1)),
                        transfer_id: transfer.map(|t| t.2.clone()).unwrap_or_default(),
                        transferred: transfer.and_then(|t| {
                            t.3.map(|minor| ProviderAmount {
                                minor,
                                currency: t.4.to_ascii_lowercase(),
                            })
                        }),
                        seller_amount: amounts
                            .iter()
                            .find(|a| a.0 == seller)
                            .map_or(zero, |a| pkr(&a.1)),
                        reversed_before: earlier
                            .iter()
                            .filter(|e| e.0 == seller)
                            .map(|e| pkr(&e.1))
                            .fold(zero, |sum, r| sum.checked_add(r).unwrap_or(sum)),
                    }
                })
                .collect(),
        }))
    }

    async fn refund_sent(
        &self,
        refund: RefundId,
        provider_id: String,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(refunds::table.find(refund.get()))
            .set((
                refunds::provider_refund_id.eq(provider_id),
                refunds::status.eq("succeeded"),
                refunds::completed_at.eq(now),
            ))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(())
    }

    async fn reversal_sent(
        &self,
        refund: RefundId,
        seller: UserId,
        provider_id: String,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            diesel::update(
                refund_sellers::table.filter(
                    refund_sellers::refund_id
                        .eq(refund.get())
                        .and(refund_sellers::seller_id.eq(seller.get())),
                ),
            )
            .set((
                refund_sellers::status.eq("succeeded"),
                refund_sellers::provider_reversal_id.eq(provider_id),
            ))
            .execute(conn)
            .await?;
            // A seller whose whole part was refunded has their payout marked reversed.
            let order: i64 = refunds::table
                .find(refund.get())
                .select(refunds::order_id)
                .first(conn)
                .await?;
            let fully: i64 = order_sellers::table
                .filter(
                    order_sellers::order_id
                        .eq(order)
                        .and(order_sellers::seller_id.eq(seller.get()))
                        .and(order_sellers::refunded.eq(order_sellers::subtotal)),
                )
                .count()
                .get_result(conn)
                .await?;
            if fully == 1 {
                diesel::update(
                    seller_transfers::table.filter(
                        seller_transfers::order_id
                            .eq(order)
                            .and(seller_transfers::seller_id.eq(seller.get()))
                            .and(seller_transfers::status.eq(TransferStatus::Succeeded.as_str())),
                    ),
                )
                .set(seller_transfers::status.eq(TransferStatus::Reversed.as_str()))
                .execute(conn)
                .await?;
            }
            Ok(())
        })
        .await
        .map_err(store)
    }

    async fn net_reversal(&self, refund: RefundId, seller: UserId) -> Result<Netting, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let order: i64 = refunds::table
                .find(refund.get())
                .select(refunds::order_id)
                .first(conn)
                .await?;
            // The payout's lock: the payout job takes it before sending (begin_transfer).
            let status: Option<String> = seller_transfers::table
                .filter(
                    seller_transfers::order_id
                        .eq(order)
                        .and(seller_transfers::seller_id.eq(seller.get())),
                )
                .select(seller_transfers::status)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let outcome = match status.as_deref().and_then(TransferStatus::parse) {
                Some(TransferStatus::Processing) => Netting::InFlight,
                Some(TransferStatus::Succeeded | TransferStatus::Reversed) => Netting::Transferred,
                // Pending, failed (nothing was paid), or no payout row at all.
                _ => Netting::Netted,
            };
            if outcome == Netting::Netted {
                diesel::update(
                    refund_sellers::table.filter(
                        refund_sellers::refund_id
                            .eq(refund.get())
                            .and(refund_sellers::seller_id.eq(seller.get()))
                            .and(refund_sellers::status.eq("pending")),
                    ),
                )
                .set(refund_sellers::status.eq("netted"))
                .execute(conn)
                .await?;
            }
            Ok(outcome)
        })
        .await
        .map_err(store)
    }
}
