//! Fixed-price listing use cases: browse (an inactive listing only by its seller and admins),
//! list a product, edit, delete, toggle.

use chrono::{DateTime, Utc};

use crate::account::user::User;
use crate::catalog::listing::{
    Discount, InactiveListings, Listing, ListingChanges, ListingInput, ListingQuery, ListingState,
    ListingStatus, NewListing, check_new_discount, check_updated_discount, toggled,
};
use crate::catalog::ports::{ListingRepository, PayoutReadiness, ProductRepository};
use crate::catalog::product::CatalogError;
use crate::catalog::product_service::{
    CatalogSettings, ensure_can_publish, ensure_owner, ensure_owner_or_hidden,
};
use crate::ids::{ListingId, ProductId};
use crate::page::{Page, PageRequest};
use crate::validation::FieldErrors;

/// The listing use cases.
pub struct Listings<L, R, P> {
    listings: L,
    products: R,
    payouts: P,
    settings: CatalogSettings,
}

impl<L: ListingRepository, R: ProductRepository, P: PayoutReadiness> Listings<L, R, P> {
    /// Wires the service.
    pub fn new(listings: L, products: R, payouts: P, settings: CatalogSettings) -> Self {
        Self {
            listings,
            products,
            payouts,
            settings,
        }
    }

    /// One page of listings; someone else's inactive ones are left out.
    pub async fn list(
        &self,
        query: ListingQuery,
        page: PageRequest,
        viewer: Option<&User>,
    ) -> Result<Page<Listing>, CatalogError> {
        let query = ListingQuery {
            inactive: self.inactive_for(viewer),
            ..query
        };
        Ok(self
            .listings
            .list_listings(query, page, viewer.map(|u| u.id))
            .await?)
    }

    /// One listing; someone else's inactive one is answered as unknown, as in the list.
    pub async fn get(&self, id: ListingId, viewer: Option<&User>) -> Result<Listing, CatalogError> {
        let shown = self.inactive_for(viewer);
        self.listings
            .listing(id, viewer.map(|u| u.id))
            .await?
            .filter(|l| shown.shows(l))
            .ok_or(CatalogError::NotFound("FixedPriceListing"))
    }

    /// Whose inactive listings `viewer` sees: everyone's, as the contract, unless the setting
    /// keeps them to their seller and admins.
    fn inactive_for(&self, viewer: Option<&User>) -> InactiveListings {
        if self.settings.private_inactive {
            InactiveListings::for_viewer(viewer)
        } else {
            InactiveListings::Public
        }
    }

    async fn state(&self, id: ListingId) -> Result<ListingState, CatalogError> {
        self.listings
            .listing_state(id)
            .await?
            .ok_or(CatalogError::NotFound("FixedPriceListing"))
    }

    /// Lists one of the caller's products at a fixed price.
    pub async fn create(
        &self,
        actor: &User,
        input: ListingInput,
        now: DateTime<Utc>,
    ) -> Result<Listing, CatalogError> {
        ensure_can_publish(&self.payouts, self.settings, actor, "listings").await?;
        let mut errors = input.check_fields(true).err().unwrap_or_default();
        let product = self
            .check_product(actor, input.product_id, &mut errors)
            .await?;
        errors.into_result()?;
        let discount = input.merged_discount(Discount::default());
        check_new_discount(&discount, now)?;
        let new = NewListing {
            product,
            price: input.price.unwrap_or(crate::money::Money::pkr(0)),
            quantity: i32::try_from(input.quantity.unwrap_or(1)).unwrap_or(i32::MAX),
            // Featuring is an admin decision (the original let sellers feature themselves).
            featured: actor.is_admin() && input.featured.unwrap_or(false),
            discount,
        };
        let id =
            self.listings.create_listing(new).await?.ok_or_else(|| {
                FieldErrors::single("product_id", "Product already has a listing")
            })?;
        self.get(id, Some(actor)).await
    }

    async fn check_product(
        &self,
        actor: &User,
        product: Option<ProductId>,
        errors: &mut FieldErrors,
    ) -> Result<ProductId, CatalogError> {
        let Some(id) = product else {
            errors.add("product_id", crate::validation::msg::REQUIRED);
            return Ok(ProductId(0));
        };
        let problem = match self.products.product_ownership(id).await? {
            None => Some("Product not found"),
            Some(o) if o.listing_type.is_some() => Some("Product already has a listing"),
            Some(o) if o.seller != actor.id => {
                Some("You can only create listings for your own products")
            }
            Some(_) => None,
        };
        if let Some(problem) = problem {
            errors.add("product_id", problem);
        }
        Ok(id)
    }

