//! Complaints: filed with their admin notices, changed by their author while not final, moved
//! by admins with the complainant's notice, each in one transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::community::complaint::{
    Changed, Complaint, ComplaintCategory, ComplaintInput, ComplaintQuery, ComplaintStatus, Moved,
    complaint_number, unknown,
};
use madeinpk_domain::community::ports::{ComplaintRepository, FiledOutbox, MovedOutbox};
use madeinpk_domain::ids::{ComplaintId, OrderId, UserId};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;
use madeinpk_domain::validation::FieldErrors;
use rand::Rng;

use crate::db::Db;
use crate::error::store;
use crate::schema::{complaints, order_sellers, orders, users};

type Row = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
);

macro_rules! columns {
    () => {
        (
            complaints::id,
            complaints::complaint_number,
            complaints::user_id,
            users::username,
            complaints::category,
            complaints::subject,
            complaints::description,
            complaints::order_id,
            complaints::seller_id,
            complaints::status,
            complaints::admin_notes,
            complaints::created_at,
            complaints::updated_at,
        )
    };
}

/// The complainant's change: absent fields stay as they are.
#[derive(AsChangeset)]
#[diesel(table_name = complaints)]
struct Edit<'a> {
    category: Option<&'a str>,
    subject: Option<&'a str>,
    description: Option<&'a str>,
    order_id: Option<Option<i64>>,
    seller_id: Option<Option<i64>>,
    updated_at: DateTime<Utc>,
}

/// Complaints with their rows' names filled in.
async fn assemble(conn: &mut AsyncPgConnection, rows: Vec<Row>) -> QueryResult<Vec<Complaint>> {
    let order_ids: Vec<i64> = rows.iter().filter_map(|r| r.7).collect();
    let seller_ids: Vec<i64> = rows.iter().filter_map(|r| r.8).collect();
    let numbers: Vec<(i64, String)> = orders::table
        .filter(orders::id.eq_any(&order_ids))
        .select((orders::id, orders::order_number))
        .load(conn)
        .await?;
    let names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(&seller_ids))
        .select((users::id, users::username))
        .load(conn)
        .await?;
    let find = |list: &[(i64, String)], id: Option<i64>| {
        id.and_then(|id| list.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()))
    };
    Ok(rows
        .into_iter()
        .map(|r| Complaint {
            id: ComplaintId(r.0),
            number: r.1,
            user: UserId(r.2),
            username: r.3,
            category: ComplaintCategory::parse(&r.4).unwrap_or(ComplaintCategory::Other),
            subject: r.5,
            description: r.6,
            order: r.7.map(OrderId),
            order_number: find(&numbers, r.7),
            seller: r.8.map(UserId),
            seller_username: find(&names, r.8),
            status: ComplaintStatus::parse(&r.9).unwrap_or(ComplaintStatus::Open),
            admin_notes: r.10,
            created_at: r.11,
            updated_at: r.12,
        })
        .collect())
}

