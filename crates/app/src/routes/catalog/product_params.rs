//! What the product, listing and auction endpoints share: the product filters of their lists,
//! the condition parameter, and checked image uploads.

use madeinpk_domain::catalog::product::{Condition, ImageUpload, ProductQuery, search_terms};
use madeinpk_domain::ids::{CategoryId, UserId};
use serde_json::json;

use crate::body::Body;
use crate::error::ApiError;
use crate::query::QueryMap;
use crate::state::AppState;
use crate::uploads::{NOT_AN_IMAGE, image_upload};

/// A product condition.
#[derive(Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ConditionParam {
    New,
    LikeNew,
    Good,
    Fair,
}

impl ConditionParam {
    /// `?condition=`: none when absent or empty; an unknown value is a 400 naming the parameter.
    pub fn parse(q: &QueryMap) -> Result<Option<Self>, ApiError> {
        q.choice("condition", |v| Condition::parse(v).map(Self::from))
    }
}

impl From<Condition> for ConditionParam {
    fn from(c: Condition) -> Self {
        match c {
            Condition::New => Self::New,
            Condition::LikeNew => Self::LikeNew,
            Condition::Good => Self::Good,
            Condition::Fair => Self::Fair,
        }
    }
}

impl From<ConditionParam> for Condition {
    fn from(c: ConditionParam) -> Self {
        match c {
            ConditionParam::New => Self::New,
            ConditionParam::LikeNew => Self::LikeNew,
            ConditionParam::Good => Self::Good,
            ConditionParam::Fair => Self::Fair,
        }
    }
}

/// Reads the shared product filters (`seller`, `category`, `province`, `search`).
pub fn product_filters(q: &QueryMap) -> Result<ProductQuery, ApiError> {
    Ok(ProductQuery {
        seller: q.int_filter("seller")?.map(UserId),
        category: q.int_filter("category")?.map(CategoryId),
        province: q.int_filter("province")?,
        search: search_terms(q.get("search")),
        ..ProductQuery::default()
    })
}

/// Checks and cleans the files of a field: `{"images": {"0": [...]}}` for each one that is not
/// an image.
pub async fn image_uploads(
    state: &AppState,
    body: &Body,
    field: &str,
) -> Result<Vec<ImageUpload>, ApiError> {
    let mut images = Vec::new();
    let mut bad = serde_json::Map::new();
    for (i, file) in body.files.iter().filter(|f| f.field == field).enumerate() {
        match image_upload(file, state.uploads.max_pixels()).await {
            Some(image) => images.push(image),
            None => {
                bad.insert(i.to_string(), json!([NOT_AN_IMAGE]));
            }
        }
    }
    if bad.is_empty() {
        Ok(images)
    } else {
        Err(ApiError::Body(
            actix_web::http::StatusCode::BAD_REQUEST,
            json!({ field: bad }),
        ))
    }
}
