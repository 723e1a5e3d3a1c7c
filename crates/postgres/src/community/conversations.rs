//! Conversations and messages, always read and written as one participant.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::community::conversation::{
    Conversation, ConversationSort, DUPLICATE, Message, NewConversation,
};
use madeinpk_domain::community::ports::ConversationRepository;
use madeinpk_domain::ids::{ConversationId, MessageId, ProductId, UserId};
use madeinpk_domain::outbox::Outbox;
use madeinpk_domain::page::{Page, PageRequest, Sort};
use madeinpk_domain::store::StoreError;
use madeinpk_domain::validation::FieldErrors;

use crate::db::Db;
use crate::error::store;
use crate::schema::{conversations, messages, products, users};

/// A participant's view of conversations: names, the product's first image, the newest
/// message and the viewer's unread count, in one statement. `{filter}` and `{order}` are
/// filled from fixed texts only.
const VIEW: &str = "
SELECT c.id, c.buyer_id, bu.username AS buyer_username, c.seller_id, su.username AS seller_username,
       c.product_id, p.name AS product_name,
       (SELECT i.path FROM product_images i WHERE i.product_id = c.product_id
         ORDER BY i.is_primary DESC, i.position, i.id LIMIT 1) AS product_image,
       m.id AS message_id, m.sender_id, mu.username AS sender_username, m.content,
       m.is_read, m.created_at AS message_at,
       (SELECT count(*) FROM messages x WHERE x.conversation_id = c.id
         AND NOT x.is_read AND x.sender_id <> $1) AS unread_count,
       c.created_at, c.updated_at
FROM conversations c
JOIN users bu ON bu.id = c.buyer_id
JOIN users su ON su.id = c.seller_id
LEFT JOIN products p ON p.id = c.product_id
LEFT JOIN LATERAL (SELECT * FROM messages WHERE conversation_id = c.id
                   ORDER BY created_at DESC, id DESC LIMIT 1) m ON TRUE
LEFT JOIN users mu ON mu.id = m.sender_id
WHERE (c.buyer_id = $1 OR c.seller_id = $1) {filter}
ORDER BY {order}
LIMIT $2 OFFSET $3";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    buyer_id: i64,
    #[diesel(sql_type = Text)]
    buyer_username: String,
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = Text)]
    seller_username: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    product_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    product_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    product_image: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    message_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    sender_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    sender_username: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    content: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    is_read: Option<bool>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    message_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    unread_count: i64,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

