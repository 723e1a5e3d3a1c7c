//! `complaints/`: users file and manage their own complaints (locked once resolved or
//! closed); `admin/complaints/`: admins see them all and move them through the workflow.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::community::complaint::{
    Complaint, ComplaintCategory, ComplaintInput, ComplaintStatus,
};
use madeinpk_domain::ids::{ComplaintId, OrderId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{ActiveUser, CurrentUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::resource;
use crate::state::AppState;
use crate::time::render;
use crate::wire::{Page, PageParams};

/// The Complaint object, in the contract's key order (`admin_notes` for admins only).
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintDto {
    id: i64,
    complaint_number: String,
    user: i64,
    user_username: String,
    category: &'static str,
    subject: String,
    description: String,
    order: Option<i64>,
    order_number: Option<String>,
    seller: Option<i64>,
    seller_username: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin_notes: Option<String>,
    created_at: String,
    updated_at: String,
}

impl ComplaintDto {
    fn new(c: &Complaint, admin: bool) -> Self {
        Self {
            id: c.id.get(),
            complaint_number: c.number.clone(),
            user: c.user.get(),
            user_username: c.username.clone(),
            category: c.category.as_str(),
            subject: c.subject.clone(),
            description: c.description.clone(),
            order: c.order.map(OrderId::get),
            order_number: c.order_number.clone(),
            seller: c.seller.map(UserId::get),
            seller_username: c.seller_username.clone(),
            status: c.status.as_str(),
            admin_notes: admin.then(|| c.admin_notes.clone()),
            created_at: render(c.created_at),
            updated_at: render(c.updated_at),
        }
    }
}

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/complaints/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/complaints/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(resource("/admin/complaints/", "GET, HEAD").route(web::get().to(admin_list)))
    .service(
        resource("/admin/complaints/{id}/status/", "POST").route(web::post().to(admin_status)),
    );
}

fn complaint_id(raw: &str) -> Result<ComplaintId, ApiError> {
    path_id(raw).map(ComplaintId)
}

/// Reads the writable fields; `full` (POST, PUT) requires category, subject and description.
fn input(body: &Body, full: bool) -> Result<ComplaintInput, ApiError> {
    Ok(if full {
        ComplaintBody::parse(body)?.into()
    } else {
        ComplaintPatchBody::parse(body)?.into()
    })
}

/// A complaint category.
#[derive(Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
enum ComplaintCategoryParam {
    Payment,
    Seller,
    Product,
    Platform,
    Shipping,
    Other,
}

impl ComplaintCategoryParam {
    /// Parses a wire value.
    fn parse(s: &str) -> Option<Self> {
        ComplaintCategory::parse(s).map(Self::from)
    }
}

impl From<ComplaintCategory> for ComplaintCategoryParam {
    fn from(c: ComplaintCategory) -> Self {
        match c {
            ComplaintCategory::Payment => Self::Payment,
            ComplaintCategory::Seller => Self::Seller,
            ComplaintCategory::Product => Self::Product,
            ComplaintCategory::Platform => Self::Platform,
            ComplaintCategory::Shipping => Self::Shipping,
            ComplaintCategory::Other => Self::Other,
        }
    }
}

impl From<ComplaintCategoryParam> for ComplaintCategory {
    fn from(c: ComplaintCategoryParam) -> Self {
        match c {
            ComplaintCategoryParam::Payment => Self::Payment,
            ComplaintCategoryParam::Seller => Self::Seller,
            ComplaintCategoryParam::Product => Self::Product,
            ComplaintCategoryParam::Platform => Self::Platform,
            ComplaintCategoryParam::Shipping => Self::Shipping,
            ComplaintCategoryParam::Other => Self::Other,
        }
    }
}

/// A complaint status.
#[derive(Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
enum ComplaintStatusParam {
    Open,
    InProgress,
    Resolved,
    Closed,
}

impl ComplaintStatusParam {
    /// Parses a wire value.
    fn from_wire(s: &str) -> Option<Self> {
        ComplaintStatus::parse(s).map(Self::from)
    }

    /// `?status=`: none when absent or empty; an unknown value is a 400 naming the parameter.
    fn parse(q: &QueryMap) -> Result<Option<Self>, ApiError> {
        q.choice("status", Self::from_wire)
    }
}

impl From<ComplaintStatus> for ComplaintStatusParam {
    fn from(s: ComplaintStatus) -> Self {
        match s {
            ComplaintStatus::Open => Self::Open,
            ComplaintStatus::InProgress => Self::InProgress,
            ComplaintStatus::Resolved => Self::Resolved,
            ComplaintStatus::Closed => Self::Closed,
        }
    }
}

impl From<ComplaintStatusParam> for ComplaintStatus {
    fn from(s: ComplaintStatusParam) -> Self {
        match s {
            ComplaintStatusParam::Open => Self::Open,
            ComplaintStatusParam::InProgress => Self::InProgress,
            ComplaintStatusParam::Resolved => Self::Resolved,
            ComplaintStatusParam::Closed => Self::Closed,
        }
    }
}

/// A new or replaced complaint (`POST`, `PUT`).
#[derive(ToSchema)]
struct ComplaintBody {
    #[schema(examples("shipping"))]
    category: ComplaintCategoryParam,
    /// Not blank, at most 255 characters.
    #[schema(min_length = 1, max_length = 255)]
    #[schema(examples("Parcel not received"))]
    subject: String,
    /// Not blank.
    #[schema(min_length = 1)]
    #[schema(examples("Ordered two weeks ago."))]
    description: String,
    /// One of the caller's orders, or null.
    #[schema(value_type = Option<i64>)]
    order: Option<Option<i64>>,
    /// A seller's user id, or null.
    #[schema(value_type = Option<i64>)]
    seller: Option<Option<i64>>,
}

impl ComplaintBody {
    /// Reads a full complaint: category, subject and description are required.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let b = ComplaintPatchBody::read(body, Need::Required)?;
        // `finish` refused a missing category, subject or description, so the defaults are
        // never used.
        Ok(Self {
            category: b.category.unwrap_or(ComplaintCategoryParam::Other),
            subject: b.subject.unwrap_or_default(),
            description: b.description.unwrap_or_default(),
            order: b.order,
            seller: b.seller,
        })
    }
}

