//! `seller-profiles/`: owners manage their profile; admins see all and verify sellers.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::account::rules::SellerApplication;
use madeinpk_domain::community::seller_profile::{SELLER_PROFILE_ORDERING, SellerProfileChanges};
use madeinpk_domain::ids::{AddressId, SellerProfileId};
use madeinpk_domain::page::parse_ordering;
use serde_json::{Value, json};

use crate::auth::{ActiveUser, Authenticated, CurrentUser};
use crate::body::{Body, Need};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::account::wire::SellerProfileDto;
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{MessageDto, Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/seller-profiles/", "GET, POST, HEAD")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/seller-profiles/{id}/", "GET, PUT, PATCH, DELETE, HEAD")
            .route(web::get().to(get))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(resource("/seller-profiles/{id}/verify/", "POST").route(web::post().to(verify)))
    .service(resource("/seller-profiles/{id}/unverify/", "POST").route(web::post().to(unverify)));
}

/// A new seller profile (`POST seller-profiles/`, `POST auth/become-seller/`).
/// Every field is optional.
#[derive(utoipa::ToSchema)]
pub struct SellerProfileBody {
    /// At most 255 characters.
    #[schema(nullable = false, max_length = 255)]
    #[schema(examples("Multani Crafts"))]
    brand_name: Option<String>,
    #[schema(nullable = false)]
    biography: Option<String>,
    /// A free-text business address, used when no address is linked.
    #[schema(nullable = false)]
    business_address_text: Option<String>,
    /// One of the caller's addresses, or null.
    business_address_id: Option<i64>,
    /// At most 15 characters.
    #[schema(nullable = false, max_length = 15)]
    business_phone: Option<String>,
    /// A URL or `""`.
    #[schema(nullable = false)]
    #[schema(examples("https://crafts.example.pk"))]
    website: Option<String>,
    /// Any JSON (e.g. `{"facebook": url}`); absent or null means `{}`.
    #[schema(examples(json!({"instagram": "@crafts"})))]
    social_media_links: Option<Value>,
}

impl SellerProfileBody {
    /// Reads a seller application (shared by `POST seller-profiles/` and `POST
    /// auth/become-seller/`); absent text is `""` and an absent or null address none.
    pub fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let application = Self {
            brand_name: f.string("brand_name", Need::Optional),
            biography: f.string("biography", Need::Optional),
            business_address_text: f.string("business_address_text", Need::Optional),
            business_address_id: f.pk("business_address_id", Need::Optional, true).flatten(),
            business_phone: f.string("business_phone", Need::Optional),
            website: f.string("website", Need::Optional),
            social_media_links: f.json("social_media_links"),
        };
        f.finish()?;
        Ok(application)
    }
}

impl From<SellerProfileBody> for SellerApplication {
    fn from(b: SellerProfileBody) -> Self {
        Self {
            brand_name: b.brand_name.unwrap_or_default(),
            biography: b.biography.unwrap_or_default(),
            business_address_text: b.business_address_text.unwrap_or_default(),
            business_address_id: b.business_address_id.map(AddressId),
            business_phone: b.business_phone.unwrap_or_default(),
            website: b.website.unwrap_or_default(),
            // Null means the default, as on update.
            social_media_links: b
                .social_media_links
                .filter(|v| !v.is_null())
                .unwrap_or_else(|| json!({})),
        }
    }
}

/// Changes to a seller profile (`PUT`/`PATCH seller-profiles/{id}/`). Every
/// field is optional, for PUT too.
#[derive(utoipa::ToSchema)]
pub struct SellerProfileChangesBody {
    #[schema(nullable = false, max_length = 255)]
    brand_name: Option<String>,
    #[schema(nullable = false)]
    biography: Option<String>,
    /// One of the caller's addresses; null unlinks it.
    #[schema(value_type = Option<i64>)]
    business_address_id: Option<Option<i64>>,
    #[schema(nullable = false, max_length = 15)]
    business_phone: Option<String>,
    /// A URL or `""`.
    #[schema(nullable = false)]
    website: Option<String>,
    /// Any JSON; null means `{}`.
    social_media_links: Option<Value>,
    /// Admins only; refused for anyone else.
    #[schema(nullable = false)]
    is_verified: Option<bool>,
}

impl SellerProfileChangesBody {
    /// Reads the fields present; `Some(None)` is a null address.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let changes = Self {
            brand_name: f.string("brand_name", Need::Optional),
            biography: f.string("biography", Need::Optional),
            business_address_id: f.pk("business_address_id", Need::Optional, true),
            business_phone: f.string("business_phone", Need::Optional),
            website: f.string("website", Need::Optional),
            social_media_links: f.json("social_media_links"),
            is_verified: f.bool("is_verified", Need::Optional),
        };
        f.finish()?;
        Ok(changes)
    }
}

