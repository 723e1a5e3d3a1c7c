//! `products/`: browse for everyone; sellers create; owners (and admins) edit, delete and manage
//! images.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::catalog::product::{Condition, ImageFile, PRODUCT_ORDERING, ProductInput};
use madeinpk_domain::ids::{CategoryId, ProductId, ProductImageId};
use madeinpk_domain::page::parse_ordering;

use crate::auth::{ActiveUser, MaybeUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::catalog::product_params::{ConditionParam, image_uploads, product_filters};
use crate::routes::catalog::wire::{ProductDto, ProductImageDto};
use crate::routes::resource;
use crate::state::AppState;
use crate::uploads::image_upload;
use crate::wire::{FileUpload, Media, Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/products/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/products/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(resource("/products/{id}/add_image/", "POST").route(web::post().to(add_image)))
    .service(
        resource("/products/{id}/delete_image/{image_id}/", "DELETE")
            .route(web::delete().to(delete_image)),
    );
}

/// A new or replaced product as JSON (`POST`, `PUT`; documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ProductBody {
    /// A Category id, or null.
    #[schema(examples(1))]
    category: Option<i64>,
    /// At most 255 characters.
    #[schema(max_length = 255)]
    #[schema(examples("Blue pottery vase"))]
    name: String,
    #[schema(examples("Hand-painted Multani blue pottery."))]
    description: String,
    #[schema(examples("new"))]
    condition: ConditionParam,
}

/// A new product as multipart, with its images (`POST`; documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ProductForm {
    /// A Category id; `""` for none.
    #[schema(nullable = false)]
    category: Option<i64>,
    #[schema(max_length = 255)]
    name: String,
    description: String,
    condition: ConditionParam,
    /// Image files, the key repeated per file, stored in order; the first becomes primary.
    #[schema(nullable = false)]
    images: Option<Vec<FileUpload>>,
}

/// Changes to a product (`PATCH`; documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ProductPatchBody {
    /// A Category id, or null.
    category: Option<i64>,
    #[schema(nullable = false, max_length = 255)]
    name: Option<String>,
    #[schema(nullable = false)]
    description: Option<String>,
    #[schema(nullable = false)]
    condition: Option<ConditionParam>,
}

/// `POST products/{id}/add_image/` (documentation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct AddImageForm {
    /// An image file.
    image: FileUpload,
}

