//! Ports of the catalog feature: what its services need from the outside world.
//!
//! Methods return `impl Future + Send` so services stay generic and tests can wire mocks.

use std::future::Future;

use crate::catalog::listing::{Listing, ListingChanges, ListingQuery, ListingState, NewListing};
use crate::catalog::product::{
    ImageRemoval, ImageUpload, NewProduct, ProductChanges, ProductImage, ProductOwnership,
    ProductQuery, ProductRemoval, ProductView,
};
use crate::catalog::reference::{Category, CategoryInput, City, CityQuery, Province, ProvinceSort};
use crate::ids::{CategoryId, CityId, ListingId, ProductId, ProductImageId, ProvinceId, UserId};
use crate::page::{Page, PageRequest, Sort};
use crate::store::StoreError;

/// Provinces, cities and categories.
#[cfg_attr(test, mockall::automock)]
pub trait ReferenceRepository: Send + Sync {
    /// One page of provinces.
    fn provinces(
        &self,
        ordering: Vec<Sort<ProvinceSort>>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<Province>, StoreError>> + Send;
    /// One province.
    fn province(
        &self,
        id: ProvinceId,
    ) -> impl Future<Output = Result<Option<Province>, StoreError>> + Send;
    /// One page of cities.
    fn cities(
        &self,
        query: CityQuery,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<City>, StoreError>> + Send;
    /// One city.
    fn city(&self, id: CityId) -> impl Future<Output = Result<Option<City>, StoreError>> + Send;
    /// Renames a province; `None` when unknown, `Some(false)` when the name is taken.
    fn rename_province(
        &self,
        id: ProvinceId,
        name: String,
    ) -> impl Future<Output = Result<Option<bool>, StoreError>> + Send;
    /// Renames or moves a city; `None` when unknown, `Some(false)` when its province already
    /// has a city of that name.
    fn update_city(
        &self,
        id: CityId,
        name: String,
        province: ProvinceId,
    ) -> impl Future<Output = Result<Option<bool>, StoreError>> + Send;
    /// Every category (the tree is small and built in memory).
    fn categories(&self) -> impl Future<Output = Result<Vec<Category>, StoreError>> + Send;
    /// True when another category already has this name (case-insensitive).
    fn category_name_taken(
        &self,
        name: String,
        except: Option<CategoryId>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Creates a category.
    fn create_category(
        &self,
        input: CategoryInput,
    ) -> impl Future<Output = Result<Category, StoreError>> + Send;
    /// Updates a category; `None` when it does not exist.
    fn update_category(
        &self,
        id: CategoryId,
        input: CategoryInput,
    ) -> impl Future<Output = Result<Option<Category>, StoreError>> + Send;
    /// Deletes a category (children become roots); false when it does not exist.
    fn delete_category(
        &self,
        id: CategoryId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Products and their images.
#[cfg_attr(test, mockall::automock)]
pub trait ProductRepository: Send + Sync {
    /// One page of products.
    fn list_products(
        &self,
        query: ProductQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Page<ProductView>, StoreError>> + Send;
    /// One product.
    fn product(
        &self,
        id: ProductId,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Option<ProductView>, StoreError>> + Send;
    /// Owner and listing type, for permission checks.
    fn product_ownership(
        &self,
        id: ProductId,
    ) -> impl Future<Output = Result<Option<ProductOwnership>, StoreError>> + Send;
    /// True when the category exists.
    fn category_exists(
        &self,
        id: CategoryId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Stores a product and its images.
    fn create_product(
        &self,
        product: NewProduct,
    ) -> impl Future<Output = Result<ProductId, StoreError>> + Send;
    /// Applies changes.
    fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes a product (with its listing or auction) unless orders reference it.
    fn delete_product(
        &self,
        id: ProductId,
    ) -> impl Future<Output = Result<ProductRemoval, StoreError>> + Send;
    /// Appends an image (primary if it is the first).
    fn add_image(
        &self,
        product: ProductId,
        path: String,
    ) -> impl Future<Output = Result<ProductImage, StoreError>> + Send;
    /// Deletes an image, never the last one; promotes the next primary.
    fn delete_image(
        &self,
        product: ProductId,
        image: ProductImageId,
    ) -> impl Future<Output = Result<ImageRemoval, StoreError>> + Send;
}

/// Where uploaded files live (a local directory now; an object store can replace it).
#[cfg_attr(test, mockall::automock)]
pub trait MediaStorage: Send + Sync {
    /// Stores bytes under `dir` with a fresh name; returns the path to keep.
    fn store(
        &self,
        dir: String,
        upload: ImageUpload,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// Removes a stored file (best effort; missing files are fine).
    fn remove(&self, path: String) -> impl Future<Output = ()> + Send;
}

/// What a seller may need before publishing: a payout account that can receive money (Stripe
/// Connect) and a verified email address.
#[cfg_attr(test, mockall::automock)]
pub trait PayoutReadiness: Send + Sync {
    /// True when transfers to this seller can be made.
    fn can_receive_payouts(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// True when the seller's current email address is the one they verified.
    fn email_verified(
        &self,
        seller: UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Fixed-price listings.
#[cfg_attr(test, mockall::automock)]
pub trait ListingRepository: Send + Sync {
    /// One page of listings.
    fn list_listings(
        &self,
        query: ListingQuery,
        page: PageRequest,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Page<Listing>, StoreError>> + Send;
    /// One listing.
    fn listing(
        &self,
        id: ListingId,
        viewer: Option<UserId>,
    ) -> impl Future<Output = Result<Option<Listing>, StoreError>> + Send;
    /// Owner, status, stock and discount, for the rules.
    fn listing_state(
        &self,
        id: ListingId,
    ) -> impl Future<Output = Result<Option<ListingState>, StoreError>> + Send;
    /// Creates a listing; `None` when the product already has a listing or auction.
    fn create_listing(
        &self,
        listing: NewListing,
    ) -> impl Future<Output = Result<Option<ListingId>, StoreError>> + Send;
    /// Applies changes; false when the quantity would drop below the units held in carts.
    fn update_listing(
        &self,
        id: ListingId,
        changes: ListingChanges,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Deletes a listing (the product stays and may be listed again); false when unknown.
    fn delete_listing(
        &self,
        id: ListingId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
