//! `conversations/`: buyer–seller conversations and their messages. Only the two
//! participants see or write one (anyone else: 404); participants never change.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::community::conversation::{
    CONVERSATION_ORDERING, Conversation, Message, NewConversation,
};
use madeinpk_domain::ids::{ConversationId, ProductId, UserId};
use madeinpk_domain::page::parse_ordering;
use madeinpk_domain::validation::FieldErrors;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{ActiveUser, CurrentUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::resource;
use crate::state::AppState;
use crate::time::render;
use crate::wire::{Media, Page, PageParams};

/// The Message object.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageObjectDto {
    id: i64,
    sender: i64,
    sender_username: String,
    content: String,
    is_read: bool,
    created_at: String,
}

impl From<&Message> for MessageObjectDto {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id.get(),
            sender: m.sender.get(),
            sender_username: m.sender_username.clone(),
            content: m.content.clone(),
            is_read: m.is_read,
            created_at: render(m.created_at),
        }
    }
}

/// The Conversation object, in the contract's key order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDto {
    id: i64,
    buyer: i64,
    buyer_username: String,
    seller: i64,
    seller_username: String,
    product: Option<i64>,
    product_name: Option<String>,
    product_image: Option<String>,
    latest_message: Option<MessageObjectDto>,
    unread_count: i64,
    created_at: String,
    updated_at: String,
}

impl ConversationDto {
    fn new(c: &Conversation, media: &Media) -> Self {
        Self {
            id: c.id.get(),
            buyer: c.buyer.get(),
            buyer_username: c.buyer_username.clone(),
            seller: c.seller.get(),
            seller_username: c.seller_username.clone(),
            product: c.product.map(ProductId::get),
            product_name: c.product_name.clone(),
            product_image: c.product_image.as_deref().map(|p| media.absolute(p)),
            latest_message: c.latest_message.as_ref().map(MessageObjectDto::from),
            unread_count: c.unread_count,
            created_at: render(c.created_at),
            updated_at: render(c.updated_at),
        }
    }
}

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/conversations/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/conversations/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/conversations/{id}/messages/", "GET, HEAD").route(web::get().to(messages)))
    .service(
        resource("/conversations/{id}/send_message/", "POST").route(web::post().to(send_message)),
    );
}

fn conversation_id(raw: &str) -> Result<ConversationId, ApiError> {
    path_id(raw).map(ConversationId)
}

/// `POST conversations/`. The caller must be the buyer or the seller.
#[derive(ToSchema)]
struct ConversationBody {
    /// The buyer's user id.
    buyer: i64,
    /// The seller's user id.
    seller: i64,
    /// A Product id, or null; the key is required.
    #[schema(required = true)]
    product: Option<i64>,
}

impl ConversationBody {
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let buyer = f.pk("buyer", Need::Required, false).flatten();
        let seller = f.pk("seller", Need::Required, false).flatten();
        // The key is required even though it may be null (the original's serializer).
        let product = f.pk("product", Need::Required, true).flatten();
        f.finish()?;
        // `finish` refused missing ids, so the defaults are never used.
        Ok(Self {
            buyer: buyer.unwrap_or_default(),
            seller: seller.unwrap_or_default(),
            product,
        })
    }
}

impl From<ConversationBody> for NewConversation {
    fn from(b: ConversationBody) -> Self {
        Self {
            buyer: UserId(b.buyer),
            seller: UserId(b.seller),
            product: b.product.map(ProductId),
        }
    }
}

/// `POST conversations/{id}/send_message/`.
#[derive(ToSchema)]
struct SendMessageBody {
    /// Not blank.
    #[schema(min_length = 1)]
    #[schema(examples("Is this still available?"))]
    content: String,
}

impl SendMessageBody {
    /// The message, or its field errors: judged after the participant check, so a stranger
    /// learns nothing about the body.
    fn parse(body: &Body) -> Result<Self, FieldErrors> {
        let mut f = body.read();
        let content = f.string("content", Need::Required);
        f.into_errors().map(|()| Self {
            content: content.unwrap_or_default(),
        })
    }
}

/// The caller's conversations, latest activity first (`?ordering=`).
#[utoipa::path(get, path = "/api/conversations/", tag = "conversations",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `id`, `buyer`, `seller`, `product`, `created_at`, `updated_at`")),
    responses((status = 200, body = Page<ConversationDto>), (status = 401, description = "Not signed in"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let ordering = parse_ordering(q.get("ordering"), CONVERSATION_ORDERING);
    let page = paginate(&req, &q, |p| {
        let (state, user, ordering, media) = (
            state.clone(),
            auth.user.clone(),
            ordering.clone(),
            media.clone(),
        );
        async move {
            Ok(state
                .conversations
                .list(&user, ordering, p)
                .await?
                .map(|c| ConversationDto::new(&c, &media)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Opens a conversation the caller takes part in (`buyer`, `seller`, `product` or null).
#[utoipa::path(post, path = "/api/conversations/", tag = "conversations", request_body = ConversationBody,
    responses((status = 201, body = ConversationDto), (status = 400, description = "Field errors, not a participant, or a duplicate")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let new = ConversationBody::parse(&body)?.into();
    let c = state.conversations.create(&auth.user, new).await?;
    Ok(HttpResponse::Created().json(ConversationDto::new(&c, &media)))
}

/// One of the caller's conversations.
#[utoipa::path(get, path = "/api/conversations/{id}/", tag = "conversations",
    responses((status = 200, body = ConversationDto), (status = 404, description = "Not a participant")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = state
        .conversations
        .get(&auth.user, conversation_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationDto::new(&c, &media)))
}

/// PUT/PATCH: participants and product never change (community D3), so this answers the
/// conversation as it is; any body is ignored.
#[utoipa::path(method(put, patch), path = "/api/conversations/{id}/", tag = "conversations",
    responses((status = 200, body = ConversationDto), (status = 404, description = "Not a participant")))]
pub async fn update(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = state
        .conversations
        .get(&auth.user, conversation_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationDto::new(&c, &media)))
}

/// Deletes a conversation with its messages.
#[utoipa::path(delete, path = "/api/conversations/{id}/", tag = "conversations",
    responses((status = 204, description = "Deleted"), (status = 404, description = "Not a participant")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .conversations
        .delete(&auth.user, conversation_id(&id)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The messages, oldest first (a plain array); the other participant's become read.
#[utoipa::path(get, path = "/api/conversations/{id}/messages/", tag = "conversations",
    responses((status = 200, body = [MessageObjectDto]), (status = 404, description = "Not a participant")))]
pub async fn messages(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .conversations
        .messages(&auth.user, conversation_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(list.iter().map(MessageObjectDto::from).collect::<Vec<_>>()))
}

/// Sends a message (`content`); the other participant is notified. `is_read` is ignored.
#[utoipa::path(post, path = "/api/conversations/{id}/send_message/", tag = "conversations", request_body = SendMessageBody,
    responses((status = 201, body = MessageObjectDto), (status = 400, description = "No content"), (status = 404, description = "Not a participant")))]
pub async fn send_message(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = conversation_id(&id)?;
    let content = SendMessageBody::parse(&body).map(|b| b.content);
    let m = state.conversations.send(&auth.user, id, content).await?;
    Ok(HttpResponse::Created().json(MessageObjectDto::from(&m)))
}
