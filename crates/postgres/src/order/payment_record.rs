//! Recording payments: each provider event once, the checkout session an order waits on, and a
//! payment the order cannot take queued for refund.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::ids::OrderId;
use madeinpk_domain::order::checkout::{PaymentReceipt, PaymentRecorded};
use madeinpk_domain::order::model::OrderStatus;
use madeinpk_domain::order::payment::PaymentSession;
use madeinpk_domain::order::payment_service::{returned_job, returned_outbox};
use madeinpk_domain::order::ports::OrderOutbox;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::job::queue::insert_job;
use crate::money::to_numeric;
use crate::order::order_rows::write_outbox;
use crate::order::placing::{lock_stock, take_units};
use crate::schema::{listings, order_items, orders, payment_events, payments};

/// Queues the refund of a payment the order cannot take, and tells the buyer.
async fn return_payment(
    conn: &mut AsyncPgConnection,
    id: i64,
    payment: &PaymentReceipt,
) -> QueryResult<()> {
    // Checkout reports one payment by two events (session completed, intent succeeded):
    // the refund job is unique per order, and the buyer is told only when it is queued.
    if insert_job(conn, &returned_job(OrderId(id), payment)).await? {
        let receipt = payment.clone();
        write_outbox(
            conn,
            id,
            Box::new(move |o, buyer, _| returned_outbox(o, buyer, &receipt)),
        )
        .await?;
    }
    Ok(())
}

/// Records a provider event once; false when it was already recorded.
pub(crate) async fn first_delivery(
    conn: &mut AsyncPgConnection,
    event: Option<&str>,
    order: i64,
) -> QueryResult<bool> {
    let Some(event) = event else {
        return Ok(true);
    };
    let inserted = diesel::insert_into(payment_events::table)
        .values((
            payment_events::id.eq(event),
            payment_events::order_id.eq(order),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

pub(super) async fn record_payment(
    db: &Db,
    order: OrderId,
    payment: PaymentReceipt,
    now: DateTime<Utc>,
    outbox: OrderOutbox,
) -> Result<PaymentRecorded, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
        if !first_delivery(conn, payment.event.as_deref(), order.get()).await? {
            return Ok(PaymentRecorded::AlreadyApplied);
        }
        let status: Option<String> = orders::table
            .find(order.get())
            .select(orders::status)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some(status) = status.as_deref().and_then(OrderStatus::parse) else {
            return Ok(PaymentRecorded::AlreadyApplied);
        };
        if status == OrderStatus::Cancelled {
            // The buyer cancelled, then paid through a session still open: the money goes
            // back (queued here, with the event); the order stays cancelled.
            return_payment(conn, order.get(), &payment).await?;
            return Ok(PaymentRecorded::StockGone);
        }
        if !status.can_become(OrderStatus::Paid) {
            return Ok(PaymentRecorded::AlreadyApplied);
        }
        if status != OrderStatus::PendingPayment {
            // Its units went back on sale: take them again if they are still there.
            let lines: Vec<(i64, i32)> = order_items::table
                .filter(
                    order_items::order_id
                        .eq(order.get())
                        .and(order_items::listing_id.is_not_null()),
                )
                .select((
                    order_items::listing_id.assume_not_null(),
                    order_items::quantity,
                ))
                .order(order_items::listing_id)
                .load(conn)
                .await?;
            let takes: Vec<(i64, i32, i32)> = lines.iter().map(|&(l, q)| (l, q, 0)).collect();
            let ids: Vec<i64> = lines.iter().map(|l| l.0).collect();
            lock_stock(conn, &ids).await?;
            let available: Vec<(i64, i32, i32)> = listings::table
                .filter(listings::id.eq_any(&ids))
                .select((
                    listings::id,
                    listings::quantity,
                    listings::reserved_quantity,
                ))
                .load(conn)
                .await?;
            let enough = lines.iter().all(|(l, q)| {
                available
                    .iter()
                    .any(|(id, quantity, reserved)| id == l && quantity - reserved >= *q)
            });
            if !enough || !take_units(conn, &takes).await? {
                return_payment(conn, order.get(), &payment).await?;
                return Ok(PaymentRecorded::StockGone);
            }
        }
        diesel::update(orders::table.find(order.get()))
            .set((
                orders::status.eq(OrderStatus::Paid.as_str()),
                orders::paid_at.eq(now),
                orders::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        if let Some(pi) = &payment.payment_intent {
            diesel::update(orders::table.find(order.get()))
                .set(orders::payment_reference.eq(pi))
                .execute(conn)
                .await?;
        }
        // A won auction is completed once paid; a winner who had no address when it ended
        // ships to the one they have now.
        diesel::sql_query(
            "UPDATE auctions SET status = 'completed', updated_at = $2 FROM orders o \
             WHERE o.id = $1 AND o.auction_id = auctions.id AND auctions.status = 'ended'",
        )
        .bind::<BigInt, _>(order.get())
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .execute(conn)
        .await?;
        diesel::sql_query(
            "UPDATE orders SET shipping_address_id = (SELECT a.id FROM addresses a \
               WHERE a.user_id = orders.buyer_id ORDER BY a.is_default DESC, a.id DESC LIMIT 1) \
             WHERE id = $1 AND shipping_address_id IS NULL",
        )
        .bind::<BigInt, _>(order.get())
        .execute(conn)
        .await?;
        let payment_id: i64 = diesel::insert_into(payments::table)
            .values((
                payments::order_id.eq(order.get()),
                payments::payment_intent_id.eq(&payment.payment_intent),
                payments::charge_id.eq(&payment.charge),
                payments::amount.eq(to_numeric(payment.amount)),
                payments::status.eq("succeeded"),
                payments::completed_at.eq(now),
            ))
            .on_conflict(payments::order_id)
            .do_update()
            .set((
                payments::status.eq("succeeded"),
                payments::completed_at.eq(now),
                payments::updated_at.eq(now),
            ))
            .returning(payments::id)
            .get_result(conn)
            .await?;
        crate::order::transfers::create_payout_rows(conn, order.get(), payment_id).await?;
        Ok(match write_outbox(conn, order.get(), outbox).await? {
            Some(o) => PaymentRecorded::Paid(Box::new(o)),
            None => PaymentRecorded::AlreadyApplied,
        })
    })
    .await
    .map_err(store)
}

pub(super) async fn attach_session(
    db: &Db,
    order: OrderId,
    session: PaymentSession,
) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    diesel::update(
        orders::table.filter(
            orders::id
                .eq(order.get())
                .and(orders::status.eq(OrderStatus::PendingPayment.as_str())),
        ),
    )
    .set((
        orders::payment_reference.eq(session.id),
        orders::payment_url.eq(session.url),
        // The provider keeps the session open longer than asked: the order waits as long.
        session
            .expires_at
            .map(|deadline| orders::payment_deadline.eq(deadline)),
        orders::updated_at.eq(Utc::now()),
    ))
    .execute(&mut conn)
    .await
    .map_err(store)?;
    Ok(())
}
