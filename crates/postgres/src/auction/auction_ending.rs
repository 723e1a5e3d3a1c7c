//! Ending an auction: the facts the domain decides on (leader, address, other bidders), the won
//! order it plans, and the auctions whose end is due.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::auction::ending::{EndFacts, EndPlan, Ended, WonOrder};
use madeinpk_domain::auction::model::AuctionStatus;
use madeinpk_domain::auction::ports::EndPlanner;
use madeinpk_domain::ids::{AddressId, AuctionId, OrderId, ProductId, UserId};
use madeinpk_domain::order::checkout::Party;
use madeinpk_domain::order::model::OrderType;
use madeinpk_domain::store::StoreError;
use rand::Rng;

use crate::auction::events::AUCTION_CHANNEL;
use crate::db::Db;
use crate::error::store;
use crate::money::{pkr, to_numeric};
use crate::schema::{
    addresses, auctions, bids, order_items, order_sellers, orders, products, users,
};

fn party((id, username, email): (i64, String, String)) -> Party {
    Party {
        id: UserId(id),
        username,
        email,
    }
}

pub(crate) async fn party_of(
    conn: &mut AsyncPgConnection,
    user: i64,
) -> QueryResult<Option<Party>> {
    Ok(users::table
        .find(user)
        .select((users::id, users::username, users::email))
        .first(conn)
        .await
        .optional()?
        .map(party))
}

/// The won order of an auction that ended before, with its winner.
async fn won_order(
    conn: &mut AsyncPgConnection,
    auction: i64,
    product: String,
) -> QueryResult<Option<WonOrder>> {
    let row: Option<(i64, i64)> = orders::table
        .filter(orders::auction_id.eq(auction))
        .select((orders::id, orders::buyer_id))
        .order(orders::id.desc())
        .first(conn)
        .await
        .optional()?;
    let Some((order, buyer)) = row else {
        return Ok(None);
    };
    Ok(party_of(conn, buyer).await?.map(|winner| WonOrder {
        order: OrderId(order),
        winner,
        product,
    }))
}

/// Stores the auction order of a won auction; its id.
async fn insert_order(
    conn: &mut AsyncPgConnection,
    facts: &EndFacts,
    order: &madeinpk_domain::auction::ending::AuctionOrder,
) -> QueryResult<i64> {
    let total = order.split.total;
    let id: i64 = diesel::insert_into(orders::table)
        .values((
            orders::order_number.eq(&order.number),
            orders::buyer_id.eq(order.buyer.get()),
            orders::order_type.eq(OrderType::Auction.as_str()),
            orders::seller_id.eq(facts.seller.id.get()),
            orders::product_id.eq(facts.product.get()),
            orders::auction_id.eq(facts.auction.get()),
            orders::quantity.eq(1),
            orders::unit_price.eq(to_numeric(total)),
            orders::total_amount.eq(to_numeric(total)),
            orders::platform_fee.eq(to_numeric(order.split.fee)),
            orders::seller_amount.eq(to_numeric(order.split.seller_amount)),
            orders::shipping_address_id.eq(order.shipping_address.map(AddressId::get)),
            orders::payment_deadline.eq(order.payment_deadline),
        ))
        .returning(orders::id)
        .get_result(conn)
        .await?;
    diesel::insert_into(order_items::table)
        .values((
            order_items::order_id.eq(id),
            order_items::product_id.eq(facts.product.get()),
            order_items::listing_id.eq(None::<i64>),
            order_items::seller_id.eq(facts.seller.id.get()),
            order_items::product_name.eq(&facts.product_name),
            order_items::quantity.eq(1),
            order_items::unit_price.eq(to_numeric(total)),
            order_items::subtotal.eq(to_numeric(total)),
        ))
        .execute(conn)
        .await?;
    for share in &order.split.sellers {
        diesel::insert_into(order_sellers::table)
            .values((
                order_sellers::order_id.eq(id),
                order_sellers::seller_id.eq(share.seller.get()),
                order_sellers::subtotal.eq(to_numeric(share.subtotal)),
                order_sellers::platform_fee.eq(to_numeric(share.fee)),
                order_sellers::seller_amount.eq(to_numeric(share.seller_amount)),
            ))
            .execute(conn)
            .await?;
    }
    Ok(id)
}