impl From<ComplaintBody> for ComplaintInput {
    fn from(b: ComplaintBody) -> Self {
        Self {
            category: Some(b.category.into()),
            subject: Some(b.subject),
            description: Some(b.description),
            order: b.order.map(|o| o.map(OrderId)),
            seller: b.seller.map(|s| s.map(UserId)),
        }
    }
}

/// Changes to a complaint (`PATCH`).
#[derive(ToSchema)]
struct ComplaintPatchBody {
    #[schema(nullable = false)]
    category: Option<ComplaintCategoryParam>,
    #[schema(nullable = false, min_length = 1, max_length = 255)]
    subject: Option<String>,
    #[schema(nullable = false, min_length = 1)]
    description: Option<String>,
    /// One of the caller's orders, or null.
    #[schema(value_type = Option<i64>)]
    order: Option<Option<i64>>,
    /// A seller's user id, or null.
    #[schema(value_type = Option<i64>)]
    seller: Option<Option<i64>>,
}

impl ComplaintPatchBody {
    /// Reads the fields present.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        Self::read(body, Need::Optional)
    }

    /// Reads the writable fields; `need` applies to category, subject and description (required
    /// for POST and PUT). `Some(None)` is a null order or seller.
    fn read(body: &Body, need: Need) -> Result<Self, ApiError> {
        let mut f = body.read();
        let category = f.choice("category", need, ComplaintCategoryParam::parse);
        let subject = f.string("subject", need);
        let description = f.string("description", need);
        let order = f.pk("order", Need::Optional, true);
        let seller = f.pk("seller", Need::Optional, true);
        f.finish()?;
        Ok(Self {
            category,
            subject,
            description,
            order,
            seller,
        })
    }
}

impl From<ComplaintPatchBody> for ComplaintInput {
    fn from(b: ComplaintPatchBody) -> Self {
        Self {
            category: b.category.map(ComplaintCategory::from),
            subject: b.subject,
            description: b.description,
            order: b.order.map(|o| o.map(OrderId)),
            seller: b.seller.map(|s| s.map(UserId)),
        }
    }
}

/// `POST admin/complaints/{id}/status/`.
#[derive(ToSchema)]
struct ComplaintStatusBody {
    /// The new status (`open` reopens).
    status: ComplaintStatusParam,
    /// Replaces the notes; absent keeps them.
    #[schema(nullable = false)]
    admin_notes: Option<String>,
}

impl ComplaintStatusBody {
    /// Reads the body: `status` is required.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let status = f.choice("status", Need::Required, ComplaintStatusParam::from_wire);
        let admin_notes = f.string("admin_notes", Need::Optional);
        f.finish()?;
        // `finish` refused a missing or unknown status.
        Ok(Self {
            status: status.unwrap_or(ComplaintStatusParam::Open),
            admin_notes,
        })
    }
}

