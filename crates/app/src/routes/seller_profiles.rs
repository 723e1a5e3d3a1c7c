//! `seller-profiles/`: owners manage their profile; admins see all and verify sellers.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::account::SellerApplication;
use madeinpk_domain::ids::{AddressId, SellerProfileId};
use madeinpk_domain::page::parse_ordering;
use madeinpk_domain::seller_profile::{SELLER_PROFILE_ORDERING, SellerProfileChanges};
use serde_json::{Value, json};

use super::resource;
use crate::auth::{ActiveUser, Authenticated, CurrentUser};
use crate::body::{Body, Need};
use crate::dto::{MessageDto, SellerProfileDto};
use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::state::AppState;

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

fn profile_id(raw: &str) -> Result<SellerProfileId, ApiError> {
    path_id(raw).map(SellerProfileId)
}

/// Admins see every profile; everyone else only their own.
#[utoipa::path(get, path = "/api/seller-profiles/", tag = "seller-profiles", params(("page" = Option<u32>, Query), ("ordering" = Option<String>, Query)),
    responses((status = 200, description = "Paginated profiles")))]
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
    responses((status = 201, body = SellerProfileDto), (status = 400, description = "Not a seller, exists, or field errors")))]
pub async fn create(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    let mut f = body.read();
    let application = SellerApplication {
        brand_name: f.text_or_empty("brand_name"),
        biography: f.text_or_empty("biography"),
        business_address_text: f.text_or_empty("business_address_text"),
        business_address_id: f
            .pk("business_address_id", Need::Optional, true)
            .flatten()
            .map(AddressId),
        business_phone: f.text_or_empty("business_phone"),
        website: f.text_or_empty("website"),
        social_media_links: f.json("social_media_links").unwrap_or_else(|| json!({})),
    };
    f.finish()?;
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
    let mut f = body.read();
    let changes = SellerProfileChanges {
        brand_name: f.string("brand_name", Need::Optional),
        biography: f.string("biography", Need::Optional),
        business_address_id: f
            .pk("business_address_id", Need::Optional, true)
            .map(|a| a.map(AddressId)),
        business_phone: f.string("business_phone", Need::Optional),
        website: f.string("website", Need::Optional),
        social_media_links: f.json("social_media_links").map(|v| {
            if v.is_null() {
                Value::Object(serde_json::Map::new())
            } else {
                v
            }
        }),
        is_verified: f.bool("is_verified", Need::Optional),
    };
    f.finish()?;
    let profile = state
        .seller_profiles
        .update(&auth.user, id, changes)
        .await?;
    Ok(HttpResponse::Ok().json(SellerProfileDto::from(&profile)))
}

/// Replaces the writable fields (owner or admin; `is_verified` for admins only).
#[utoipa::path(put, path = "/api/seller-profiles/{id}/", tag = "seller-profiles", responses((status = 200, body = SellerProfileDto), (status = 404, description = "Not visible")))]
pub async fn replace(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    id: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    update(&state, &auth, &id, &body).await
}

/// Changes some fields (owner or admin; `is_verified` for admins only).
#[utoipa::path(patch, path = "/api/seller-profiles/{id}/", tag = "seller-profiles", responses((status = 200, body = SellerProfileDto), (status = 404, description = "Not visible")))]
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
    state
        .seller_profiles
        .set_verified(&auth.user, profile_id(&id).ok(), true)
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
    state
        .seller_profiles
        .set_verified(&auth.user, profile_id(&id).ok(), false)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Seller unverified",
    }))
}