/// Reads an ending auction under its lock: `Err(Ended)` when there is nothing to plan.
async fn end_facts(
    conn: &mut AsyncPgConnection,
    auction: i64,
    now: DateTime<Utc>,
) -> QueryResult<Result<EndFacts, Ended>> {
    type Row = (
        i64,
        String,
        i64,
        String,
        DateTime<Utc>,
        BigDecimal,
        Option<BigDecimal>,
        Option<i64>,
    );
    let row: Option<Row> = auctions::table
        .inner_join(products::table)
        .filter(auctions::id.eq(auction))
        .select((
            products::id,
            products::name,
            products::seller_id,
            auctions::status,
            auctions::end_time,
            auctions::current_price,
            auctions::reserve_price,
            auctions::leader_id,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some((product, name, seller, status, end, current, reserve, leader)) = row else {
        return Ok(Err(Ended::NotFound));
    };
    let status = AuctionStatus::parse(&status).unwrap_or(AuctionStatus::Ended);
    if status != AuctionStatus::Active {
        return Ok(Err(Ended::Closed(won_order(conn, auction, name).await?)));
    }
    if end > now {
        return Ok(Err(Ended::NotDue(end)));
    }
    let Some(seller) = party_of(conn, seller).await? else {
        return Ok(Err(Ended::NotFound));
    };
    let leader = match leader {
        Some(id) => party_of(conn, id).await?,
        None => None,
    };
    let leader_address: Option<i64> = match &leader {
        Some(p) => addresses::table
            .filter(addresses::user_id.eq(p.id.get()))
            .select(addresses::id)
            .order((addresses::is_default.desc(), addresses::id.desc()))
            .first(conn)
            .await
            .optional()?,
        None => None,
    };
    let others: Vec<(i64, String, String)> = users::table
        .filter(
            users::id.eq_any(
                bids::table
                    .filter(bids::auction_id.eq(auction))
                    .select(bids::bidder_id),
            ),
        )
        .filter(users::id.ne(leader.as_ref().map_or(0, |p| p.id.get())))
        .select((users::id, users::username, users::email))
        .order(users::id)
        .load(conn)
        .await?;
    Ok(Ok(EndFacts {
        auction: AuctionId(auction),
        product: ProductId(product),
        product_name: name,
        seller,
        status,
        end_time: end,
        current_price: pkr(&current),
        reserve_price: reserve.as_ref().map(pkr),
        leader: leader.map(|p| (p, pkr(&current))),
        leader_address: leader_address.map(AddressId),
        others: others.into_iter().map(party).collect(),
    }))
}

pub(super) async fn end_auction(
    db: &Db,
    auction: AuctionId,
    now: DateTime<Utc>,
    plan: EndPlanner,
) -> Result<Ended, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
        // A blocked account never wins, however it came to lead.
        crate::auction::bid_withdrawal::withdraw_blocked_leaders(conn, auction.get()).await?;
        let facts = match end_facts(conn, auction.get(), now).await? {
            Ok(facts) => facts,
            Err(ended) => return Ok(ended),
        };
        let entropy: u64 = rand::rng().random();
        let EndPlan::Close {
            winner,
            order,
            mut outbox,
        } = plan(&facts, entropy)
        else {
            return Ok(Ended::NotDue(facts.end_time));
        };
        diesel::update(auctions::table.find(auction.get()))
            .set((
                auctions::status.eq(AuctionStatus::Ended.as_str()),
                auctions::winner_id.eq(winner.map(UserId::get)),
                auctions::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
        let won = match &order {
            Some(order) => {
                let id = insert_order(conn, &facts, order).await?;
                for notice in &mut outbox.notices {
                    if notice.notification.user == order.buyer {
                        notice.notification.order_id = Some(id);
                    }
                }
                facts.leader.as_ref().map(|(p, _)| WonOrder {
                    order: OrderId(id),
                    winner: p.clone(),
                    product: facts.product_name.clone(),
                })
            }
            None => None,
        };
        crate::outbox::write(conn, outbox).await?;
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(AUCTION_CHANNEL)
            .bind::<diesel::sql_types::Text, _>(
                serde_json::json!({"kind": "ended", "auction": auction.get()}).to_string(),
            )
            .execute(conn)
            .await?;
        Ok(Ended::Closed(won))
    })
    .await
    .map_err(store)
}

pub(super) async fn auctions_due(
    db: &Db,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<AuctionId>, StoreError> {
    let mut conn = db.conn().await?;
    let ids: Vec<i64> = auctions::table
        .filter(
            auctions::status
                .eq(AuctionStatus::Active.as_str())
                .and(auctions::end_time.le(now)),
        )
        .select(auctions::id)
        .order(auctions::end_time)
        .limit(limit)
        .load(&mut conn)
        .await
        .map_err(store)?;
    Ok(ids.into_iter().map(AuctionId).collect())
}