async fn load_one(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Complaint>> {
    let rows: Vec<Row> = complaints::table
        .inner_join(users::table.on(users::id.eq(complaints::user_id)))
        .filter(complaints::id.eq(id))
        .select(columns!())
        .load(conn)
        .await?;
    Ok(assemble(conn, rows).await?.pop())
}

/// The order and seller a user may name: an order they bought or sold in, a seller who sells.
async fn check_refs(
    conn: &mut AsyncPgConnection,
    user: UserId,
    input: &ComplaintInput,
) -> QueryResult<FieldErrors> {
    let mut errors = FieldErrors::new();
    if let Some(Some(order)) = input.order {
        let mine: i64 = orders::table
            .filter(
                orders::id.eq(order.get()).and(
                    orders::buyer_id.eq(user.get()).or(orders::id.eq_any(
                        order_sellers::table
                            .filter(order_sellers::seller_id.eq(user.get()))
                            .select(order_sellers::order_id),
                    )),
                ),
            )
            .count()
            .get_result(conn)
            .await?;
        if mine == 0 {
            // Someone else's order is as unknown as a missing one (community D5).
            errors.merge(unknown("order", order.get()));
        }
    }
    if let Some(Some(seller)) = input.seller {
        let sells: i64 = users::table
            .filter(
                users::id
                    .eq(seller.get())
                    .and(users::role.eq_any(["seller", "both"])),
            )
            .count()
            .get_result(conn)
            .await?;
        if sells == 0 {
            errors.merge(unknown("seller", seller.get()));
        }
    }
    Ok(errors)
}

/// Locks `user`'s complaint; its status, or `None`.
async fn lock_own(
    conn: &mut AsyncPgConnection,
    user: UserId,
    id: ComplaintId,
) -> QueryResult<Option<ComplaintStatus>> {
    let status: Option<String> = complaints::table
        .filter(
            complaints::id
                .eq(id.get())
                .and(complaints::user_id.eq(user.get())),
        )
        .select(complaints::status)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    Ok(status.as_deref().and_then(ComplaintStatus::parse))
}

impl ComplaintRepository for Db {
    async fn create_complaint(
        &self,
        user: UserId,
        input: ComplaintInput,
        now: DateTime<Utc>,
        outbox: FiledOutbox,
    ) -> Result<Result<Complaint, FieldErrors>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let errors = check_refs(conn, user, &input).await?;
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            let entropy: u64 = rand::rng().random();
            let id: i64 = diesel::insert_into(complaints::table)
                .values((
                    complaints::complaint_number.eq(complaint_number(entropy)),
                    complaints::user_id.eq(user.get()),
                    complaints::category
                        .eq(input.category.unwrap_or(ComplaintCategory::Other).as_str()),
                    complaints::subject.eq(input.subject.unwrap_or_default()),
                    complaints::description.eq(input.description.unwrap_or_default()),
                    complaints::order_id.eq(input.order.flatten().map(OrderId::get)),
                    complaints::seller_id.eq(input.seller.flatten().map(UserId::get)),
                    complaints::created_at.eq(now),
                    complaints::updated_at.eq(now),
                ))
                .returning(complaints::id)
                .get_result(conn)
                .await?;
            let admins: Vec<i64> = users::table
                .filter(users::role.eq("admin"))
                .select(users::id)
                .load(conn)
                .await?;
            let c = load_one(conn, id)
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let admins: Vec<UserId> = admins.into_iter().map(UserId).collect();
            crate::outbox::write(conn, outbox(&c, &admins)).await?;
            Ok(Ok(c))
        })
        .await
        .map_err(store)
    }

    async fn complaints(
        &self,
        query: ComplaintQuery,
        page: PageRequest,
    ) -> Result<Page<Complaint>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = complaints::table
                .inner_join(users::table.on(users::id.eq(complaints::user_id)))
                .into_boxed();
            if let Some(user) = query.user {
                q = q.filter(complaints::user_id.eq(user.get()));
            }
            if let Some(status) = query.status {
                q = q.filter(complaints::status.eq(status.as_str()));
            }
            q
        };
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let q = filtered().select(columns!());
        let q = if query.oldest_first {
            q.order((complaints::created_at.asc(), complaints::id.asc()))
        } else {
            q.order((complaints::created_at.desc(), complaints::id.desc()))
        };
        let rows: Vec<Row> = q
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        let items = assemble(&mut conn, rows).await.map_err(store)?;
        Ok(Page { count, items })
    }

    async fn complaint(&self, id: ComplaintId) -> Result<Option<Complaint>, StoreError> {
        let mut conn = self.conn().await?;
        load_one(&mut conn, id.get()).await.map_err(store)
    }

    async fn update_complaint(
        &self,
        user: UserId,
        id: ComplaintId,
        input: ComplaintInput,
        now: DateTime<Utc>,
    ) -> Result<Changed, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            match lock_own(conn, user, id).await? {
                None => return Ok(Changed::NotFound),
                Some(s) if s.is_final() => return Ok(Changed::Final),
                Some(_) => {}
            }
            let errors = check_refs(conn, user, &input).await?;
            if !errors.is_empty() {
                return Ok(Changed::Invalid(errors));
            }
            diesel::update(complaints::table.find(id.get()))
                .set(&Edit {
                    category: input.category.map(ComplaintCategory::as_str),
                    subject: input.subject.as_deref(),
                    description: input.description.as_deref(),
                    order_id: input.order.map(|o| o.map(OrderId::get)),
                    seller_id: input.seller.map(|s| s.map(UserId::get)),
                    updated_at: now,
                })
                .execute(conn)
                .await?;
            Ok(Changed::Done)
        })
        .await
        .map_err(store)
    }

    async fn delete_complaint(&self, user: UserId, id: ComplaintId) -> Result<Changed, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            match lock_own(conn, user, id).await? {
                None => Ok(Changed::NotFound),
                Some(s) if s.is_final() => Ok(Changed::Final),
                Some(_) => {
                    diesel::delete(complaints::table.find(id.get()))
                        .execute(conn)
                        .await?;
                    Ok(Changed::Done)
                }
            }
        })
        .await
        .map_err(store)
    }

    async fn move_complaint(
        &self,
        id: ComplaintId,
        to: ComplaintStatus,
        notes: Option<String>,
        now: DateTime<Utc>,
        outbox: MovedOutbox,
    ) -> Result<Moved, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let status: Option<String> = complaints::table
                .find(id.get())
                .select(complaints::status)
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(from) = status.as_deref().and_then(ComplaintStatus::parse) else {
                return Ok(Moved::NotFound);
            };
            if !from.can_become(to) {
                return Ok(Moved::Illegal(from));
            }
            let resolved_at = to.is_final().then_some(now);
            diesel::update(complaints::table.find(id.get()))
                .set((
                    complaints::status.eq(to.as_str()),
                    complaints::resolved_at.eq(resolved_at),
                    complaints::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            if let Some(notes) = &notes {
                diesel::update(complaints::table.find(id.get()))
                    .set(complaints::admin_notes.eq(notes))
                    .execute(conn)
                    .await?;
            }
            let c = load_one(conn, id.get())
                .await?
                .ok_or(diesel::result::Error::NotFound)?;
            let email: String = users::table
                .find(c.user.get())
                .select(users::email)
                .first(conn)
                .await?;
            crate::outbox::write(conn, outbox(&c, &email)).await?;
            Ok(Moved::Done(Box::new(c)))
        })
        .await
        .map_err(store)
    }
}
