//! Account moderation under the user's row lock, and the payment-violation list.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::account::moderation::{
    Moderated, Moderation, ModerationError, ViolationRecord,
};
use madeinpk_domain::account::ports::{BlockOutbox, ModerationRepository};
use madeinpk_domain::ids::{AuctionId, OrderId, UserId};
use madeinpk_domain::order::checkout::Party;
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::schema::{orders, payment_violations, users};

type ViolationRow = (
    i64,
    i64,
    String,
    Option<i64>,
    i64,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    String,
);

impl ModerationRepository for Db {
    async fn moderate(
        &self,
        user: UserId,
        step: Moderation,
        outbox: BlockOutbox,
    ) -> Result<Result<Moderated, ModerationError>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let row: Option<(String, String, String, bool, i32)> = users::table
                .find(user.get())
                .select((
                    users::username,
                    users::email,
                    users::role,
                    users::is_blocked,
                    users::failed_payment_count,
                ))
                // Not FOR UPDATE: a bid or an order of this user takes FOR KEY SHARE on the row
                // while holding its auction, which the block then locks to withdraw bids.
                .for_no_key_update()
                .first(conn)
                .await
                .optional()?;
            let Some((username, email, role, was_blocked, old_count)) = row else {
                return Ok(Err(ModerationError::NotFound));
            };
            let row = users::table.find(user.get());
            let changed = match step {
                Moderation::Block { .. } => !was_blocked,
                Moderation::Unblock => was_blocked,
                Moderation::ResetViolations => old_count > 0,
            };
            match step {
                Moderation::Block { .. } => {
                    if role == "admin" {
                        return Ok(Err(ModerationError::Protected));
                    }
                    if !was_blocked {
                        diesel::update(row)
                            .set(users::is_blocked.eq(true))
                            .execute(conn)
                            .await?;
                        // A blocked account cannot win: its standing bids are withdrawn.
                        crate::auction::bid_withdrawal::withdraw_standing_bids(
                            conn,
                            user.get(),
                            "bidder blocked by an administrator",
                        )
                        .await?;
                        let party = Party {
                            id: user,
                            username: username.clone(),
                            email,
                        };
                        crate::outbox::write(conn, outbox(&party)).await?;
                    }
                }
                Moderation::Unblock => {
                    diesel::update(row)
                        .set(users::is_blocked.eq(false))
                        .execute(conn)
                        .await?;
                }
                Moderation::ResetViolations => {
                    diesel::update(row)
                        .set(users::failed_payment_count.eq(0))
                        .execute(conn)
                        .await?;
                }
            }
            let (is_blocked, failed_payment_count): (bool, i32) = users::table
                .find(user.get())
                .select((users::is_blocked, users::failed_payment_count))
                .first(conn)
                .await?;
            Ok(Ok(Moderated {
                user,
                username,
                is_blocked,
                failed_payment_count,
                changed,
            }))
        })
        .await
        .map_err(store)
    }

    async fn violations(
        &self,
        user: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<ViolationRecord>, StoreError> {
        let mut conn = self.conn().await?;
        let filtered = || {
            let mut q = payment_violations::table
                .inner_join(users::table.on(users::id.eq(payment_violations::user_id)))
                .inner_join(orders::table.on(orders::id.eq(payment_violations::order_id)))
                .into_boxed();
            if let Some(u) = user {
                q = q.filter(payment_violations::user_id.eq(u.get()));
            }
            q
        };
        let count: i64 = filtered()
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let rows: Vec<ViolationRow> = filtered()
            .select((
                payment_violations::id,
                payment_violations::user_id,
                users::username,
                payment_violations::auction_id,
                payment_violations::order_id,
                orders::order_number,
                payment_violations::violation_date,
                payment_violations::payment_deadline,
                payment_violations::notes,
            ))
            .order((
                payment_violations::violation_date.desc(),
                payment_violations::id.desc(),
            ))
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Page {
            count,
            items: rows
                .into_iter()
                .map(|r| ViolationRecord {
                    id: r.0,
                    user: UserId(r.1),
                    username: r.2,
                    auction: r.3.map(AuctionId),
                    order: OrderId(r.4),
                    order_number: r.5,
                    violation_date: r.6,
                    payment_deadline: r.7,
                    notes: r.8,
                })
                .collect(),
        })
    }
}