fn to_conversation(r: Row) -> Conversation {
    let latest_message = match (r.message_id, r.sender_id, r.message_at) {
        (Some(id), Some(sender), Some(at)) => Some(Message {
            id: MessageId(id),
            sender: UserId(sender),
            sender_username: r.sender_username.unwrap_or_default(),
            content: r.content.unwrap_or_default(),
            is_read: r.is_read.unwrap_or(false),
            created_at: at,
        }),
        _ => None,
    };
    Conversation {
        id: ConversationId(r.id),
        buyer: UserId(r.buyer_id),
        buyer_username: r.buyer_username,
        seller: UserId(r.seller_id),
        seller_username: r.seller_username,
        product: r.product_id.map(ProductId),
        product_name: r.product_name,
        product_image: r.product_image,
        latest_message,
        unread_count: r.unread_count,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn order_by(ordering: &[Sort<ConversationSort>]) -> String {
    let mut terms: Vec<String> = ordering
        .iter()
        .map(|s| {
            let column = match s.field {
                ConversationSort::Id => "c.id",
                ConversationSort::Buyer => "c.buyer_id",
                ConversationSort::Seller => "c.seller_id",
                ConversationSort::Product => "c.product_id",
                ConversationSort::CreatedAt => "c.created_at",
                ConversationSort::UpdatedAt => "c.updated_at",
            };
            format!("{column} {}", if s.descending { "DESC" } else { "ASC" })
        })
        .collect();
    if terms.is_empty() {
        // Latest activity first (community D21: the original had no defined order).
        terms.push("c.updated_at DESC".into());
    }
    terms.push("c.id DESC".into());
    terms.join(", ")
}

async fn load(
    conn: &mut AsyncPgConnection,
    viewer: UserId,
    one: Option<ConversationId>,
    ordering: &[Sort<ConversationSort>],
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Conversation>> {
    let filter = if one.is_some() { "AND c.id = $4" } else { "" };
    let sql = VIEW
        .replace("{filter}", filter)
        .replace("{order}", &order_by(ordering));
    let query = diesel::sql_query(sql)
        .bind::<BigInt, _>(viewer.get())
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset);
    let rows: Vec<Row> = match one {
        Some(id) => query.bind::<BigInt, _>(id.get()).load(conn).await?,
        None => query.load(conn).await?,
    };
    Ok(rows.into_iter().map(to_conversation).collect())
}

/// The conversation's row, locked, when `viewer` takes part in it.
async fn lock_as_participant(
    conn: &mut AsyncPgConnection,
    viewer: UserId,
    id: ConversationId,
) -> QueryResult<bool> {
    let found: Option<i64> = conversations::table
        .filter(
            conversations::id.eq(id.get()).and(
                conversations::buyer_id
                    .eq(viewer.get())
                    .or(conversations::seller_id.eq(viewer.get())),
            ),
        )
        .select(conversations::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

#[derive(diesel::QueryableByName)]
struct Flipped {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    changed: bool,
}

impl ConversationRepository for Db {
    async fn set_message_read(
        &self,
        id: MessageId,
        read: bool,
    ) -> Result<Option<bool>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<Flipped> = diesel::sql_query(
            "WITH old AS (SELECT id, is_read FROM messages WHERE id = $1 FOR UPDATE)
             UPDATE messages m SET is_read = $2 FROM old WHERE m.id = old.id
             RETURNING old.is_read <> $2 AS changed",
        )
        .bind::<BigInt, _>(id.get())
        .bind::<Bool, _>(read)
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(store)?;
        Ok(row.map(|r| r.changed))
    }

    async fn create_conversation(
        &self,
        new: NewConversation,
        now: DateTime<Utc>,
    ) -> Result<Result<ConversationId, FieldErrors>, StoreError> {
        let mut conn = self.conn().await?;
        let mut errors = FieldErrors::new();
        for (field, user) in [("buyer", new.buyer), ("seller", new.seller)] {
            let exists: i64 = users::table
                .filter(users::id.eq(user.get()))
                .count()
                .get_result(&mut conn)
                .await
                .map_err(store)?;
            if exists == 0 {
                errors.add(
                    field,
                    format!("Invalid pk \"{}\" - object does not exist.", user.get()),
                );
            }
        }
        if let Some(product) = new.product {
            let seller: Option<i64> = products::table
                .find(product.get())
                .select(products::seller_id)
                .first(&mut conn)
                .await
                .optional()
                .map_err(store)?;
            match seller {
                None => errors.add(
                    "product",
                    format!("Invalid pk \"{}\" - object does not exist.", product.get()),
                ),
                Some(s) if s != new.seller.get() => {
                    errors.add("product", "This product is not sold by this seller.");
                }
                Some(_) => {}
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let id: Option<i64> = diesel::insert_into(conversations::table)
            .values((
                conversations::buyer_id.eq(new.buyer.get()),
                conversations::seller_id.eq(new.seller.get()),
                conversations::product_id.eq(new.product.map(ProductId::get)),
                conversations::created_at.eq(now),
                conversations::updated_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .returning(conversations::id)
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        // A duplicate (a race included) is the contract's uniqueness error, never a 500.
        Ok(id
            .map(ConversationId)
            .ok_or_else(|| FieldErrors::single("non_field_errors", DUPLICATE)))
    }

    async fn conversations(
        &self,
        viewer: UserId,
        ordering: Vec<Sort<ConversationSort>>,
        page: PageRequest,
    ) -> Result<Page<Conversation>, StoreError> {
        let mut conn = self.conn().await?;
        let count: i64 = conversations::table
            .filter(
                conversations::buyer_id
                    .eq(viewer.get())
                    .or(conversations::seller_id.eq(viewer.get())),
            )
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let items = load(
            &mut conn,
            viewer,
            None,
            &ordering,
            page.limit(),
            page.offset(),
        )
        .await
        .map_err(store)?;
        Ok(Page { count, items })
    }

    async fn conversation(
        &self,
        viewer: UserId,
        id: ConversationId,
    ) -> Result<Option<Conversation>, StoreError> {
        let mut conn = self.conn().await?;
        Ok(load(&mut conn, viewer, Some(id), &[], 1, 0)
            .await
            .map_err(store)?
            .pop())
    }

    async fn delete_conversation(
        &self,
        viewer: UserId,
        id: ConversationId,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(
            conversations::table.filter(
                conversations::id.eq(id.get()).and(
                    conversations::buyer_id
                        .eq(viewer.get())
                        .or(conversations::seller_id.eq(viewer.get())),
                ),
            ),
        )
        .execute(&mut conn)
        .await
        .map_err(store)?;
        Ok(n == 1)
    }

    async fn read_messages(
        &self,
        viewer: UserId,
        id: ConversationId,
    ) -> Result<Option<Vec<Message>>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            if !lock_as_participant(conn, viewer, id).await? {
                return Ok(None);
            }
            diesel::update(
                messages::table.filter(
                    messages::conversation_id
                        .eq(id.get())
                        .and(messages::sender_id.ne(viewer.get()))
                        .and(messages::is_read.eq(false)),
                ),
            )
            .set(messages::is_read.eq(true))
            .execute(conn)
            .await?;
            let rows: Vec<(i64, i64, String, String, bool, DateTime<Utc>)> = messages::table
                .inner_join(users::table.on(users::id.eq(messages::sender_id)))
                .filter(messages::conversation_id.eq(id.get()))
                .select((
                    messages::id,
                    messages::sender_id,
                    users::username,
                    messages::content,
                    messages::is_read,
                    messages::created_at,
                ))
                .order((messages::created_at.asc(), messages::id.asc()))
                .load(conn)
                .await?;
            Ok(Some(
                rows.into_iter()
                    .map(|r| Message {
                        id: MessageId(r.0),
                        sender: UserId(r.1),
                        sender_username: r.2,
                        content: r.3,
                        is_read: r.4,
                        created_at: r.5,
                    })
                    .collect(),
            ))
        })
        .await
        .map_err(store)
    }

    async fn send_message(
        &self,
        sender: UserId,
        id: ConversationId,
        content: String,
        now: DateTime<Utc>,
        outbox: Outbox,
    ) -> Result<Option<Message>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            if !lock_as_participant(conn, sender, id).await? {
                return Ok(None);
            }
            let (message, created): (i64, DateTime<Utc>) = diesel::insert_into(messages::table)
                .values((
                    messages::conversation_id.eq(id.get()),
                    messages::sender_id.eq(sender.get()),
                    messages::content.eq(&content),
                    messages::created_at.eq(now),
                ))
                .returning((messages::id, messages::created_at))
                .get_result(conn)
                .await?;
            diesel::update(conversations::table.find(id.get()))
                .set(conversations::updated_at.eq(now))
                .execute(conn)
                .await?;
            crate::outbox::write(conn, outbox).await?;
            let username: String = users::table
                .find(sender.get())
                .select(users::username)
                .first(conn)
                .await?;
            Ok(Some(Message {
                id: MessageId(message),
                sender,
                sender_username: username,
                content,
                is_read: false,
                created_at: created,
            }))
        })
        .await
        .map_err(store)
    }
}
