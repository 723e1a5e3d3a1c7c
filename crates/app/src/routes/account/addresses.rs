//! `addresses/`: the caller's own address book.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::account::address::{ADDRESS_ORDERING, AddressInput, AddressQuery};
use madeinpk_domain::ids::{AddressId, CityId};
use madeinpk_domain::page::parse_ordering;

use crate::auth::{ActiveUser, Authenticated, CurrentUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::account::wire::AddressDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{MessageDto, Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/addresses/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/addresses/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(resource("/addresses/{id}/set_default/", "POST").route(web::post().to(set_default)));
}

fn address_id(raw: &str) -> Result<AddressId, ApiError> {
    path_id(raw).map(AddressId)
}

/// A new or replaced address (`POST`, `PUT`): every field but `is_default` required.
#[derive(utoipa::ToSchema)]
struct AddressBody {
    /// At most 255 characters.
    #[schema(max_length = 255)]
    #[schema(examples("12 Mall Road"))]
    street_address: String,
    /// A City id.
    #[schema(examples(1))]
    city: i64,
    /// At most 10 characters.
    #[schema(max_length = 10)]
    #[schema(examples("54000"))]
    postal_code: String,
    /// Makes it the caller's only default (false by default).
    #[schema(nullable = false)]
    #[schema(examples(true))]
    is_default: Option<bool>,
}

impl AddressBody {
    /// Reads a full address; a missing field is "This field is required.".
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let street_address = f.string("street_address", Need::Required);
        let city = f.pk("city", Need::Required, false).flatten();
        let postal_code = f.string("postal_code", Need::Required);
        let is_default = f.bool("is_default", Need::Optional);
        f.finish()?;
        // `finish` refused any missing required field, so the defaults are never used.
        Ok(Self {
            street_address: street_address.unwrap_or_default(),
            city: city.unwrap_or_default(),
            postal_code: postal_code.unwrap_or_default(),
            is_default,
        })
    }
}

impl From<AddressBody> for AddressInput {
    fn from(b: AddressBody) -> Self {
        Self {
            street_address: Some(b.street_address),
            city: Some(CityId(b.city)),
            postal_code: Some(b.postal_code),
            is_default: b.is_default,
        }
    }
}

/// Changes to an address (`PATCH`): any subset.
#[derive(utoipa::ToSchema)]
struct AddressPatchBody {
    #[schema(nullable = false, max_length = 255)]
    street_address: Option<String>,
    /// A City id.
    #[schema(nullable = false)]
    city: Option<i64>,
    #[schema(nullable = false, max_length = 10)]
    #[schema(examples("54000"))]
    postal_code: Option<String>,
    /// Makes it the caller's only default.
    #[schema(nullable = false)]
    is_default: Option<bool>,
}

impl AddressPatchBody {
    /// Reads the fields present.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let patch = Self {
            street_address: f.string("street_address", Need::Optional),
            city: f.pk("city", Need::Optional, false).flatten(),
            postal_code: f.string("postal_code", Need::Optional),
            is_default: f.bool("is_default", Need::Optional),
        };
        f.finish()?;
        Ok(patch)
    }
}

impl From<AddressPatchBody> for AddressInput {
    fn from(b: AddressPatchBody) -> Self {
        Self {
            street_address: b.street_address,
            city: b.city.map(CityId),
            postal_code: b.postal_code,
            is_default: b.is_default,
        }
    }
}

/// The caller's addresses.
#[utoipa::path(get, path = "/api/addresses/", tag = "addresses",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `id`, `street_address`, `city`, `city__name`, `city__province__name`, `postal_code`, `is_default`, `created_at`")),
    responses((status = 200, body = Page<AddressDto>), (status = 401, description = "Not signed in"), (status = 404, description = "Invalid page")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let query = AddressQuery {
        owner: auth.user.id,
        ordering: parse_ordering(q.get("ordering"), ADDRESS_ORDERING),
    };
    let page = paginate(&req, &q, |p| {
        let state = state.clone();
        let query = query.clone();
        async move {
            Ok(state
                .addresses
                .list(query, p)
                .await?
                .map(|a| AddressDto::from(&a)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Adds an address; `is_default` clears the caller's other default.
#[utoipa::path(post, path = "/api/addresses/", tag = "addresses", request_body = AddressBody,
    responses((status = 201, body = AddressDto), (status = 400, description = "Field errors")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let address = state
        .addresses
        .create(auth.user.id, AddressBody::parse(&body)?.into())
        .await?;
    Ok(HttpResponse::Created().json(AddressDto::from(&address)))
}

/// One of the caller's addresses.
#[utoipa::path(get, path = "/api/addresses/{id}/", tag = "addresses", responses((status = 200, body = AddressDto), (status = 404, description = "Not the caller's")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let address = state.addresses.get(auth.user.id, address_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(AddressDto::from(&address)))
}

async fn update(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    body: &Body,
    full: bool,
) -> Result<HttpResponse, ApiError> {
    let id = address_id(id)?;
    let input = if full {
        AddressBody::parse(body)?.into()
    } else {
        AddressPatchBody::parse(body)?.into()
    };
    let address = state
        .addresses
        .update(auth.user.id, id, input, full)
        .await?;
    Ok(HttpResponse::Ok().json(AddressDto::from(&address)))
}

/// Replaces an address.
#[utoipa::path(put, path = "/api/addresses/{id}/", tag = "addresses", request_body = AddressBody,
    responses((status = 200, body = AddressDto), (status = 404, description = "Not the caller's")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, true).await
}

/// Changes an address.
#[utoipa::path(patch, path = "/api/addresses/{id}/", tag = "addresses", request_body = Option<AddressPatchBody>,
    responses((status = 200, body = AddressDto), (status = 404, description = "Not the caller's")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body, false).await
}

/// Deletes an address no order uses (409 otherwise).
#[utoipa::path(delete, path = "/api/addresses/{id}/", tag = "addresses", responses((status = 204), (status = 404, description = "Not the caller's"), (status = 409, description = "Used by an order")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .addresses
        .delete(auth.user.id, address_id(&id)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Makes this the caller's only default address.
#[utoipa::path(post, path = "/api/addresses/{id}/set_default/", tag = "addresses", responses((status = 200, body = MessageDto), (status = 404, description = "Not the caller's")))]
pub async fn set_default(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .addresses
        .set_default(auth.user.id, address_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Default address updated",
    }))
}