/// Products; filters `seller`, `category`, `condition`, `province`; `search`; `ordering` by `created_at`, `name`.
#[utoipa::path(get, path = "/api/products/", tag = "products",
    params(PageParams,
           ("search" = Option<String>, Query, description = "Terms (split on spaces and commas) each matching the name or description"),
           ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `created_at`, `name`"),
           ("seller" = Option<i64>, Query, description = "Seller's user id"), ("category" = Option<i64>, Query, description = "Category id (not its subcategories)"),
           ("condition" = inline(Option<ConditionParam>), Query), ("province" = Option<i64>, Query, description = "The seller's province")),
    responses((status = 200, body = Page<ProductDto>), (status = 400, description = "Bad filter"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    media: Media,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let mut query = product_filters(&q)?;
    query.condition = q.choice("condition", Condition::parse)?;
    query.ordering = parse_ordering(q.get("ordering"), PRODUCT_ORDERING);
    let viewer = viewer.map(|a| a.user);
    let page = paginate(&req, &q, |p| {
        let (state, query, viewer, media) =
            (state.clone(), query.clone(), viewer.clone(), media.clone());
        async move {
            Ok(state
                .products
                .list(query, p, viewer.as_ref())
                .await?
                .map(|v| ProductDto::new(&v, &media)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One product.
#[utoipa::path(get, path = "/api/products/{id}/", tag = "products", responses((status = 200, body = ProductDto), (status = 404, description = "No such product")))]
pub async fn get(
    state: web::Data<AppState>,
    MaybeUser(viewer): MaybeUser,
    media: Media,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let product = state
        .products
        .get(ProductId(path_id(&id)?), viewer.map(|a| a.user).as_ref())
        .await?;
    Ok(HttpResponse::Ok().json(ProductDto::new(&product, &media)))
}

/// Reads product fields of a body.
pub fn product_input(body: &Body, full: bool) -> Result<ProductInput, ApiError> {
    let need = if full { Need::Required } else { Need::Optional };
    let mut f = body.read();
    let input = ProductInput {
        category: f
            .pk("category", Need::Optional, true)
            .map(|c| c.map(CategoryId)),
        name: f.string("name", need),
        description: f.string("description", need),
        condition: f.string("condition", need),
    };
    f.finish()?;
    Ok(input)
}

/// Creates a product (sellers); multipart `images` are stored in order, the first primary.
#[utoipa::path(post, path = "/api/products/", tag = "products",
    request_body(content((ProductBody = "application/json"), (ProductForm = "multipart/form-data"))),
    responses((status = 201, body = ProductDto), (status = 400, description = "Field errors"), (status = 403, description = "Not a seller")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = product_input(&body, true)?;
    let images = image_uploads(&state, &body, "images").await?;
    let product = state.products.create(&auth.user, input, images).await?;
    Ok(HttpResponse::Created().json(ProductDto::new(&product, &media)))
}

async fn update(
    state: &AppState,
    auth: &crate::auth::Authenticated,
    media: &Media,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = ProductId(path_id(id)?);
    let product = state
        .products
        .update(&auth.user, id, product_input(body, full)?, full)
        .await?;
    Ok(HttpResponse::Ok().json(ProductDto::new(&product, media)))
}

/// Replaces a product's fields (owner or admin).
#[utoipa::path(put, path = "/api/products/{id}/", tag = "products", request_body = ProductBody,
    responses((status = 200, body = ProductDto), (status = 403, description = "Not the owner")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, true).await
}

/// Changes some of a product's fields (owner or admin).
#[utoipa::path(patch, path = "/api/products/{id}/", tag = "products", request_body = Option<ProductPatchBody>,
    responses((status = 200, body = ProductDto), (status = 403, description = "Not the owner")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &media, &id, &body, false).await
}

/// Deletes a product with its listing or auction (owner or admin); 409 when orders use it.
#[utoipa::path(delete, path = "/api/products/{id}/", tag = "products",
    responses((status = 204), (status = 403, description = "Not the owner"), (status = 409, description = "Orders use it")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .products
        .delete(&auth.user, ProductId(path_id(&id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds one image (multipart field `image`); the first image becomes primary.
#[utoipa::path(post, path = "/api/products/{id}/add_image/", tag = "products",
    request_body(content((AddImageForm = "multipart/form-data"))),
    responses((status = 201, body = ProductImageDto), (status = 400, description = "No or bad file"), (status = 403, description = "Not the owner")))]
pub async fn add_image(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    media: Media,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let id = ProductId(path_id(&id)?);
    // Judged here, refused by the service after the owner check.
    let upload = match body.file("image") {
        None => ImageFile::Missing,
        Some(file) => image_upload(file, state.uploads.max_pixels())
            .await
            .map_or(ImageFile::Invalid, ImageFile::Valid),
    };
    let image = state.products.add_image(&auth.user, id, upload).await?;
    Ok(HttpResponse::Created().json(ProductImageDto::new(&image, &media)))
}

/// Deletes an image (never the last); the next one becomes primary if needed.
#[utoipa::path(delete, path = "/api/products/{id}/delete_image/{image_id}/", tag = "products",
    responses((status = 204), (status = 400, description = "Last image"), (status = 403, description = "Not the owner"), (status = 404, description = "No such image")))]
pub async fn delete_image(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, image) = path.into_inner();
    let id = ProductId(path_id(&id)?);
    // A non-numeric image id names no image: "Image not found", after the owner check.
    let image = image.parse::<i64>().unwrap_or(0);
    state
        .products
        .delete_image(&auth.user, id, ProductImageId(image))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
