//! Response shapes, field for field and in the contract's key order.

use madeinpk_domain::account::address::Address;
use madeinpk_domain::account::service::ProfileView;
use madeinpk_domain::account::user::{SellerProfile, User};
use madeinpk_domain::catalog::reference::{CategoryNode, City, Province};
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::render;

/// Media URLs: relative for storage paths, absolute (on the origin the client used) for `*_url`
/// fields and product images. An extractor, so every handler builds them the same way.
#[derive(Debug, Clone)]
pub struct Media {
    /// `scheme://host` of the request.
    pub base_url: String,
}

impl Media {
    /// `/media/{path}`.
    pub fn relative(&self, path: &str) -> String {
        format!("/media/{}", path.trim_start_matches('/'))
    }

    /// `{origin}/media/{path}`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url, self.relative(path))
    }
}

impl actix_web::FromRequest for Media {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let base_url = req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .map_or_else(String::new, |s| crate::client::origin(req, &s.config));
        std::future::ready(Ok(Self { base_url }))
    }
}

/// The fields User and UserProfile share, in their order.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserIdentityDto {
    id: i64,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    phone_number: String,
    profile_picture: Option<String>,
    profile_picture_url: Option<String>,
    role: &'static str,
}

impl UserIdentityDto {
    fn new(u: &User, media: &Media) -> Self {
        Self {
            id: u.id.get(),
            username: u.username.clone(),
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            phone_number: u.phone_number.clone(),
            profile_picture: u.profile_picture.as_deref().map(|p| media.relative(p)),
            profile_picture_url: u.profile_picture.as_deref().map(|p| media.absolute(p)),
            role: u.role.as_str(),
        }
    }
}

/// The User object (register, login, become-seller).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    #[serde(flatten)]
    identity: UserIdentityDto,
    is_blocked: bool,
    failed_payment_count: i32,
    created_at: String,
}

impl UserDto {
    /// Renders a user.
    pub fn new(u: &User, media: &Media) -> Self {
        Self {
            identity: UserIdentityDto::new(u, media),
            is_blocked: u.is_blocked,
            failed_payment_count: u.failed_payment_count,
            created_at: render(u.created_at),
        }
    }
}

/// `{"user": User, "token": key}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    /// The user.
    pub user: UserDto,
    /// The token key, shown once.
    pub token: String,
}

/// The Address object.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressDto {
    id: i64,
    street_address: String,
    city: i64,
    city_name: String,
    province_name: String,
    postal_code: String,
    is_default: bool,
    created_at: String,
}

impl From<&Address> for AddressDto {
    fn from(a: &Address) -> Self {
        Self {
            id: a.id.get(),
            street_address: a.street_address.clone(),
            city: a.city_id.get(),
            city_name: a.city_name.clone(),
            province_name: a.province_name.clone(),
            postal_code: a.postal_code.clone(),
            is_default: a.is_default,
            created_at: render(a.created_at),
        }
    }
}

/// The SellerProfile object.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerProfileDto {
    id: i64,
    user: i64,
    user_username: String,
    user_email: String,
    brand_name: String,
    biography: String,
    business_address: String,
    business_address_detail: Option<AddressDto>,
    business_address_id: Option<i64>,
    province_name: Option<String>,
    business_phone: String,
    website: String,
    /// Any JSON (`{}` by default), as the owner sent it.
    social_media_links: serde_json::Value,
    is_verified: bool,
    average_rating: String,
    total_feedbacks: i32,
    created_at: String,
    updated_at: String,
}

impl From<&SellerProfile> for SellerProfileDto {
    fn from(p: &SellerProfile) -> Self {
        Self {
            id: p.id.get(),
            user: p.user_id.get(),
            user_username: p.user_username.clone(),
            user_email: p.user_email.clone(),
            brand_name: p.brand_name.clone(),
            biography: p.biography.clone(),
            business_address: p.business_address_line(),
            business_address_detail: p.business_address.as_ref().map(AddressDto::from),
            business_address_id: p
                .business_address_id()
                .map(madeinpk_domain::ids::AddressId::get),
            province_name: p.province_name.clone(),
            business_phone: p.business_phone.clone(),
            website: p.website.clone(),
            social_media_links: p.social_media_links.clone(),
            is_verified: p.is_verified,
            average_rating: p.average_rating_text(),
            total_feedbacks: p.total_feedbacks,
            created_at: render(p.created_at),
            updated_at: render(p.updated_at),
        }
    }
}

/// The UserProfile object (`auth/profile/`).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserProfileDto {
    #[serde(flatten)]
    identity: UserIdentityDto,
    created_at: String,
    total_sales: i64,
    total_purchases: i64,
    average_seller_rating: Option<f64>,
    seller_profile: Option<SellerProfileDto>,
}

impl UserProfileDto {
    /// Renders the profile page.
    pub fn new(v: &ProfileView, media: &Media) -> Self {
        Self {
            identity: UserIdentityDto::new(&v.user, media),
            created_at: render(v.user.created_at),
            total_sales: v.stats.total_sales,
            total_purchases: v.stats.total_purchases,
            average_seller_rating: v.stats.average_seller_rating,
            seller_profile: v.seller_profile.as_ref().map(SellerProfileDto::from),
        }
    }
}

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

