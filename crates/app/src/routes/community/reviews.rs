//! `product-reviews/`: read by anyone; written once by a buyer who received the product.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::community::review::{REVIEW_ORDERING, ReviewInput, ReviewQuery};
use madeinpk_domain::ids::{ProductId, ReviewId};
use madeinpk_domain::page::parse_ordering;

use crate::auth::{ActiveUser, Authenticated, MaybeUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::community::wire::ReviewDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/product-reviews/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/product-reviews/can-review/{product_id}/", "GET, HEAD")
            .route(web::get().to(can_review)),
    )
    .service(
        resource("/product-reviews/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    );
}

/// `POST product-reviews/`.
#[derive(utoipa::ToSchema)]
struct ReviewCreateBody {
    /// A fixed-price Product id the caller received.
    #[schema(examples(1))]
    product: i64,
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(5))]
    rating: Option<i64>,
    /// Not blank, at most 200 characters.
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    #[schema(examples("Lovely work"))]
    title: Option<String>,
    /// Not blank.
    #[schema(value_type = String, min_length = 1)]
    #[schema(examples("Well made and on time."))]
    comment: Option<String>,
    /// The caller's order of it (makes `is_verified_purchase`), or null.
    #[schema(value_type = Option<i64>)]
    order: Option<Option<i64>>,
}

impl ReviewCreateBody {
    /// Reads a new review.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        // Presence, blanks and the rating range are the domain's rules (all reported together).
        let need = Need::Optional;
        let mut f = body.read();
        let product = f.pk("product", Need::Required, false).flatten();
        let rating = f.int("rating", need);
        let title = f.string("title", need);
        let comment = f.string("comment", need);
        let order = f.pk("order", Need::Optional, true);
        f.finish()?;
        // `finish` refused a missing or null product, so the default is never used.
        Ok(Self {
            product: product.unwrap_or_default(),
            rating,
            title,
            comment,
            order,
        })
    }
}

impl From<ReviewCreateBody> for ReviewInput {
    fn from(b: ReviewCreateBody) -> Self {
        Self {
            product: Some(ProductId(b.product)),
            rating: b.rating,
            title: b.title,
            comment: b.comment,
            order: b.order,
        }
    }
}

/// `PUT product-reviews/{id}/`; product and order never change.
#[derive(utoipa::ToSchema)]
struct ReviewReplaceBody {
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    #[schema(examples(4))]
    rating: Option<i64>,
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    #[schema(examples("Good"))]
    title: Option<String>,
    #[schema(value_type = String, min_length = 1)]
    #[schema(examples("As described."))]
    comment: Option<String>,
}

impl ReviewReplaceBody {
    /// Reads the same fields as `PATCH`; the domain requires them all (a full update).
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let b = ReviewPatchBody::parse(body)?;
        Ok(Self {
            rating: b.rating,
            title: b.title,
            comment: b.comment,
        })
    }
}

impl From<ReviewReplaceBody> for ReviewInput {
    fn from(b: ReviewReplaceBody) -> Self {
        Self {
            product: None,
            rating: b.rating,
            title: b.title,
            comment: b.comment,
            order: None,
        }
    }
}

/// `PATCH product-reviews/{id}/`: any subset.
#[derive(utoipa::ToSchema)]
struct ReviewPatchBody {
    #[schema(nullable = false, minimum = 1, maximum = 5)]
    rating: Option<i64>,
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    title: Option<String>,
    #[schema(nullable = false, min_length = 1)]
    comment: Option<String>,
}

impl ReviewPatchBody {
    /// Reads the fields present (product and order are not read: they never change).
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let need = Need::Optional;
        let mut f = body.read();
        let patch = Self {
            rating: f.int("rating", need),
            title: f.string("title", need),
            comment: f.string("comment", need),
        };
        f.finish()?;
        Ok(patch)
    }
}

impl From<ReviewPatchBody> for ReviewInput {
    fn from(b: ReviewPatchBody) -> Self {
        Self {
            product: None,
            rating: b.rating,
            title: b.title,
            comment: b.comment,
            order: None,
        }
    }
}