impl From<SellerProfileChangesBody> for SellerProfileChanges {
    fn from(b: SellerProfileChangesBody) -> Self {
        Self {
            brand_name: b.brand_name,
            biography: b.biography,
            business_address_id: b.business_address_id.map(|a| a.map(AddressId)),
            business_phone: b.business_phone,
            website: b.website,
            social_media_links: b.social_media_links.map(|v| {
                if v.is_null() {
                    Value::Object(serde_json::Map::new())
                } else {
                    v
                }
            }),
            is_verified: b.is_verified,
        }
    }
}

fn profile_id(raw: &str) -> Result<SellerProfileId, ApiError> {
    path_id(raw).map(SellerProfileId)
}

/// Admins see every profile; everyone else only their own.
#[utoipa::path(get, path = "/api/seller-profiles/", tag = "seller-profiles",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `id`, `brand_name`, `created_at`, `is_verified`, `average_rating`")),
    responses((status = 200, body = Page<SellerProfileDto>), (status = 401, description = "Not signed in")))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let ordering = parse_ordering(q.get("ordering"), SELLER_PROFILE_ORDERING);
    let page = paginate(&req, &q, |p| {
        let (state, user, ordering) = (state.clone(), auth.user.clone(), ordering.clone());
        async move {
            Ok(state
                .seller_profiles
                .list(&user, ordering, p)
                .await?
                .map(|sp| SellerProfileDto::from(&sp)))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The caller's profile (or any, for admins).
#[utoipa::path(get, path = "/api/seller-profiles/{id}/", tag = "seller-profiles", responses((status = 200, body = SellerProfileDto), (status = 404, description = "Not visible")))]
pub async fn get(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let profile = state
        .seller_profiles
        .get(&auth.user, profile_id(&id)?)
        .await?;
    Ok(HttpResponse::Ok().json(SellerProfileDto::from(&profile)))
}

/// Creates the caller's profile (sellers, once).
#[utoipa::path(post, path = "/api/seller-profiles/", tag = "seller-profiles",
    request_body = Option<SellerProfileBody>,
    responses((status = 201, body = SellerProfileDto), (status = 400, description = "Not a seller, exists, or field errors")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let application = SellerApplication::from(SellerProfileBody::parse(&body)?);
    let profile = state
        .seller_profiles
        .create(&auth.user, application)
        .await?;
    Ok(HttpResponse::Created().json(SellerProfileDto::from(&profile)))
}

async fn update(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    body: &Body,
) -> Result<HttpResponse, ApiError> {
    let id = profile_id(id)?;
    let changes = SellerProfileChanges::from(SellerProfileChangesBody::parse(body)?);
    let profile = state
        .seller_profiles
        .update(&auth.user, id, changes)
        .await?;
    Ok(HttpResponse::Ok().json(SellerProfileDto::from(&profile)))
}

/// Replaces the writable fields (owner or admin; `is_verified` for admins only).
#[utoipa::path(put, path = "/api/seller-profiles/{id}/", tag = "seller-profiles", request_body = Option<SellerProfileChangesBody>,
    responses((status = 200, body = SellerProfileDto), (status = 404, description = "Not visible")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body).await
}

/// Changes some fields (owner or admin; `is_verified` for admins only).
#[utoipa::path(patch, path = "/api/seller-profiles/{id}/", tag = "seller-profiles", request_body = Option<SellerProfileChangesBody>,
    responses((status = 200, body = SellerProfileDto), (status = 404, description = "Not visible")))]
pub async fn patch(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body).await
}

/// Deletes a profile (owner or admin).
#[utoipa::path(delete, path = "/api/seller-profiles/{id}/", tag = "seller-profiles", responses((status = 204), (status = 404, description = "Not visible")))]
pub async fn delete(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .seller_profiles
        .delete(&auth.user, profile_id(&id)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks a seller verified (admins).
#[utoipa::path(post, path = "/api/seller-profiles/{id}/verify/", tag = "seller-profiles", responses((status = 200, body = MessageDto), (status = 403, description = "Not an admin")))]
pub async fn verify(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let profile = profile_id(&id).ok();
    crate::console::audit::audited(
        &state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::SellerProfiles,
        profile.map(madeinpk_domain::ids::SellerProfileId::get),
        "verify",
        state
            .seller_profiles
            .set_verified(&auth.user, profile, true),
    )
    .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Seller verified successfully",
    }))
}

/// Removes the verified badge (admins).
#[utoipa::path(post, path = "/api/seller-profiles/{id}/unverify/", tag = "seller-profiles", responses((status = 200, body = MessageDto), (status = 403, description = "Not an admin")))]
pub async fn unverify(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let profile = profile_id(&id).ok();
    crate::console::audit::audited(
        &state,
        &auth.user,
        madeinpk_domain::console::entity::Entity::SellerProfiles,
        profile.map(madeinpk_domain::ids::SellerProfileId::get),
        "unverify",
        state
            .seller_profiles
            .set_verified(&auth.user, profile, false),
    )
    .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Seller unverified",
    }))
}
