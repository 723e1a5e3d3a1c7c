//! Shared application state: the wired services and configuration.

use std::sync::Arc;

use madeinpk_domain::clock::SystemClock;
use madeinpk_domain::services::accounts::Accounts;
use madeinpk_domain::services::addresses::Addresses;
use madeinpk_domain::services::auctions::Auctions;
use madeinpk_domain::services::listings::Listings;
use madeinpk_domain::services::operations::Operations;
use madeinpk_domain::services::products::Products;
use madeinpk_domain::services::reference::ReferenceData;
use madeinpk_domain::services::reviews::Reviews;
use madeinpk_domain::services::seller_profiles::SellerProfiles;
use madeinpk_domain::services::wishlist::Wishlists;
use madeinpk_postgres::Db;
use madeinpk_stripe::DevPayouts;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Config;
use crate::password::Argon2Hasher;
use crate::uploads::MediaStore;

/// Accounts wired to Postgres and argon2.
pub type AccountService = Accounts<Db, Db, Argon2Hasher, Db, SystemClock>;
/// Addresses wired to Postgres.
pub type AddressService = Addresses<Db, Db>;
/// Operations (job admin) wired to Postgres.
pub type OperationsService = Operations<Db>;
/// Products wired to Postgres, local media and the payout check.
pub type ProductService = Products<Db, MediaStore, DevPayouts>;
/// Listings wired to Postgres.
pub type ListingService = Listings<Db, Db, DevPayouts>;
/// Auctions wired to Postgres.
pub type AuctionService = Auctions<Db>;
/// Seller profiles wired to Postgres.
pub type SellerProfileService = SellerProfiles<Db, Db, Db>;
/// Wishlists wired to Postgres.
pub type WishlistService = Wishlists<Db, Db>;
/// Reviews wired to Postgres.
pub type ReviewService = Reviews<Db>;
/// Reference data wired to Postgres.
pub type ReferenceService = ReferenceData<Db>;

/// Everything a handler may use.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Accounts.
    pub accounts: AccountService,
    /// Address book.
    pub addresses: AddressService,
    /// Provinces, cities, categories.
    pub reference: ReferenceService,
    /// Operator tools.
    pub operations: OperationsService,
    /// Products.
    pub products: ProductService,
    /// Fixed-price listings.
    pub listings: ListingService,
    /// Auctions.
    pub auctions: AuctionService,
    /// Seller profiles.
    pub seller_profiles: SellerProfileService,
    /// Wishlists.
    pub wishlist: WishlistService,
    /// Product reviews.
    pub reviews: ReviewService,
    /// Settings.
    pub config: Arc<Config>,
    /// Prometheus exposition.
    pub metrics: PrometheusHandle,
    /// Uploaded files.
    pub uploads: MediaStore,
    /// Anonymous catalogue pages.
    pub page_cache: crate::page_cache::PageCache,
}

impl AppState {
    /// Wires the services over one database handle.
    pub fn new(db: Db, config: Arc<Config>, metrics: PrometheusHandle) -> Self {
        Self {
            accounts: Accounts::new(
                db.clone(),
                db.clone(),
                Argon2Hasher,
                db.clone(),
                SystemClock,
                config.account_settings(),
            ),
            addresses: Addresses::new(db.clone(), db.clone()),
            reference: ReferenceData::new(db.clone()),
            operations: Operations::new(db.clone()),
            auctions: Auctions::new(db.clone()),
            seller_profiles: SellerProfiles::new(db.clone(), db.clone(), db.clone()),
            wishlist: Wishlists::new(db.clone(), db.clone()),
            reviews: Reviews::new(db.clone()),
            listings: Listings::new(
                db.clone(),
                db.clone(),
                DevPayouts,
                config.catalog_settings(),
            ),
            products: Products::new(
                db.clone(),
                MediaStore::new(config.media_dir.clone()),
                DevPayouts,
                config.catalog_settings(),
            ),
            uploads: MediaStore::new(config.media_dir.clone()),
            page_cache: crate::page_cache::PageCache::new(config.catalog_cache),
            db,
            config,
            metrics,
        }
    }
}
