//! The order repository: each method is carried out by the module named after its concern
//! (`placing`, `order_status`, `payment_record`, `order_rows`).

use chrono::{DateTime, Utc};
use madeinpk_domain::ids::{OrderId, UserId};
use madeinpk_domain::order::checkout::{
    PaymentReceipt, PaymentRecorded, PlaceOrder, Placed, StatusChange,
};
use madeinpk_domain::order::model::{Order, OrderError, OrderQuery};
use madeinpk_domain::order::payment::PaymentSession;
use madeinpk_domain::order::ports::{OrderOutbox, OrderRepository};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::db::Db;

use crate::order::{order_rows, order_status, payment_record, placing};

impl OrderRepository for Db {
    async fn place_order(
        &self,
        request: PlaceOrder,
        plan: madeinpk_domain::order::checkout::OrderPlanner,
    ) -> Result<Placed, OrderError> {
        placing::place_order(self, request, plan).await
    }

    async fn attach_session(
        &self,
        order: OrderId,
        session: PaymentSession,
    ) -> Result<(), StoreError> {
        payment_record::attach_session(self, order, session).await
    }

    async fn order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        order_rows::order(self, id).await
    }

    async fn order_by_payment_reference(
        &self,
        reference: String,
    ) -> Result<Option<OrderId>, StoreError> {
        order_rows::order_by_payment_reference(self, reference).await
    }

    async fn list_orders(
        &self,
        query: OrderQuery,
        page: PageRequest,
    ) -> Result<Page<Order>, StoreError> {
        order_rows::list_orders(self, query, page).await
    }

    async fn change_status(
        &self,
        change: StatusChange,
        outbox: OrderOutbox,
    ) -> Result<Option<Order>, StoreError> {
        order_status::change_status(self, change, outbox).await
    }

    async fn record_payment(
        &self,
        order: OrderId,
        payment: PaymentReceipt,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> Result<PaymentRecorded, StoreError> {
        payment_record::record_payment(self, order, payment, now, outbox).await
    }

    async fn ship_items(
        &self,
        order: OrderId,
        seller: UserId,
        tracking_number: Option<String>,
        now: DateTime<Utc>,
        outbox: OrderOutbox,
    ) -> Result<Option<Order>, StoreError> {
        order_status::ship_items(self, order, seller, tracking_number, now, outbox).await
    }
}
