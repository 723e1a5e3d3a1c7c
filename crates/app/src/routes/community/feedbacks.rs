//! `feedbacks/`: seller feedback on auction orders. Any signed-in user reads (the order number
//! and the comment to the platform only its buyer, its seller and admins); the buyer of a
//! shipped auction order writes once; that buyer (or an admin) changes or deletes it.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::community::feedback::{
    FEEDBACK_ORDERING, Feedback, FeedbackError, FeedbackInput, FeedbackQuery, SellerStats,
};
use madeinpk_domain::ids::{FeedbackId, OrderId, UserId};
use madeinpk_domain::page::parse_ordering;
use madeinpk_domain::validation::FieldErrors;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{ActiveUser, Authenticated, CurrentUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::resource;
use crate::state::AppState;
use crate::time::render;
use crate::wire::{MessageDto, Page, PageParams};

/// The Feedback object, in the contract's key order (there is no `seller` key).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackDto {
    id: i64,
    order: i64,
    order_number: String,
    buyer: i64,
    buyer_username: String,
    seller_rating: i16,
    seller_comment: String,
    platform_rating: i16,
    platform_comment: String,
    communication_rating: i16,
    product_as_described: bool,
    shipping_speed_rating: i16,
    created_at: String,
}

impl From<&Feedback> for FeedbackDto {
    fn from(f: &Feedback) -> Self {
        Self {
            id: f.id.get(),
            order: f.order.get(),
            order_number: f.order_number.clone(),
            buyer: f.buyer.get(),
            buyer_username: f.buyer_username.clone(),
            seller_rating: f.seller_rating,
            seller_comment: f.seller_comment.clone(),
            platform_rating: f.platform_rating,
            platform_comment: f.platform_comment.clone(),
            communication_rating: f.communication_rating,
            product_as_described: f.product_as_described,
            shipping_speed_rating: f.shipping_speed_rating,
            created_at: render(f.created_at),
        }
    }
}

/// A seller's feedback figures: unrounded averages as JSON numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerStatsDto {
    total_feedbacks: i64,
    average_seller_rating: f64,
    average_communication: f64,
    average_shipping: f64,
    product_as_described_percent: f64,
}

impl From<&SellerStats> for SellerStatsDto {
    fn from(s: &SellerStats) -> Self {
        Self {
            total_feedbacks: s.total,
            average_seller_rating: s.average_seller_rating(),
            average_communication: s.average_communication(),
            average_shipping: s.average_shipping(),
            product_as_described_percent: s.product_as_described_percent(),
        }
    }
}

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/feedbacks/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    // Before `{id}/`, which would otherwise take the name for an id.
    .service(resource("/feedbacks/seller_stats/", "GET, HEAD").route(web::get().to(seller_stats)))
    .service(
        resource("/feedbacks/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    );
}

/// `POST feedbacks/`: the caller's shipped auction order and four ratings.
#[derive(ToSchema)]
struct FeedbackCreateBody {
    /// The caller's shipped (or delivered) auction order.
    #[schema(value_type = i64)]
    #[schema(examples(1))]
    order_id: Option<i64>,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(5))]
    seller_rating: Option<i64>,
    /// `""` by default.
    #[schema(nullable = false)]
    seller_comment: Option<String>,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(4))]
    platform_rating: Option<i64>,
    /// `""` by default.
    #[schema(nullable = false)]
    platform_comment: Option<String>,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(5))]
    communication_rating: Option<i64>,
    /// True by default.
    #[schema(nullable = false)]
    product_as_described: Option<bool>,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(4))]
    shipping_speed_rating: Option<i64>,
}

impl FeedbackCreateBody {
    /// Reads a new feedback, and the errors of values that could not be read (see
    /// [`FeedbackPatchBody::parse`]).
    fn parse(body: &Body) -> (Self, FieldErrors) {
        // Absent, null or unreadable all mean "no such order of yours" (the first check).
        let order_id = body.read().pk("order_id", Need::Optional, true).flatten();
        let (r, unreadable) = FeedbackPatchBody::parse(body);
        let create = Self {
            order_id,
            seller_rating: r.seller_rating,
            seller_comment: r.seller_comment,
            platform_rating: r.platform_rating,
            platform_comment: r.platform_comment,
            communication_rating: r.communication_rating,
            product_as_described: r.product_as_described,
            shipping_speed_rating: r.shipping_speed_rating,
        };
        (create, unreadable)
    }