    /// Edits a listing (owner or admin). `full` is PUT: price and quantity required.
    pub async fn update(
        &self,
        actor: &User,
        id: ListingId,
        input: ListingInput,
        full: bool,
    ) -> Result<Listing, CatalogError> {
        let state = self.state(id).await?;
        ensure_owner(actor, state.seller, "You can only update your own listings")?;
        input.check_fields(full)?;
        let discount = if input.touches_discount() {
            let merged = input.merged_discount(state.discount);
            check_updated_discount(&merged)?;
            Some(merged)
        } else {
            None
        };
        let quantity = input.quantity.map(|q| i32::try_from(q).unwrap_or(i32::MAX));
        if let Some(q) = quantity
            && q < state.reserved_quantity
        {
            return Err(FieldErrors::single(
                "quantity",
                format!(
                    "{} units are held in shopping carts; the quantity cannot go below that.",
                    state.reserved_quantity
                ),
            )
            .into());
        }
        if input.status == Some(ListingStatus::Active) && quantity.unwrap_or(state.quantity) == 0 {
            return Err(FieldErrors::single(
                "status",
                "Cannot activate out-of-stock listing. Please update the stock first.",
            )
            .into());
        }
        // Restocking an out-of-stock listing puts it back on sale, after validation passed.
        let status = match (input.status, quantity) {
            (Some(s), _) => Some(s),
            (None, Some(q)) if q > 0 && state.status == ListingStatus::OutOfStock => {
                Some(ListingStatus::Active)
            }
            _ => None,
        };
        let changes = ListingChanges {
            price: input.price,
            quantity,
            status,
            featured: if actor.is_admin() {
                input.featured
            } else {
                None
            },
            discount,
        };
        if !self.listings.update_listing(id, changes).await? {
            return Err(FieldErrors::single(
                "quantity",
                "Units held in shopping carts changed; reload and try again.",
            )
            .into());
        }
        self.get(id, Some(actor)).await
    }

    /// Deletes a listing (owner or admin); the product remains.
    pub async fn delete(&self, actor: &User, id: ListingId) -> Result<(), CatalogError> {
        let state = self.state(id).await?;
        ensure_owner_or_hidden(actor, state.seller, "FixedPriceListing")?;
        if self.listings.delete_listing(id).await? {
            Ok(())
        } else {
            Err(CatalogError::NotFound("FixedPriceListing"))
        }
    }

    /// Puts a listing on or off sale (owner or admin); already so is refused.
    pub async fn set_active(
        &self,
        actor: &User,
        id: ListingId,
        active: bool,
    ) -> Result<ListingStatus, CatalogError> {
        let state = self.state(id).await?;
        let is_active = state.status == ListingStatus::Active;
        if is_active == active {
            return Err(CatalogError::bad(if active {
                "already active"
            } else {
                "already inactive"
            }));
        }
        self.toggle_status(actor, id).await
    }

