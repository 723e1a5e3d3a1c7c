//! `admin/users/{id}/…`, `admin/payment-violations/`: admins block and unblock accounts, reset unpaid-win counts, and read payment violations.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::CurrentUser;
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Page, PageParams};
use madeinpk_domain::account::moderation::{Moderated, ViolationRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/users/{id}/block/", "POST").route(web::post().to(block)))
        .service(resource("/admin/users/{id}/unblock/", "POST").route(web::post().to(unblock)))
        .service(
            resource("/admin/users/{id}/reset_violations/", "POST")
                .route(web::post().to(reset_violations)),
        )
        .service(
            resource("/admin/payment-violations/", "GET, HEAD").route(web::get().to(violations)),
        );
}

/// An account after a moderation step.
#[derive(Serialize, ToSchema)]
struct ModeratedDto {
    id: i64,
    username: String,
    is_blocked: bool,
    failed_payment_count: i32,
}

impl From<&Moderated> for ModeratedDto {
    fn from(m: &Moderated) -> Self {
        Self {
            id: m.user.get(),
            username: m.username.clone(),
            is_blocked: m.is_blocked,
            failed_payment_count: m.failed_payment_count,
        }
    }
}

/// The body of `POST admin/users/{id}/block/`.
#[derive(ToSchema)]
struct BlockBody {
    /// Given in the email to the user; `""` by default.
    #[schema(nullable = false)]
    reason: Option<String>,
}

impl BlockBody {
    /// Reads the body: `reason` is optional text.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let reason = f.string("reason", Need::Optional);
        f.finish()?;
        Ok(Self { reason })
    }
}

/// A payment violation.
#[derive(Serialize, ToSchema)]
struct ViolationDto {
    id: i64,
    user: i64,
    user_username: String,
    auction: Option<i64>,
    order: i64,
    order_number: String,
    violation_date: String,
    #[schema(required = true)]
    payment_deadline: Option<String>,
    notes: String,
}

impl From<ViolationRecord> for ViolationDto {
    fn from(v: ViolationRecord) -> Self {
        Self {
            id: v.id,
            user: v.user.get(),
            user_username: v.username,
            auction: v.auction.map(madeinpk_domain::ids::AuctionId::get),
            order: v.order.get(),
            order_number: v.order_number,
            violation_date: crate::time::render(v.violation_date),
            payment_deadline: crate::time::render_opt(v.payment_deadline),
            notes: v.notes,
        }
    }
}

async fn moderate(
    state: &AppState,
    admin: &madeinpk_domain::account::user::User,
    id: &str,
    step: madeinpk_domain::account::moderation::Moderation,
) -> Result<HttpResponse, ApiError> {
    let user = madeinpk_domain::ids::UserId(path_id(id)?);
    let action = match &step {
        madeinpk_domain::account::moderation::Moderation::Block { .. } => "block",
        madeinpk_domain::account::moderation::Moderation::Unblock => "unblock",
        madeinpk_domain::account::moderation::Moderation::ResetViolations => {
            "reset_failed_payments"
        }
    };
    let m = crate::console::audit::audited(
        state,
        admin,
        madeinpk_domain::console::entity::Entity::Users,
        Some(user.get()),
        action,
        state.moderation.apply(admin, user, step),
    )
    .await?;
    Ok(HttpResponse::Ok().json(ModeratedDto::from(&m)))
}

/// Blocks an account (`reason` optional, given in the email): it can still read, but not
/// buy, bid, sell or message. Admin accounts cannot be blocked.
#[utoipa::path(post, path = "/api/admin/users/{id}/block/", tag = "admin", request_body = Option<BlockBody>,
    responses((status = 200, body = ModeratedDto), (status = 400, description = "An admin account"), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn block(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let body = BlockBody::parse(&body)?;
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::account::moderation::Moderation::Block {
            reason: body.reason.unwrap_or_default(),
        },
    )
    .await
}

/// Unblocks an account.
#[utoipa::path(post, path = "/api/admin/users/{id}/unblock/", tag = "admin",
    responses((status = 200, body = ModeratedDto), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn unblock(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::account::moderation::Moderation::Unblock,
    )
    .await
}

/// Sets an account's unpaid-auction count back to 0 (violations stay on record).
#[utoipa::path(post, path = "/api/admin/users/{id}/reset_violations/", tag = "admin",
    responses((status = 200, body = ModeratedDto), (status = 403, description = "Not an admin"), (status = 404, description = "No such user")))]
pub async fn reset_violations(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    moderate(
        &state,
        &auth.user,
        &id,
        madeinpk_domain::account::moderation::Moderation::ResetViolations,
    )
    .await
}

/// Payment violations, newest first (`?user=` for one user's).
#[utoipa::path(get, path = "/api/admin/payment-violations/", tag = "admin",
    params(PageParams, ("user" = Option<i64>, Query, description = "Only this user's")),
    responses((status = 200, body = Page<ViolationDto>), (status = 404, description = "Invalid page"), (status = 400, description = "Bad filter"), (status = 403, description = "Not an admin")))]
pub async fn violations(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let user = q.int_filter("user")?.map(madeinpk_domain::ids::UserId);
    let page = paginate(&req, &q, |p| {
        let (state, admin) = (state.clone(), auth.user.clone());
        async move {
            Ok(state
                .moderation
                .violations(&admin, user, p)
                .await?
                .map(ViolationDto::from))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