    /// The service's input.
    fn into_input(self, unreadable: FieldErrors) -> FeedbackInput {
        FeedbackInput {
            order: self.order_id.map(OrderId),
            seller_rating: self.seller_rating,
            seller_comment: self.seller_comment,
            platform_rating: self.platform_rating,
            platform_comment: self.platform_comment,
            communication_rating: self.communication_rating,
            product_as_described: self.product_as_described,
            shipping_speed_rating: self.shipping_speed_rating,
            unreadable,
        }
    }
}

/// `PUT feedbacks/{id}/`: the four ratings are required; the order stays.
#[derive(ToSchema)]
struct FeedbackReplaceBody {
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(5))]
    seller_rating: Option<i64>,
    #[schema(nullable = false)]
    seller_comment: Option<String>,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(4))]
    platform_rating: Option<i64>,
    #[schema(nullable = false)]
    platform_comment: Option<String>,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(5))]
    communication_rating: Option<i64>,
    #[schema(nullable = false)]
    product_as_described: Option<bool>,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(4))]
    shipping_speed_rating: Option<i64>,
}

impl FeedbackReplaceBody {
    /// Reads the same fields as `PATCH`: the service requires the ratings (a full update).
    fn parse(body: &Body) -> (Self, FieldErrors) {
        let (r, unreadable) = FeedbackPatchBody::parse(body);
        let replace = Self {
            seller_rating: r.seller_rating,
            seller_comment: r.seller_comment,
            platform_rating: r.platform_rating,
            platform_comment: r.platform_comment,
            communication_rating: r.communication_rating,
            product_as_described: r.product_as_described,
            shipping_speed_rating: r.shipping_speed_rating,
        };
        (replace, unreadable)
    }

    /// The service's input (the order of a feedback never changes).
    fn into_input(self, unreadable: FieldErrors) -> FeedbackInput {
        FeedbackInput {
            order: None,
            seller_rating: self.seller_rating,
            seller_comment: self.seller_comment,
            platform_rating: self.platform_rating,
            platform_comment: self.platform_comment,
            communication_rating: self.communication_rating,
            product_as_described: self.product_as_described,
            shipping_speed_rating: self.shipping_speed_rating,
            unreadable,
        }
    }
}

/// `PATCH feedbacks/{id}/`: any subset; the order stays.
#[derive(ToSchema)]
struct FeedbackPatchBody {
    #[schema(nullable = false, minimum = 1, maximum = 5)]
    seller_rating: Option<i64>,
    #[schema(nullable = false)]
    seller_comment: Option<String>,
    #[schema(nullable = false, minimum = 1, maximum = 5)]
    platform_rating: Option<i64>,
    #[schema(nullable = false)]
    platform_comment: Option<String>,
    #[schema(nullable = false, minimum = 1, maximum = 5)]
    communication_rating: Option<i64>,
    #[schema(nullable = false)]
    product_as_described: Option<bool>,
    #[schema(nullable = false, minimum = 1, maximum = 5)]
    shipping_speed_rating: Option<i64>,
}

impl FeedbackPatchBody {
    /// Reads the ratings and comments, all optional. Values of the wrong type are not refused
    /// here: the contract checks the order first, so their errors are returned to travel in the
    /// input, and the service reports them with the field rules.
    fn parse(body: &Body) -> (Self, FieldErrors) {
        let need = Need::Optional;
        let mut f = body.read();
        let patch = Self {
            seller_rating: f.int("seller_rating", need),
            seller_comment: f.string("seller_comment", need),
            platform_rating: f.int("platform_rating", need),
            platform_comment: f.string("platform_comment", need),
            communication_rating: f.int("communication_rating", need),
            product_as_described: f.bool("product_as_described", need),
            shipping_speed_rating: f.int("shipping_speed_rating", need),
        };
        let unreadable = f.into_errors().err().unwrap_or_default();
        (patch, unreadable)
    }

    /// The service's input (the order of a feedback never changes).
    fn into_input(self, unreadable: FieldErrors) -> FeedbackInput {
        FeedbackInput {
            order: None,
            seller_rating: self.seller_rating,
            seller_comment: self.seller_comment,
            platform_rating: self.platform_rating,
            platform_comment: self.platform_comment,
            communication_rating: self.communication_rating,
            product_as_described: self.product_as_described,
            shipping_speed_rating: self.shipping_speed_rating,
            unreadable,
        }
    }
}

/// `seller_stats`: the figures, or `{"message": "No feedback yet"}`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum SellerStatsResponse {
    Stats(SellerStatsDto),
    NoFeedback(MessageDto),
}

