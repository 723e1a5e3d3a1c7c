//! Wire types of the catalogue: provinces, cities, categories, products, images and fixed-price
//! listings, field for field and in the contract's key order.

use madeinpk_domain::catalog::reference::{CategoryNode, City, Province};
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::render;
use crate::wire::Media;

/// The Province object.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvinceDto {
    id: i64,
    name: String,
}

impl From<Province> for ProvinceDto {
    fn from(p: Province) -> Self {
        Self {
            id: p.id.get(),
            name: p.name,
        }
    }
}

/// The City object.
#[derive(Debug, Serialize, ToSchema)]
pub struct CityDto {
    id: i64,
    name: String,
    province: i64,
    province_name: String,
}

impl From<City> for CityDto {
    fn from(c: City) -> Self {
        Self {
            id: c.id.get(),
            name: c.name,
            province: c.province_id.get(),
            province_name: c.province_name,
        }
    }
}

/// The Category object with nested subcategories.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDto {
    id: i64,
    name: String,
    description: String,
    parent: Option<i64>,
    #[schema(no_recursion)]
    subcategories: Vec<CategoryDto>,
}

impl From<CategoryNode> for CategoryDto {
    fn from(n: CategoryNode) -> Self {
        Self {
            id: n.category.id.get(),
            name: n.category.name,
            description: n.category.description,
            parent: n.category.parent.map(madeinpk_domain::ids::CategoryId::get),
            subcategories: n.subcategories.into_iter().map(Self::from).collect(),
        }
    }
}

/// The ProductImage object.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductImageDto {
    id: i64,
    image: Option<String>,
    image_url: Option<String>,
    is_primary: bool,
    order: i32,
}

impl ProductImageDto {
    /// Renders an image with absolute URLs.
    pub fn new(i: &madeinpk_domain::catalog::product::ProductImage, media: &Media) -> Self {
        let url = media.absolute(&i.path);
        Self {
            id: i.id.get(),
            image: Some(url.clone()),
            image_url: Some(url),
            is_primary: i.is_primary,
            order: i.order,
        }
    }
}

/// The seller summary inside a Product.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerSummaryDto {
    brand_name: String,
    biography: String,
    is_verified: bool,
    average_rating: String,
}

/// `{id, name}` of a province.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDto {
    id: i64,
    name: String,
}

/// The Product object.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDto {
    id: i64,
    seller: i64,
    seller_username: String,
    category: Option<i64>,
    /// Omitted when there is no category, as in the original.
    #[serde(skip_serializing_if = "Option::is_none")]
    category_name: Option<String>,
    name: String,
    description: String,
    condition: &'static str,
    images: Vec<ProductImageDto>,
    listing_type: Option<&'static str>,
    average_rating: Option<f64>,
    total_reviews: i64,
    seller_profile: Option<SellerSummaryDto>,
    region: Option<RegionDto>,
    is_in_wishlist: bool,
    created_at: String,
    updated_at: String,
}

impl ProductDto {
    /// Renders a product.
    pub fn new(p: &madeinpk_domain::catalog::product::ProductView, media: &Media) -> Self {
        Self {
            id: p.id.get(),
            seller: p.seller.get(),
            seller_username: p.seller_username.clone(),
            category: p.category.map(madeinpk_domain::ids::CategoryId::get),
            category_name: p.category_name.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            condition: p.condition.as_str(),
            images: p
                .images
                .iter()
                .map(|i| ProductImageDto::new(i, media))
                .collect(),
            listing_type: p
                .listing_type
                .map(madeinpk_domain::catalog::product::ListingType::as_str),
            average_rating: p.average_rating,
            total_reviews: p.total_reviews,
            seller_profile: p.seller_profile.as_ref().map(|s| SellerSummaryDto {
                brand_name: s.brand_name.clone(),
                biography: s.biography.clone(),
                is_verified: s.is_verified,
                average_rating: madeinpk_domain::account::user::rating_text(s.average_rating_centi),
            }),
            region: p.region.as_ref().map(|(id, name)| RegionDto {
                id: *id,
                name: name.clone(),
            }),
            is_in_wishlist: p.is_in_wishlist,
            created_at: render(p.created_at),
            updated_at: render(p.updated_at),
        }
    }
}

/// The Listing object (fixed price).
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingDto {
    id: i64,
    product: ProductDto,
    price: String,
    original_price: String,
    /// The effective (discounted) price, exact to the paisa.
    current_price: String,
    quantity: i32,
    reserved_quantity: i32,
    available_quantity: i32,
    status: &'static str,
    featured: bool,
    discount_percentage: Option<String>,
    discount_start_date: Option<String>,
    discount_end_date: Option<String>,
    has_active_discount: bool,
    created_at: String,
    updated_at: String,
}

impl ListingDto {
    /// Renders a listing as of `now`.
    pub fn new(
        l: &madeinpk_domain::catalog::listing::Listing,
        media: &Media,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self {
            id: l.id.get(),
            product: ProductDto::new(&l.product, media),
            price: l.price.to_string(),
            original_price: l.price.to_string(),
            current_price: l.current_price(now).to_string(),
            quantity: l.quantity,
            reserved_quantity: l.reserved_quantity,
            available_quantity: l.available_quantity(),
            status: l.status.as_str(),
            featured: l.featured,
            discount_percentage: l.discount.percentage_text(),
            discount_start_date: crate::time::render_opt(l.discount.start),
            discount_end_date: crate::time::render_opt(l.discount.end),
            has_active_discount: l.discount.is_active(now),
            created_at: render(l.created_at),
            updated_at: render(l.updated_at),
        }
    }
}