/// `{"message": text}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    /// The message.
    pub message: &'static str,
}

/// A queued job (operators' view).
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    id: i64,
    kind: String,
    status: &'static str,
    attempts: i32,
    max_attempts: i32,
    run_at: String,
    last_error: Option<String>,
    unique_key: Option<String>,
    created_at: String,
}

impl From<madeinpk_domain::job::model::JobSummary> for JobDto {
    fn from(j: madeinpk_domain::job::model::JobSummary) -> Self {
        Self {
            id: j.id.get(),
            kind: j.kind,
            status: j.status.as_str(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: render(j.run_at),
            last_error: j.last_error,
            unique_key: j.unique_key,
            created_at: render(j.created_at),
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

/// The Bid object; with `BIDDER_PRIVACY=masked`, other viewers see neither the bidder's id nor
/// their full username.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidDto {
    id: i64,
    bidder: Option<i64>,
    bidder_username: String,
    amount: String,
    bid_time: String,
    is_winning: bool,
}

impl BidDto {
    /// Renders a bid for a viewer who may (`reveal`) or may not see who placed it.
    pub fn new(b: &madeinpk_domain::auction::model::Bid, reveal: bool) -> Self {
        Self {
            id: b.id.get(),
            bidder: reveal.then(|| b.bidder.get()),
            bidder_username: madeinpk_domain::auction::model::BidderPrivacy::name_shown(
                reveal,
                &b.bidder_username,
            ),
            amount: b.amount.to_string(),
            bid_time: render(b.bid_time),
            is_winning: b.is_winning,
        }
    }
}

/// Who is looking at an auction.
#[derive(Debug, Clone, Copy)]
pub struct AuctionViewer {
    /// The viewer's id, if signed in.
    pub id: Option<madeinpk_domain::ids::UserId>,
    /// Admins see everything.
    pub is_admin: bool,
    /// Who sees bidders (`BIDDER_PRIVACY`).
    pub privacy: madeinpk_domain::auction::model::BidderPrivacy,
}

impl AuctionViewer {
    /// From an optional user, under the configured bidder privacy.
    pub fn of(
        user: Option<&madeinpk_domain::account::user::User>,
        privacy: madeinpk_domain::auction::model::BidderPrivacy,
    ) -> Self {
        Self {
            id: user.map(|u| u.id),
            is_admin: user.is_some_and(madeinpk_domain::account::user::User::is_admin),
            privacy,
        }
    }

    /// Whether this viewer sees who placed `bid` on an auction of `seller`.
    pub fn sees_bidder(
        &self,
        seller: madeinpk_domain::ids::UserId,
        bid: &madeinpk_domain::auction::model::Bid,
    ) -> bool {
        self.privacy
            .reveals(self.id, self.is_admin, seller, bid.bidder)
    }
}

/// The Auction object.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuctionDto {
    id: i64,
    product: ProductDto,
    starting_price: String,
    current_price: String,
    /// Shown to the seller (and admins) only.
    reserve_price: Option<String>,
    start_time: String,
    end_time: String,
    status: &'static str,
    winner: Option<i64>,
    /// Omitted when there is no winner, as in the original.
    #[serde(skip_serializing_if = "Option::is_none")]
    winner_username: Option<String>,
    winner_email: Option<String>,
    latest_bids: Vec<BidDto>,
    total_bids: i64,
    /// Seconds (float) while open, else the integer 0.
    #[schema(value_type = f64)]
    time_remaining: serde_json::Value,
    winning_bid_amount: Option<String>,
    #[schema(value_type = Option<Object>)]
    order_info: Option<serde_json::Value>,
    created_at: String,
}

impl AuctionDto {
    /// Renders an auction for a viewer as of `now`.
    pub fn new(
        a: &madeinpk_domain::auction::model::Auction,
        viewer: AuctionViewer,
        media: &Media,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let is_seller = viewer.id == Some(a.product.seller);
        let privileged = is_seller || viewer.is_admin;
        Self {
            id: a.id.get(),
            product: ProductDto::new(&a.product, media),
            starting_price: a.starting_price.to_string(),
            current_price: a.current_price.to_string(),
            reserve_price: if privileged {
                a.reserve_price.map(|m| m.to_string())
            } else {
                None
            },
            start_time: render(a.start_time),
            end_time: render(a.end_time),
            status: a.status.as_str(),
            winner: a.winner.as_ref().map(|w| w.id.get()),
            winner_username: a.winner.as_ref().map(|w| w.username.clone()),
            winner_email: if is_seller {
                a.winner.as_ref().map(|w| w.email.clone())
            } else {
                None
            },
            latest_bids: a
                .latest_bids
                .iter()
                .map(|b| BidDto::new(b, viewer.sees_bidder(a.product.seller, b)))
                .collect(),
            total_bids: a.total_bids,
            time_remaining: a
                .time_remaining(now)
                .map_or(serde_json::json!(0), |s| serde_json::json!(s)),
            winning_bid_amount: a.winning_bid_amount.map(|m| m.to_string()),
            // Orders arrive with the orders work; until then no auction has one.
            order_info: None,
            created_at: render(a.created_at),
        }
    }
}

/// A wishlist entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishlistDto {
    id: i64,
    product: i64,
    product_name: String,
    product_image: Option<String>,
    /// The seller's username.
    seller: String,
    seller_id: i64,
    /// `{"price"}` for fixed price, `{"current_price", "starting_price"}` for auctions, else null.
    #[schema(value_type = Option<Object>)]
    price: Option<serde_json::Value>,
    /// Category name; omitted without a category.
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    /// Omitted without a category.
    #[serde(skip_serializing_if = "Option::is_none")]
    category_id: Option<i64>,
    stock_status: &'static str,
    listing_type: Option<&'static str>,
    notes: String,
    created_at: String,
}

impl WishlistDto {
    /// Renders an entry.
    pub fn new(w: &madeinpk_domain::community::wishlist::WishlistItem, media: &Media) -> Self {
        use madeinpk_domain::community::wishlist::WishlistPrice;
        Self {
            id: w.id.get(),
            product: w.product.get(),
            product_name: w.product_name.clone(),
            product_image: w.product_image.as_deref().map(|p| media.absolute(p)),
            seller: w.seller_username.clone(),
            seller_id: w.seller_id.get(),
            price: w.price.map(|p| match p {
                WishlistPrice::Fixed(price) => serde_json::json!({ "price": price }),
                WishlistPrice::Auction { current, starting } => {
                    serde_json::json!({ "current_price": current, "starting_price": starting })
                }
            }),
            category: w.category.as_ref().map(|(_, name)| name.clone()),
            category_id: w.category.as_ref().map(|(id, _)| id.get()),
            stock_status: w.stock_status,
            listing_type: w
                .listing_type
                .map(madeinpk_domain::catalog::product::ListingType::as_str),
            notes: w.notes.clone(),
            created_at: render(w.created_at),
        }
    }
}

/// The ProductReview object.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    id: i64,
    product: i64,
    product_name: String,
    buyer: i64,
    buyer_username: String,
    order: Option<i64>,
    rating: i16,
    title: String,
    comment: String,
    is_verified_purchase: bool,
    created_at: String,
    updated_at: String,
}

