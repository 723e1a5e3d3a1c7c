//! Seller payouts: one row per (order, seller), moved from pending to succeeded exactly once.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use madeinpk_domain::ids::{OrderId, UserId};
use madeinpk_domain::payment::{DueTransfer, TransferStatus};
use madeinpk_domain::ports::TransferRepository;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::money::pkr;
use crate::schema::{orders, payments, seller_transfers, users};

/// The payout row of one seller for one order.
macro_rules! this {
    ($order:expr, $seller:expr) => {
        seller_transfers::order_id
            .eq($order.get())
            .and(seller_transfers::seller_id.eq($seller.get()))
    };
}

/// Order number, destination account, amount, charge, status.
type DueRow = (String, Option<String>, BigDecimal, Option<String>, String);

impl TransferRepository for Db {
    async fn due_transfer(
        &self,
        order: OrderId,
        seller: UserId,
    ) -> Result<Option<DueTransfer>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<DueRow> = seller_transfers::table
            .inner_join(orders::table)
            .inner_join(users::table.on(users::id.eq(seller_transfers::seller_id)))
            .inner_join(payments::table.on(payments::id.eq(seller_transfers::payment_id)))
            .filter(this!(order, seller))
            .select((
                orders::order_number,
                users::stripe_account_id,
                seller_transfers::amount,
                payments::charge_id,
                seller_transfers::status,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|r| DueTransfer {
            order_id: order,
            order_number: r.0,
            seller,
            destination: r.1,
            amount: pkr(&r.2),
            charge: r.3,
            status: TransferStatus::parse(&r.4).unwrap_or(TransferStatus::Pending),
        }))
    }

    async fn transfer_succeeded(
        &self,
        order: OrderId,
        seller: UserId,
        transfer_id: String,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::update(seller_transfers::table.filter(
            this!(order, seller).and(seller_transfers::status.eq(TransferStatus::Pending.as_str())),
        ))
        .set((
            seller_transfers::status.eq(TransferStatus::Succeeded.as_str()),
            seller_transfers::stripe_transfer_id.eq(transfer_id),
            seller_transfers::completed_at.eq(now),
            seller_transfers::attempts.eq(seller_transfers::attempts + 1),
            seller_transfers::last_error.eq(None::<String>),
        ))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(())
    }

    async fn transfer_failed(
        &self,
        order: OrderId,
        seller: UserId,
        error: String,
        give_up: bool,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let status = if give_up {
            TransferStatus::Failed
        } else {
            TransferStatus::Pending
        };
        diesel::update(seller_transfers::table.filter(
            this!(order, seller).and(seller_transfers::status.eq(TransferStatus::Pending.as_str())),
        ))
        .set((
            seller_transfers::status.eq(status.as_str()),
            seller_transfers::attempts.eq(seller_transfers::attempts + 1),
            seller_transfers::last_error.eq(error),
        ))
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(())
    }
}