/// The caller's complaints, newest first (`?ordering=created_at` for oldest first).
#[utoipa::path(get, path = "/api/complaints/", tag = "complaints",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`created_at` for oldest first; newest first otherwise")),
    responses((status = 200, body = Page<ComplaintDto>), (status = 401, description = "Not signed in"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let oldest_first = q.get("ordering") == Some("created_at");
    let page = paginate(&req, &q, |p| {
        let (state, user) = (state.clone(), auth.user.clone());
        async move {
            Ok(state
                .complaints
                .list(&user, oldest_first, p)
                .await?
                .map(|c| ComplaintDto::new(&c, false)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Files a complaint (about one of the caller's orders and/or a seller, optionally).
#[utoipa::path(post, path = "/api/complaints/", tag = "complaints", request_body = ComplaintBody,
    responses((status = 201, body = ComplaintDto), (status = 400, description = "Field errors")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let c = state
        .complaints
        .create(&auth.user, ComplaintBody::parse(&body)?.into())
        .await?;
    Ok(HttpResponse::Created().json(ComplaintDto::new(&c, false)))
}

/// One of the caller's complaints.
#[utoipa::path(get, path = "/api/complaints/{id}/", tag = "complaints",
    responses((status = 200, body = ComplaintDto), (status = 404, description = "Not the caller's")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = state.complaints.get(&auth.user, complaint_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(ComplaintDto::new(&c, auth.user.is_admin())))
}

async fn update(
    state: &AppState,
    user: &madeinpk_domain::account::user::User,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = complaint_id(id)?;
    let input = match input(body, full) {
        Ok(input) => input,
        Err(e) => {
            // A stranger learns nothing about the body: not found comes first.
            state.complaints.get(user, id).await?;
            return Err(e);
        }
    };
    let c = state.complaints.update(user, id, input).await?;
    Ok(HttpResponse::Ok().json(ComplaintDto::new(&c, false)))
}

/// Replaces the caller's complaint (category, subject, description required).
#[utoipa::path(put, path = "/api/complaints/{id}/", tag = "complaints", request_body = ComplaintBody,
    responses((status = 200, body = ComplaintDto), (status = 400, description = "Field errors, or resolved/closed"), (status = 404, description = "Not the caller's")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth.user, &id, &body, true).await
}

/// Changes some fields of the caller's complaint.
#[utoipa::path(patch, path = "/api/complaints/{id}/", tag = "complaints", request_body = Option<ComplaintPatchBody>,
    responses((status = 200, body = ComplaintDto), (status = 400, description = "Field errors, or resolved/closed"), (status = 404, description = "Not the caller's")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth.user, &id, &body, false).await
}

/// Withdraws the caller's complaint (not once resolved or closed).
#[utoipa::path(delete, path = "/api/complaints/{id}/", tag = "complaints",
    responses((status = 204, description = "Withdrawn"), (status = 400, description = "Resolved/closed"), (status = 404, description = "Not the caller's")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .complaints
        .delete(&auth.user, complaint_id(&id)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Admins: every complaint, newest first, `?status=` to filter.
#[utoipa::path(get, path = "/api/admin/complaints/", tag = "admin",
    params(PageParams, ("status" = inline(Option<ComplaintStatusParam>), Query)),
    responses((status = 200, body = Page<ComplaintDto>), (status = 404, description = "Invalid page"), (status = 400, description = "Unknown status"), (status = 403, description = "Not an admin")))]
pub async fn admin_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let status = ComplaintStatusParam::parse(&q)?.map(ComplaintStatus::from);
    let page = paginate(&req, &q, |p| {
        let (state, user) = (state.clone(), auth.user.clone());
        async move {
            Ok(state
                .complaints
                .all(&user, status, p)
                .await?
                .map(|c| ComplaintDto::new(&c, true)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Admins: moves a complaint (`status`: in_progress, resolved, closed, or open to reopen;
/// `admin_notes` optional); the complainant is told in-app and by email.
#[utoipa::path(post, path = "/api/admin/complaints/{id}/status/", tag = "admin", request_body = ComplaintStatusBody,
    responses((status = 200, body = ComplaintDto), (status = 403, description = "Not an admin"), (status = 404, description = "No such complaint"), (status = 409, description = "Not a move the workflow allows")))]
pub async fn admin_status(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    if !auth.user.is_admin() {
        return Err(madeinpk_domain::community::complaint::ComplaintError::NotAdmin.into());
    }
    let id = complaint_id(&id)?;
    let body = ComplaintStatusBody::parse(&body)?;
    let c = crate::console::audit::audited(
        &state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::Complaints,
        Some(id.get()),
        "status",
        state
            .complaints
            .set_status(&auth.user, id, body.status.into(), body.admin_notes),
    )
    .await?;
    Ok(HttpResponse::Ok().json(ComplaintDto::new(&c, true)))
}