/// All feedback, platform-wide; filter `seller` (user id); `ordering` by any field (newest first by default). `order_number` and `platform_comment` are blank except for the feedback's buyer, its seller and admins, and only admins sort by them.
#[utoipa::path(get, path = "/api/feedbacks/", tag = "feedbacks",
    params(PageParams, ("seller" = Option<i64>, Query, description = "Seller's user id"),
           ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated, any Feedback field (newest first by default); `order_number` and `platform_comment` for admins only (ignored otherwise)")),
    responses((status = 200, body = Page<FeedbackDto>), (status = 404, description = "Invalid page"), (status = 400, description = "Bad filter"), (status = 401, description = "Not signed in")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let query = FeedbackQuery {
        seller: q.int_filter("seller")?.map(UserId),
        ordering: parse_ordering(q.get("ordering"), FEEDBACK_ORDERING),
    };
    let page = paginate(&req, &q, |p| {
        let (state, query, viewer) = (state.clone(), query.clone(), auth.user.clone());
        async move {
            Ok(state
                .feedbacks
                .list(&viewer, query, p)
                .await?
                .map(|f| FeedbackDto::from(&f)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One feedback; `order_number` and `platform_comment` are blank except for its buyer, its seller and admins.
#[utoipa::path(get, path = "/api/feedbacks/{id}/", tag = "feedbacks", responses((status = 200, body = FeedbackDto), (status = 404, description = "No such feedback")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let feedback = state
        .feedbacks
        .get(&auth.user, FeedbackId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::Ok().json(FeedbackDto::from(&feedback)))
}

/// Rates the seller of the caller's shipped auction order (once per order).
#[utoipa::path(post, path = "/api/feedbacks/", tag = "feedbacks", request_body = FeedbackCreateBody,
    responses((status = 201, body = FeedbackDto), (status = 400, description = "Not the buyer, not an auction, not shipped, already given, or field errors"), (status = 401, description = "Not signed in")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let (body, unreadable) = FeedbackCreateBody::parse(&body);
    let feedback = state
        .feedbacks
        .create(&auth.user, body.into_input(unreadable))
        .await?;
    Ok(HttpResponse::Created().json(FeedbackDto::from(&feedback)))
}

async fn update(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = FeedbackId(path_id(id)?);
    let input = if full {
        let (body, unreadable) = FeedbackReplaceBody::parse(body);
        body.into_input(unreadable)
    } else {
        let (body, unreadable) = FeedbackPatchBody::parse(body);
        body.into_input(unreadable)
    };
    let feedback = state.feedbacks.update(&auth.user, id, input, full).await?;
    Ok(HttpResponse::Ok().json(FeedbackDto::from(&feedback)))
}

/// Replaces the ratings (all four required) and comments; the order stays.
#[utoipa::path(put, path = "/api/feedbacks/{id}/", tag = "feedbacks", request_body = FeedbackReplaceBody,
    responses((status = 200, body = FeedbackDto), (status = 400, description = "Field errors"), (status = 404, description = "Unknown, or not the caller's")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, true).await
}

/// Changes some ratings or comments; the order stays.
#[utoipa::path(patch, path = "/api/feedbacks/{id}/", tag = "feedbacks", request_body = Option<FeedbackPatchBody>,
    responses((status = 200, body = FeedbackDto), (status = 400, description = "Field errors"), (status = 404, description = "Unknown, or not the caller's")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, false).await
}

/// Deletes a feedback (its buyer or an admin); the seller's rating is recomputed.
#[utoipa::path(delete, path = "/api/feedbacks/{id}/", tag = "feedbacks", responses((status = 204), (status = 404, description = "Unknown, or not the caller's")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .feedbacks
        .delete(&auth.user, FeedbackId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A seller's feedback figures, or `{"message": "No feedback yet"}`.
#[utoipa::path(get, path = "/api/feedbacks/seller_stats/", tag = "feedbacks",
    params(("seller_id" = i64, Query, description = "The seller's user id")),
    responses((status = 200, body = SellerStatsResponse), (status = 400, description = "`seller_id` missing or not an integer"), (status = 401, description = "Not signed in")))]
pub async fn seller_stats(
    state: web::Data<AppState>,
    _: CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let seller = q
        .int_filter("seller_id")?
        .ok_or(FeedbackError::SellerIdRequired)?;
    let response = match state.feedbacks.seller_stats(UserId(seller)).await? {
        Some(stats) => SellerStatsResponse::Stats(SellerStatsDto::from(&stats)),
        None => SellerStatsResponse::NoFeedback(MessageDto {
            message: "No feedback yet",
        }),
    };
    Ok(HttpResponse::Ok().json(response))
}
