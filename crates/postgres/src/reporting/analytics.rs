//! What seller analytics read: the seller's lines and share of each order, payouts, counts.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::ids::{OrderId, ProductId, TransferId, UserId};
use madeinpk_domain::order::model::OrderStatus;
use madeinpk_domain::order::payment::TransferStatus;
use madeinpk_domain::reporting::analytics::{CatalogCounts, PayoutRecord, SaleLine, SellerSale};
use madeinpk_domain::reporting::ports::AnalyticsRepository;
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::money::pkr;
use crate::schema::{auctions, order_items, order_sellers, orders, products, seller_transfers};

type LineRow = (i64, i64, String, i32, BigDecimal, bool);

async fn lines_of(conn: &mut AsyncPgConnection, seller: i64) -> QueryResult<Vec<LineRow>> {
    order_items::table
        .filter(order_items::seller_id.eq(seller))
        .select((
            order_items::order_id,
            order_items::product_id,
            order_items::product_name,
            order_items::quantity,
            order_items::subtotal,
            order_items::is_shipped,
        ))
        .order(order_items::id)
        .load(conn)
        .await
}

/// Order id, status, paid at, the seller's amount.
type ShareRow = (i64, String, Option<DateTime<Utc>>, BigDecimal);
/// Id, order, number, provider id, amount, status, created, completed.
type PayoutRow = (
    i64,
    i64,
    String,
    String,
    BigDecimal,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

impl AnalyticsRepository for Db {
    async fn seller_sales(&self, seller: UserId) -> Result<Vec<SellerSale>, StoreError> {
        let mut conn = self.conn().await?;
        let shares: Vec<ShareRow> = order_sellers::table
            .inner_join(orders::table)
            .filter(order_sellers::seller_id.eq(seller.get()))
            .select((
                orders::id,
                orders::status,
                orders::paid_at,
                order_sellers::seller_amount,
            ))
            .order(orders::id)
            .load(&mut conn)
            .await
            .map_err(store)?;
        let lines = lines_of(&mut conn, seller.get()).await.map_err(store)?;
        Ok(shares
            .into_iter()
            .map(|(order, status, paid_at, amount)| SellerSale {
                order: OrderId(order),
                status: OrderStatus::parse(&status).unwrap_or(OrderStatus::PendingPayment),
                paid_at,
                seller_amount: pkr(&amount),
                lines: lines
                    .iter()
                    .filter(|l| l.0 == order)
                    .map(|l| SaleLine {
                        product: ProductId(l.1),
                        product_name: l.2.clone(),
                        quantity: l.3,
                        subtotal: pkr(&l.4),
                        shipped: l.5,
                    })
                    .collect(),
            })
            .collect())
    }

    async fn seller_payouts(&self, seller: UserId) -> Result<Vec<PayoutRecord>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<PayoutRow> = seller_transfers::table
            .inner_join(orders::table)
            .filter(seller_transfers::seller_id.eq(seller.get()))
            .select((
                seller_transfers::id,
                orders::id,
                orders::order_number,
                seller_transfers::stripe_transfer_id,
                seller_transfers::amount,
                seller_transfers::status,
                seller_transfers::created_at,
                seller_transfers::completed_at,
            ))
            .load(&mut conn)
            .await
            .map_err(store)?;
        let lines = lines_of(&mut conn, seller.get()).await.map_err(store)?;
        Ok(rows
            .into_iter()
            .map(|r| PayoutRecord {
                id: TransferId(r.0),
                order: OrderId(r.1),
                order_number: r.2,
                provider_id: r.3,
                amount: pkr(&r.4),
                status: TransferStatus::parse(&r.5).unwrap_or(TransferStatus::Pending),
                created_at: r.6,
                completed_at: r.7,
                products: lines
                    .iter()
                    .filter(|l| l.0 == r.1)
                    .map(|l| l.2.clone())
                    .collect(),
            })
            .collect())
    }

    async fn catalog_counts(&self, seller: UserId) -> Result<CatalogCounts, StoreError> {
        let mut conn = self.conn().await?;
        let products: i64 = products::table
            .filter(products::seller_id.eq(seller.get()))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let active_auctions: i64 = auctions::table
            .inner_join(products::table)
            .filter(
                products::seller_id
                    .eq(seller.get())
                    .and(auctions::status.eq("active")),
            )
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        Ok(CatalogCounts {
            products,
            active_auctions,
        })
    }
}