impl From<&madeinpk_domain::community::review::Review> for ReviewDto {
    fn from(r: &madeinpk_domain::community::review::Review) -> Self {
        Self {
            id: r.id.get(),
            product: r.product.get(),
            product_name: r.product_name.clone(),
            buyer: r.buyer.get(),
            buyer_username: r.buyer_username.clone(),
            order: r.order,
            rating: r.rating,
            title: r.title.clone(),
            comment: r.comment.clone(),
            is_verified_purchase: r.is_verified_purchase,
            created_at: render(r.created_at),
            updated_at: render(r.updated_at),
        }
    }
}

/// The list envelope of every paginated collection (page-number pagination, 20 rows a page by
/// default). Documents what `query::paginate` renders.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Page<T> {
    /// Rows on all pages.
    count: i64,
    /// Absolute URL of the next page (the other query parameters kept), or null on the last.
    #[schema(required = true)]
    next: Option<String>,
    /// Absolute URL of the previous page (page 1 drops `page`), or null on the first.
    #[schema(required = true)]
    previous: Option<String>,
    /// This page's rows.
    results: Vec<T>,
}

/// `?page=N|last&page_size=M` of every paginated collection.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// 1-based page number, or `last`; 0, a page past the end or anything else is 404
    /// `{"detail": "Invalid page."}`.
    #[param(inline)]
    page: Option<PageNumber>,
    /// Rows per page: 20 by default, at most 100 (larger values are capped, unreadable ones
    /// ignored).
    #[param(minimum = 1)]
    page_size: Option<u32>,
}

/// A page number (integer ≥ 1) or `last`.
pub struct PageNumber;

impl utoipa::PartialSchema for PageNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["last"])),
            )
            .description(Some("A page number (integer ≥ 1) or `last`."))
            .into()
    }
}

impl ToSchema for PageNumber {}

/// A money amount in a request body: a decimal string such as `"1500.00"`, or a JSON number;
/// at most two decimal places and ten digits in all.
pub struct MoneyInput;

impl utoipa::PartialSchema for MoneyInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[0-9]{1,8}(\.[0-9]{1,2})?$"))
                    .examples([serde_json::json!("1500.00")]),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .examples([serde_json::json!(1500)]),
            )
            .description(Some(
                "A decimal string such as `\"1500.00\"`, or a JSON number; at most 2 decimal \
                 places and 10 digits in all.",
            ))
            .into()
    }
}

impl ToSchema for MoneyInput {}

/// A file part of a multipart upload.
pub struct FileUpload;

impl utoipa::PartialSchema for FileUpload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .content_media_type("application/octet-stream")
            .description(Some("A file (multipart/form-data)."))
            .into()
    }
}

impl ToSchema for FileUpload {}