    /// Switches active ↔ inactive (owner or admin); out-of-stock listings need stock first.
    pub async fn toggle_status(
        &self,
        actor: &User,
        id: ListingId,
    ) -> Result<ListingStatus, CatalogError> {
        let state = self.state(id).await?;
        ensure_owner(
            actor,
            state.seller,
            "You do not have permission to modify this listing",
        )?;
        let next = toggled(state.status).map_err(CatalogError::bad)?;
        self.listings
            .update_listing(
                id,
                ListingChanges {
                    status: Some(next),
                    ..ListingChanges::default()
                },
            )
            .await?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::catalog::ports::{
        MockListingRepository, MockPayoutReadiness, MockProductRepository,
    };
    use crate::catalog::product::{ListingType, ProductOwnership};
    use crate::fixtures::user;
    use crate::ids::UserId;
    use crate::money::Money;
    use std::future::ready;

    fn products(seller: i64, listed: bool) -> MockProductRepository {
        let mut p = MockProductRepository::new();
        p.expect_product_ownership().returning(move |_| {
            Box::pin(ready(Ok(Some(ProductOwnership {
                seller: UserId(seller),
                listing_type: listed.then_some(ListingType::Auction),
            }))))
        });
        p
    }

    fn input() -> ListingInput {
        ListingInput {
            product_id: Some(ProductId(3)),
            price: Some(Money::pkr(150_000)),
            quantity: Some(2),
            ..ListingInput::default()
        }
    }

    #[tokio::test]
    async fn create_field_errors_name_the_product_problem() {
        let mut listings = MockListingRepository::new();
        listings.expect_create_listing().never();
        let svc = Listings::new(
            listings,
            products(9, false),
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        let err = svc
            .create(&user(1, Role::Seller), input(), Utc::now())
            .await
            .unwrap_err();
        assert_eq!(
            err,
            CatalogError::Validation(FieldErrors::single(
                "product_id",
                "You can only create listings for your own products"
            ))
        );
        let svc = Listings::new(
            MockListingRepository::new(),
            products(1, true),
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        let err = svc
            .create(&user(1, Role::Seller), input(), Utc::now())
            .await
            .unwrap_err();
        assert_eq!(
            err,
            CatalogError::Validation(FieldErrors::single(
                "product_id",
                "Product already has a listing"
            ))
        );
    }

    #[tokio::test]
    async fn restocking_reactivates_and_sellers_cannot_feature() {
        let mut listings = MockListingRepository::new();
        listings.expect_listing_state().returning(|_| {
            Box::pin(ready(Ok(Some(ListingState {
                seller: UserId(1),
                status: ListingStatus::OutOfStock,
                quantity: 0,
                reserved_quantity: 0,
                discount: Discount::default(),
            }))))
        });
        listings
            .expect_update_listing()
            .withf(|_, c| {
                c.status == Some(ListingStatus::Active)
                    && c.quantity == Some(5)
                    && c.featured.is_none()
            })
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(true))));
        listings
            .expect_listing()
            .returning(|_, _| Box::pin(ready(Ok(None))));
        let svc = Listings::new(
            listings,
            MockProductRepository::new(),
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        let change = ListingInput {
            quantity: Some(5),
            featured: Some(true),
            ..ListingInput::default()
        };
        // The read-back finds nothing in this mock; the update itself is what is checked.
        assert_eq!(
            svc.update(&user(1, Role::Seller), ListingId(4), change, false)
                .await
                .unwrap_err(),
            CatalogError::NotFound("FixedPriceListing")
        );
    }

    #[tokio::test]
    async fn someone_elses_inactive_listing_is_unknown() {
        let t = Utc::now();
        let withdrawn = move |id: ListingId| Listing {
            id,
            product: crate::fixtures::product_view(3, 1),
            price: Money::pkr(10_000),
            quantity: 1,
            reserved_quantity: 0,
            status: ListingStatus::Inactive,
            featured: false,
            discount: Discount::default(),
            created_at: t,
            updated_at: t,
        };
        let mut listings = MockListingRepository::new();
        listings
            .expect_listing()
            .returning(move |id, _| Box::pin(ready(Ok(Some(withdrawn(id))))));
        let svc = Listings::new(
            listings,
            MockProductRepository::new(),
            MockPayoutReadiness::new(),
            CatalogSettings {
                private_inactive: true,
                ..CatalogSettings::default()
            },
        );
        for viewer in [
            None,
            Some(user(2, Role::Seller)),
            Some(user(3, Role::Buyer)),
        ] {
            assert_eq!(
                svc.get(ListingId(4), viewer.as_ref()).await.unwrap_err(),
                CatalogError::NotFound("FixedPriceListing")
            );
        }
        for viewer in [user(1, Role::Seller), user(9, Role::Admin)] {
            let seen = svc.get(ListingId(4), Some(&viewer)).await.unwrap();
            assert_eq!(seen.status, ListingStatus::Inactive);
        }
    }

    #[tokio::test]
    async fn the_list_asks_only_for_inactive_listings_the_reader_may_see() {
        for (viewer, expected) in [
            (None, InactiveListings::Hidden),
            (
                Some(user(2, Role::Seller)),
                InactiveListings::Seller(UserId(2)),
            ),
            (Some(user(9, Role::Admin)), InactiveListings::All),
        ] {
            let mut listings = MockListingRepository::new();
            listings
                .expect_list_listings()
                .withf(
                    move |q: &ListingQuery, _: &PageRequest, _: &Option<UserId>| {
                        q.inactive == expected
                    },
                )
                .times(1)
                .returning(|_, _, _| {
                    Box::pin(ready(Ok(Page {
                        count: 0,
                        items: Vec::new(),
                    })))
                });
            let svc = Listings::new(
                listings,
                MockProductRepository::new(),
                MockPayoutReadiness::new(),
                CatalogSettings {
                    private_inactive: true,
                    ..CatalogSettings::default()
                },
            );
            // A client cannot widen it: whatever the query says, the reader decides.
            let asked = ListingQuery {
                inactive: InactiveListings::All,
                ..ListingQuery::default()
            };
            svc.list(asked, PageRequest::default(), viewer.as_ref())
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn out_of_stock_cannot_be_toggled_on() {
        let mut listings = MockListingRepository::new();
        listings.expect_listing_state().returning(|_| {
            Box::pin(ready(Ok(Some(ListingState {
                seller: UserId(1),
                status: ListingStatus::OutOfStock,
                quantity: 0,
                reserved_quantity: 0,
                discount: Discount::default(),
            }))))
        });
        listings.expect_update_listing().never();
        let svc = Listings::new(
            listings,
            MockProductRepository::new(),
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        assert_eq!(
            svc.toggle_status(&user(1, Role::Seller), ListingId(1))
                .await
                .unwrap_err(),
            CatalogError::bad(
                "Cannot activate out-of-stock listing. Please update the stock first."
            )
        );
        assert_eq!(
            svc.toggle_status(&user(2, Role::Seller), ListingId(1))
                .await
                .unwrap_err(),
            CatalogError::forbidden("You do not have permission to modify this listing")
        );
    }
}