/// `can-review`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct CanReviewDto {
    can_review: bool,
    /// Why (or why not), in the contract's words.
    reason: String,
    has_reviewed: bool,
}

/// Reviews; filters `product`, `rating`, `verified_only=true`; `ordering` by `created_at`, `rating` (newest first by default).
#[utoipa::path(get, path = "/api/product-reviews/", tag = "reviews",
    params(PageParams, ("product" = Option<i64>, Query, description = "Product id"), ("rating" = Option<i64>, Query),
           ("verified_only" = Option<bool>, Query, description = "Exactly `true` filters"),
           ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `created_at`, `rating` (newest first by default)")),
    responses((status = 200, body = Page<ReviewDto>), (status = 400, description = "Bad filter"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let query = ReviewQuery {
        product: q.int_filter("product")?.map(ProductId),
        rating: q.int_filter("rating")?,
        verified_only: q.get("verified_only") == Some("true"),
        ordering: parse_ordering(q.get("ordering"), REVIEW_ORDERING),
    };
    let page = paginate(&req, &q, |p| {
        let (state, query) = (state.clone(), query.clone());
        async move {
            Ok(state
                .reviews
                .list(query, p)
                .await?
                .map(|r| ReviewDto::from(&r)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One review.
#[utoipa::path(get, path = "/api/product-reviews/{id}/", tag = "reviews", responses((status = 200, body = ReviewDto), (status = 404, description = "No such review")))]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let review = state.reviews.get(ReviewId(path_id(&id)?)).await?;
    Ok(HttpResponse::Ok().json(ReviewDto::from(&review)))
}

/// Whether the caller may review a product, and why not.
#[utoipa::path(get, path = "/api/product-reviews/can-review/{product_id}/", tag = "reviews",
    responses((status = 200, body = CanReviewDto), (status = 404, description = "No such product (with the same body), or a non-numeric id")))]
pub async fn can_review(
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    product: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let product = ProductId(path_id(&product)?);
    let answer = state
        .reviews
        .can_review(viewer.map(|a| a.user).as_ref(), product)
        .await?;
    let body = CanReviewDto {
        can_review: answer.can_review,
        reason: answer.reason,
        has_reviewed: answer.has_reviewed,
    };
    Ok(if answer.product_found {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::NotFound().json(body)
    })
}

/// Reads a `PUT` (`full`) or `PATCH` body.
fn update_input(body: &Body, full: bool) -> Result<ReviewInput, ApiError> {
    Ok(if full {
        ReviewReplaceBody::parse(body)?.into()
    } else {
        ReviewPatchBody::parse(body)?.into()
    })
}

/// Reviews a fixed-price product the caller received (once).
#[utoipa::path(post, path = "/api/product-reviews/", tag = "reviews", request_body = ReviewCreateBody,
    responses((status = 201, body = ReviewDto), (status = 400, description = "Not eligible, or field errors")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let review = state
        .reviews
        .create(&auth.user, ReviewCreateBody::parse(&body)?.into())
        .await?;
    Ok(HttpResponse::Created().json(ReviewDto::from(&review)))
}

async fn update(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = ReviewId(path_id(id)?);
    let review = state
        .reviews
        .update(&auth.user, id, update_input(body, full)?, full)
        .await?;
    Ok(HttpResponse::Ok().json(ReviewDto::from(&review)))
}

/// Replaces the author's rating, title and comment.
#[utoipa::path(put, path = "/api/product-reviews/{id}/", tag = "reviews", request_body = ReviewReplaceBody,
    responses((status = 200, body = ReviewDto), (status = 403, description = "Not the author")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, true).await
}

/// Changes the author's rating, title or comment.
#[utoipa::path(patch, path = "/api/product-reviews/{id}/", tag = "reviews", request_body = Option<ReviewPatchBody>,
    responses((status = 200, body = ReviewDto), (status = 403, description = "Not the author")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, false).await
}

/// Deletes a review (its author or an admin).
#[utoipa::path(delete, path = "/api/product-reviews/{id}/", tag = "reviews", responses((status = 204), (status = 403, description = "Not the author")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .reviews
        .delete(&auth.user, ReviewId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
