//! `notifications/`: the caller's own notifications (read-only, newest first), the unread
//! count, and marking them read.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::ids::NotificationId;
use madeinpk_domain::notification::model::{NOTIFICATION_ORDERING, Notification};
use madeinpk_domain::page::parse_ordering;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::resource;
use crate::state::AppState;
use crate::time::render;
use crate::wire::{MessageDto, Page, PageParams};

/// The Notification object, in the contract's key order.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    id: i64,
    notification_type: &'static str,
    title: String,
    message: String,
    is_read: bool,
    order: Option<i64>,
    auction: Option<i64>,
    created_at: String,
}

impl From<&Notification> for NotificationDto {
    fn from(n: &Notification) -> Self {
        Self {
            id: n.id.get(),
            notification_type: n.kind.as_str(),
            title: n.title.clone(),
            message: n.message.clone(),
            is_read: n.is_read,
            order: n.order_id,
            auction: n.auction_id,
            created_at: render(n.created_at),
        }
    }
}

/// Mounts the routes (the fixed paths before `{id}`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/notifications/", "GET, HEAD").route(web::get().to(list)))
        .service(
            resource("/notifications/mark_all_read/", "POST").route(web::post().to(mark_all_read)),
        )
        .service(
            resource("/notifications/unread_count/", "GET, HEAD")
                .route(web::get().to(unread_count)),
        )
        .service(resource("/notifications/{id}/", "GET, HEAD").route(web::get().to(get)))
        .service(
            resource("/notifications/{id}/mark_read/", "POST").route(web::post().to(mark_read)),
        );
}

/// The caller's notifications, newest first (`?ordering=` by any field).
#[utoipa::path(get, path = "/api/notifications/", tag = "notifications",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `id`, `notification_type`, `title`, `is_read`, `created_at`")),
    responses((status = 200, body = Page<NotificationDto>), (status = 401, description = "Not signed in"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let ordering = parse_ordering(q.get("ordering"), NOTIFICATION_ORDERING);
    let page = paginate(&req, &q, |p| {
        let (state, user, ordering) = (state.clone(), auth.user.clone(), ordering.clone());
        async move {
            Ok(state
                .notifications
                .list(&user, ordering, p)
                .await?
                .map(|n| NotificationDto::from(&n)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the caller's notifications.
#[utoipa::path(get, path = "/api/notifications/{id}/", tag = "notifications",
    responses((status = 200, body = NotificationDto), (status = 404, description = "Not the caller's")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let n = state
        .notifications
        .get(&auth.user, NotificationId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::Ok().json(NotificationDto::from(&n)))
}

/// Marks one read (idempotent).
#[utoipa::path(post, path = "/api/notifications/{id}/mark_read/", tag = "notifications",
    responses((status = 200, body = MessageDto), (status = 404, description = "Not the caller's")))]
pub async fn mark_read(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .notifications
        .mark_read(&auth.user, NotificationId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Notification marked as read",
    }))
}

/// Marks all of the caller's read.
#[utoipa::path(post, path = "/api/notifications/mark_all_read/", tag = "notifications",
    responses((status = 200, body = MessageDto)))]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    state.notifications.mark_all_read(&auth.user).await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "All notifications marked as read",
    }))
}

/// `{"unread_count": n}`.
#[derive(serde::Serialize, ToSchema)]
struct UnreadCountDto {
    unread_count: i64,
}

/// How many of the caller's are unread (an addition: `{"unread_count": n}`).
#[utoipa::path(get, path = "/api/notifications/unread_count/", tag = "notifications",
    responses((status = 200, body = UnreadCountDto)))]
pub async fn unread_count(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let n = state.notifications.unread_count(&auth.user).await?;
    Ok(HttpResponse::Ok().json(UnreadCountDto { unread_count: n }))
}
