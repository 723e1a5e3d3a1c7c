//! `provinces/` and `cities/`: public, read-only, paginated.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::catalog::reference::{CITY_ORDERING, CityQuery, PROVINCE_ORDERING};
use madeinpk_domain::ids::{CityId, ProvinceId};
use madeinpk_domain::page::parse_ordering;

use crate::error::ApiError;
use crate::query::{QueryMap, paginate, path_id};
use crate::routes::catalog::wire::{CityDto, ProvinceDto};
use crate::routes::resource;
use crate::state::AppState;
use crate::wire::{Page, PageParams};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/provinces/", "GET, HEAD").route(web::get().to(provinces)))
        .service(resource("/provinces/{id}/", "GET, HEAD").route(web::get().to(province)))
        .service(resource("/cities/", "GET, HEAD").route(web::get().to(cities)))
        .service(resource("/cities/{id}/", "GET, HEAD").route(web::get().to(city)));
}

/// Provinces; `ordering` by `id` or `name`.
#[utoipa::path(get, path = "/api/provinces/", tag = "locations",
    params(PageParams, ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `id`, `name`")),
    responses((status = 200, body = Page<ProvinceDto>), (status = 404, description = "Invalid page")))]
pub async fn provinces(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let ordering = parse_ordering(q.get("ordering"), PROVINCE_ORDERING);
    let page = paginate(&req, &q, |p| {
        let ordering = ordering.clone();
        let state = state.clone();
        async move {
            Ok(state
                .reference
                .provinces(ordering, p)
                .await?
                .map(ProvinceDto::from))
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One province.
#[utoipa::path(get, path = "/api/provinces/{id}/", tag = "locations", responses((status = 200, body = ProvinceDto), (status = 404, description = "No such province")))]
pub async fn province(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = state.reference.province(ProvinceId(path_id(&id)?)).await?;
    Ok(HttpResponse::Ok().json(ProvinceDto::from(p)))
}

/// Cities; `?province={id}` filters; `ordering` by `id`, `name`, `province`, `province__name`.
#[utoipa::path(get, path = "/api/cities/", tag = "locations",
    params(PageParams, ("province" = Option<i64>, Query, description = "Province id"),
           ("ordering" = Option<String>, Query, description = "`[-]field`, comma-separated: `id`, `name`, `province`, `province__name`")),
    responses((status = 200, body = Page<CityDto>), (status = 400, description = "Non-numeric province"), (status = 404, description = "Invalid page")))]
pub async fn cities(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: QueryMap,
) -> Result<HttpResponse, ApiError> {
    let query = CityQuery {
        province: q.int_filter("province")?.map(ProvinceId),
        ordering: parse_ordering(q.get("ordering"), CITY_ORDERING),
    };
    let page = paginate(&req, &q, |p| {
        let query = query.clone();
        let state = state.clone();
        async move { Ok(state.reference.cities(query, p).await?.map(CityDto::from)) }
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One city.
#[utoipa::path(get, path = "/api/cities/{id}/", tag = "locations", responses((status = 200, body = CityDto), (status = 404, description = "No such city")))]
pub async fn city(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = state.reference.city(CityId(path_id(&id)?)).await?;
    Ok(HttpResponse::Ok().json(CityDto::from(c)))
}
