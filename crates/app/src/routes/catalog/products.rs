//! `products/`: browse for everyone; sellers create; owners (and admins) edit, delete and manage
//! images.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::catalog::product::{
    Condition, ImageFile, ImageUpload, PRODUCT_ORDERING, ProductInput,
};
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

/// A new or replaced product as JSON (`POST`, `PUT`).
#[derive(utoipa::ToSchema)]
struct ProductBody {
    /// A Category id, or null.
    #[schema(examples(1))]
    category: Option<Option<i64>>,
    /// At most 255 characters.
    #[schema(max_length = 255)]
    #[schema(examples("Blue pottery vase"))]
    name: String,
    #[schema(examples("Hand-painted Multani blue pottery."))]
    description: String,
    // As sent: the service judges the choice.
    #[schema(value_type = ConditionParam)]
    #[schema(examples("new"))]
    condition: String,
}

impl ProductBody {
    /// Reads a full product: `name`, `description` and `condition` required.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let patch = ProductPatchBody::read(body, Need::Required)?;
        // `read` refused missing fields, so the defaults are never used.
        Ok(Self {
            category: patch.category,
            name: patch.name.unwrap_or_default(),
            description: patch.description.unwrap_or_default(),
            condition: patch.condition.unwrap_or_default(),
        })
    }
}

/// A new product as multipart, with its images (`POST`).
#[derive(utoipa::ToSchema)]
struct ProductForm {
    /// A Category id; `""` for none.
    #[schema(nullable = false)]
    category: Option<Option<i64>>,
    #[schema(max_length = 255)]
    name: String,
    description: String,
    #[schema(value_type = ConditionParam)]
    condition: String,
    /// Image files, the key repeated per file, stored in order; the first becomes primary.
    #[schema(value_type = Option<Vec<FileUpload>>, nullable = false)]
    images: Vec<ImageUpload>,
}

impl ProductForm {
    /// Reads a new product, multipart or JSON: the fields as [`ProductBody`], then the checked
    /// `images` (none from JSON).
    async fn parse(state: &AppState, body: &Body) -> Result<Self, ApiError> {
        let ProductBody {
            category,
            name,
            description,
            condition,
        } = ProductBody::parse(body)?;
        let images = image_uploads(state, body, "images").await?;
        Ok(Self {
            category,
            name,
            description,
            condition,
            images,
        })
    }

    /// The product's fields and its images.
    fn into_parts(self) -> (ProductInput, Vec<ImageUpload>) {
        let fields = ProductBody {
            category: self.category,
            name: self.name,
            description: self.description,
            condition: self.condition,
        };
        (fields.into(), self.images)
    }
}

/// Changes to a product (`PATCH`).
#[derive(utoipa::ToSchema)]
struct ProductPatchBody {
    /// A Category id, or null.
    category: Option<Option<i64>>,
    #[schema(nullable = false, max_length = 255)]
    name: Option<String>,
    #[schema(nullable = false)]
    description: Option<String>,
    #[schema(value_type = Option<ConditionParam>, nullable = false)]
    condition: Option<String>,
}

impl ProductPatchBody {
    /// Reads the fields, `name`, `description` and `condition` as `need` says (the condition
    /// as sent, for the service to judge).
    fn read(body: &Body, need: Need) -> Result<Self, ApiError> {
        let mut f = body.read();
        let patch = Self {
            category: f.pk("category", Need::Optional, true),
            name: f.string("name", need),
            description: f.string("description", need),
            condition: f.string("condition", need),
        };
        f.finish()?;
        Ok(patch)
    }
}

impl From<ProductBody> for ProductInput {
    fn from(b: ProductBody) -> Self {
        ProductPatchBody {
            category: b.category,
            name: Some(b.name),
            description: Some(b.description),
            condition: Some(b.condition),
        }
        .into()
    }
}

impl From<ProductPatchBody> for ProductInput {
    fn from(b: ProductPatchBody) -> Self {
        Self {
            category: b.category.map(|c| c.map(CategoryId)),
            name: b.name,
            description: b.description,
            condition: b.condition,
        }
    }
}

/// The form of `POST products/{id}/add_image/`.
#[derive(utoipa::ToSchema)]
struct AddImageForm {
    /// An image file.
    #[schema(value_type = FileUpload)]
    image: ImageFile,
}

impl AddImageForm {
    /// Judges the `image` part here; the service refuses a missing or bad one after the owner
    /// check.
    async fn parse(state: &AppState, body: &Body) -> Self {
        let image = match body.file("image") {
            None => ImageFile::Missing,
            Some(file) => image_upload(file, state.uploads.max_pixels())
                .await
                .map_or(ImageFile::Invalid, ImageFile::Valid),
        };
        Self { image }
    }
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
    query.condition = ConditionParam::parse(&q)?.map(Condition::from);
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

/// Reads product fields of a body: all of `ProductBody` when `full`, else any subset.
pub fn product_input(body: &Body, full: bool) -> Result<ProductInput, ApiError> {
    Ok(if full {
        ProductBody::parse(body)?.into()
    } else {
        ProductPatchBody::read(body, Need::Optional)?.into()
    })
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
    let (input, images) = ProductForm::parse(&state, &body).await?.into_parts();
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
    let form = AddImageForm::parse(&state, &body).await;
    let image = state.products.add_image(&auth.user, id, form.image).await?;
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
