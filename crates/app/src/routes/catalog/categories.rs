//! `categories/`: the tree for everyone, writes for admins.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::catalog::reference::{CATEGORY_ORDERING, CategoryInput};
use madeinpk_domain::ids::CategoryId;
use madeinpk_domain::page::parse_ordering;

use crate::auth::ActiveUser;
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::catalog::wire::CategoryDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/categories/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/categories/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    );
}

/// Root categories with nested subcategories.
#[utoipa::path(get, path = "/api/categories/", tag = "categories",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `id`, `name`, `description`, `parent`")),
    responses((status = 200, body = Page<CategoryDto>, description = "Root categories"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let ordering = parse_ordering(q.get("ordering"), CATEGORY_ORDERING);
    let page = paginate(&req, &q, |p| {
        let state = state.clone();
        let ordering = ordering.clone();
        async move {
            Ok(state
                .reference
                .category_tree(&ordering, p)
                .await?
                .map(CategoryDto::from))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Any category, subcategories included, with its subtree.
#[utoipa::path(get, path = "/api/categories/{id}/", tag = "categories", responses((status = 200, body = CategoryDto), (status = 404, description = "No such category")))]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let node = state.reference.category(CategoryId(path_id(&id)?)).await?;
    Ok(HttpResponse::Ok().json(CategoryDto::from(node)))
}

/// A new or replaced category (`POST`, `PUT`).
#[derive(utoipa::ToSchema)]
struct CategoryBody {
    #[schema(examples("Pottery"))]
    name: String,
    /// `""` by default.
    #[schema(nullable = false)]
    #[schema(examples("Clay and ceramics"))]
    description: Option<String>,
    /// The parent Category id; null for a root category.
    parent: Option<Option<i64>>,
}

impl CategoryBody {
    /// Reads a full category; `name` is required.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let patch = CategoryPatchBody::read(body, Need::Required)?;
        Ok(Self {
            // `read` refused a missing name, so the default is never used.
            name: patch.name.unwrap_or_default(),
            description: patch.description,
            parent: patch.parent,
        })
    }
}

/// Changes to a category (`PATCH`).
#[derive(utoipa::ToSchema)]
struct CategoryPatchBody {
    #[schema(nullable = false)]
    name: Option<String>,
    #[schema(nullable = false)]
    description: Option<String>,
    /// The parent Category id; null makes it a root category.
    parent: Option<Option<i64>>,
}

impl CategoryPatchBody {
    /// Reads the fields, `name` as `need` says.
    fn read(body: &Body, need: Need) -> Result<Self, ApiError> {
        let mut f = body.read();
        let patch = Self {
            name: f.string("name", need),
            description: f.string("description", Need::Optional),
            parent: f.pk("parent", Need::Optional, true),
        };
        f.finish()?;
        Ok(patch)
    }
}

impl From<CategoryBody> for CategoryInput {
    fn from(b: CategoryBody) -> Self {
        CategoryPatchBody {
            name: Some(b.name),
            description: b.description,
            parent: b.parent,
        }
        .into()
    }
}

impl From<CategoryPatchBody> for CategoryInput {
    fn from(b: CategoryPatchBody) -> Self {
        Self {
            name: b.name,
            description: b.description,
            parent: b.parent.map(|p| p.map(CategoryId)),
        }
    }
}

/// The body of a write: full for `POST`/`PUT`, any subset for `PATCH`.
fn input(body: &Body, full: bool) -> Result<CategoryInput, ApiError> {
    Ok(if full {
        CategoryBody::parse(body)?.into()
    } else {
        CategoryPatchBody::read(body, Need::Optional)?.into()
    })
}

/// Creates a category (admins).
#[utoipa::path(post, path = "/api/categories/", tag = "categories", request_body = CategoryBody,
    responses((status = 201, body = CategoryDto), (status = 403, description = "Not an admin")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let input = input(&body, true)?;
    let node = crate::console::audit::audited(
        &state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::Categories,
        None,
        "create",
        state.reference.create_category(&auth.user, input),
    )
    .await?;
    Ok(HttpResponse::Created().json(CategoryDto::from(node)))
}

async fn update(
    state: &AppState,
    auth: &crate::auth::Authenticated,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = CategoryId(path_id(id)?);
    let input = input(body, full)?;
    let node = crate::console::audit::audited(
        state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::Categories,
        Some(id.get()),
        "edit",
        state.reference.update_category(&auth.user, id, input, full),
    )
    .await?;
    Ok(HttpResponse::Ok().json(CategoryDto::from(node)))
}

/// Replaces a category (admins).
#[utoipa::path(put, path = "/api/categories/{id}/", tag = "categories", request_body = CategoryBody,
    responses((status = 200, body = CategoryDto), (status = 403, description = "Not an admin")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, true).await
}

/// Changes a category (admins).
#[utoipa::path(patch, path = "/api/categories/{id}/", tag = "categories", request_body = Option<CategoryPatchBody>,
    responses((status = 200, body = CategoryDto), (status = 403, description = "Not an admin")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, false).await
}

/// Deletes a category (admins); its children become top-level.
#[utoipa::path(delete, path = "/api/categories/{id}/", tag = "categories", responses((status = 204), (status = 403, description = "Not an admin")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = CategoryId(path_id(&id)?);
    crate::console::audit::audited(
        &state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::Categories,
        Some(id.get()),
        "delete",
        state.reference.delete_category(&auth.user, id),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
