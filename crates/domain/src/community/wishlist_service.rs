//! Wishlist use cases; everything is scoped to the caller.

use crate::account::user::User;
use crate::catalog::ports::ProductRepository;
use crate::catalog::product::CatalogError;
use crate::community::ports::WishlistRepository;
use crate::community::wishlist::{ALREADY_SAVED, WishlistItem};
use crate::ids::{ProductId, WishlistItemId};
use crate::page::{Page, PageRequest};
use crate::validation::{FieldErrors, msg};

/// The wishlist use cases.
pub struct Wishlists<W, R> {
    items: W,
    products: R,
}

impl<W: WishlistRepository, R: ProductRepository> Wishlists<W, R> {
    /// Wires the service.
    pub fn new(items: W, products: R) -> Self {
        Self { items, products }
    }

    /// Which of `products` the caller saved (to personalise a shared catalogue page).
    pub async fn saved_among(
        &self,
        actor: &User,
        products: Vec<crate::ids::ProductId>,
    ) -> Result<Vec<crate::ids::ProductId>, CatalogError> {
        Ok(self.items.saved_among(actor.id, products).await?)
    }

    /// One page of the caller's entries.
    pub async fn list(
        &self,
        actor: &User,
        newest_first: bool,
        page: PageRequest,
    ) -> Result<Page<WishlistItem>, CatalogError> {
        Ok(self
            .items
            .list_wishlist(actor.id, newest_first, page)
            .await?)
    }

    /// One of the caller's entries.
    pub async fn get(
        &self,
        actor: &User,
        id: WishlistItemId,
    ) -> Result<WishlistItem, CatalogError> {
        self.items
            .wishlist_item(actor.id, id)
            .await?
            .ok_or(CatalogError::NotFound("Wishlist"))
    }

    async fn check_product(&self, product: ProductId) -> Result<(), CatalogError> {
        if self.products.product_ownership(product).await?.is_none() {
            return Err(FieldErrors::single("product", msg::invalid_pk(product)).into());
        }
        Ok(())
    }

    /// Saves a product (own and unlisted products included, as in the original).
    pub async fn add(
        &self,
        actor: &User,
        product: ProductId,
        notes: String,
    ) -> Result<WishlistItem, CatalogError> {
        self.check_product(product).await?;
        let id = self
            .items
            .add_to_wishlist(actor.id, product, notes)
            .await?
            .ok_or_else(|| FieldErrors::single("product", ALREADY_SAVED))?;
        self.get(actor, id).await
    }

    /// Changes an entry's product or note.
    pub async fn update(
        &self,
        actor: &User,
        id: WishlistItemId,
        product: Option<ProductId>,
        notes: Option<String>,
    ) -> Result<WishlistItem, CatalogError> {
        self.get(actor, id).await?;
        if let Some(p) = product {
            self.check_product(p).await?;
        }
        if !self
            .items
            .update_wishlist_item(actor.id, id, product, notes)
            .await?
        {
            return Err(FieldErrors::single("product", ALREADY_SAVED).into());
        }
        self.get(actor, id).await
    }

    /// Removes an entry.
    pub async fn remove(&self, actor: &User, id: WishlistItemId) -> Result<(), CatalogError> {
        if self.items.remove_from_wishlist(actor.id, id).await? {
            Ok(())
        } else {
            Err(CatalogError::NotFound("Wishlist"))
        }
    }
}
