//! Cart use cases: add (holding stock), change quantity, remove, clear, view.

use chrono::Duration;

use crate::account::user::User;
use crate::catalog::listing::ListingStatus;
use crate::catalog::ports::ListingRepository;
use crate::clock::Clock;
use crate::ids::{CartItemId, ListingId};
use crate::order::cart::{Cart, CartError, CartLine, HoldOutcome, only_available};
use crate::order::ports::CartRepository;
use crate::validation::{FieldErrors, msg};

/// How long cart lines hold their units; renewed by any cart activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartSettings {
    /// The hold.
    pub hold: Duration,
}

/// A request to add units to the cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddToCart {
    /// The fixed-price listing.
    pub listing: Option<ListingId>,
    /// Units (≥ 1).
    pub quantity: Option<i64>,
    /// The client named an auction: auctions are never bought through a cart.
    pub auction: bool,
}

/// The cart use cases.
pub struct Carts<C, L, K> {
    carts: C,
    listings: L,
    clock: K,
    settings: CartSettings,
}

fn check_quantity(errors: &mut FieldErrors, quantity: Option<i64>) -> i32 {
    match quantity {
        None => {
            errors.add("quantity", msg::REQUIRED);
            0
        }
        Some(q) if q < 1 => {
            errors.add(
                "quantity",
                "Ensure this value is greater than or equal to 1.",
            );
            0
        }
        // Beyond any stock; the hold refuses it with the units available.
        Some(q) => i32::try_from(q).unwrap_or(i32::MAX),
    }
}

impl<C: CartRepository, L: ListingRepository, K: Clock> Carts<C, L, K> {
    /// Wires the service.
    pub fn new(carts: C, listings: L, clock: K, settings: CartSettings) -> Self {
        Self {
            carts,
            listings,
            clock,
            settings,
        }
    }

    /// The caller's cart (made on demand).
    pub async fn view(&self, user: &User) -> Result<Cart, CartError> {
        Ok(self.carts.cart(user.id).await?)
    }

    async fn line(&self, user: &User, id: CartItemId) -> Result<CartLine, CartError> {
        self.view(user)
            .await?
            .lines
            .into_iter()
            .find(|l| l.id == id)
            .ok_or(CartError::ItemNotFound)
    }

    /// Adds units of a fixed-price listing, merging with its line, and holds them.
    pub async fn add(&self, user: &User, input: AddToCart) -> Result<CartLine, CartError> {
        if input.auction {
            return Err(FieldErrors::single(
                "auction_id",
                "Auction items cannot be added to the cart; place a bid on the auction instead.",
            )
            .into());
        }
        let mut errors = FieldErrors::new();
        let quantity = check_quantity(&mut errors, input.quantity);
        let mut seller = None;
        match input.listing {
            None => errors.add("listing_id", msg::REQUIRED),
            Some(id) => match self.listings.listing_state(id).await? {
                None => errors.add("listing_id", "Listing not found"),
                Some(s) if s.status != ListingStatus::Active => {
                    errors.add("listing_id", "This listing is not active");
                }
                Some(s) => seller = Some(s.seller),
            },
        }
        errors.into_result()?;
        if seller == Some(user.id) {
            return Err(FieldErrors::non_field("You cannot add your own products to cart").into());
        }
        let listing = input.listing.unwrap_or(ListingId(0));
        let until = self.clock.now() + self.settings.hold;
        match self.carts.hold(user.id, listing, quantity, until).await? {
            HoldOutcome::Held(id) => self.line(user, id).await,
            HoldOutcome::Short {
                available,
                existing: false,
            } => Err(FieldErrors::non_field(only_available(available)).into()),
            HoldOutcome::Short {
                available,
                existing: true,
            } => Err(CartError::Rejected(only_available(available))),
            HoldOutcome::Unavailable => {
                Err(FieldErrors::single("listing_id", "This listing is not active").into())
            }
        }
    }

    /// Sets a line's quantity (holding or releasing the difference).
    pub async fn update(
        &self,
        user: &User,
        item: CartItemId,
        quantity: Option<i64>,
    ) -> Result<CartLine, CartError> {
        let mut errors = FieldErrors::new();
        let quantity = check_quantity(&mut errors, quantity);
        // The line must be the caller's before its input is judged.
        let _ = self.line(user, item).await?;
        errors.into_result()?;
        let until = self.clock.now() + self.settings.hold;
        match self
            .carts
            .set_quantity(user.id, item, quantity, until)
            .await?
        {
            None => Err(CartError::ItemNotFound),
            Some(HoldOutcome::Held(id)) => self.line(user, id).await,
            Some(HoldOutcome::Short { available, .. }) => {
                Err(FieldErrors::single("quantity", only_available(available)).into())
            }
            Some(HoldOutcome::Unavailable) => {
                Err(FieldErrors::single("quantity", "This listing is not active").into())
            }
        }
    }

    /// Removes a line, releasing its hold.
    pub async fn remove(&self, user: &User, item: CartItemId) -> Result<(), CartError> {
        if self.carts.remove_line(user.id, item).await? {
            Ok(())
        } else {
            Err(CartError::ItemNotFound)
        }
    }

    /// Empties the cart; false when the caller had none.
    pub async fn clear(&self, user: &User) -> Result<bool, CartError> {
        Ok(self.carts.clear_cart(user.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::catalog::listing::{Discount, ListingState};
    use crate::catalog::ports::MockListingRepository;
    use crate::clock::FixedClock;
    use crate::fixtures::user;
    use crate::order::ports::MockCartRepository;
    use chrono::Utc;
    use std::future::ready;

    fn state(seller: i64, status: ListingStatus) -> ListingState {
        ListingState {
            seller: crate::ids::UserId(seller),
            status,
            quantity: 5,
            reserved_quantity: 0,
            discount: Discount::default(),
        }
    }

    fn service(
        carts: MockCartRepository,
        listings: MockListingRepository,
    ) -> Carts<MockCartRepository, MockListingRepository, FixedClock> {
        Carts::new(
            carts,
            listings,
            FixedClock(Utc::now()),
            CartSettings {
                hold: Duration::minutes(15),
            },
        )
    }

    fn listings_with(s: Option<ListingState>) -> MockListingRepository {
        let mut l = MockListingRepository::new();
        l.expect_listing_state()
            .returning(move |_| Box::pin(ready(Ok(s))));
        l
    }

    fn add(listing: i64, quantity: i64) -> AddToCart {
        AddToCart {
            listing: Some(ListingId(listing)),
            quantity: Some(quantity),
            auction: false,
        }
    }

    #[tokio::test]
    async fn auctions_never_go_in_a_cart() {
        let s = service(MockCartRepository::new(), MockListingRepository::new());
        let e = s
            .add(
                &user(1, Role::Buyer),
                AddToCart {
                    auction: true,
                    ..AddToCart::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, CartError::Validation(f) if f.has("auction_id")));
    }

    #[tokio::test]
    async fn field_errors_come_together_and_nothing_is_held() {
        let mut carts = MockCartRepository::new();
        carts.expect_hold().never();
        let s = service(carts, listings_with(None));
        let e = s.add(&user(1, Role::Buyer), add(9, 0)).await.unwrap_err();
        let CartError::Validation(f) = e else {
            panic!("{e:?}")
        };
        assert_eq!(f.get("listing_id").unwrap(), ["Listing not found"]);
        assert_eq!(
            f.get("quantity").unwrap(),
            ["Ensure this value is greater than or equal to 1."]
        );

        let mut carts = MockCartRepository::new();
        carts.expect_hold().never();
        let s = service(
            carts,
            listings_with(Some(state(2, ListingStatus::Inactive))),
        );
        let e = s.add(&user(1, Role::Buyer), add(9, 1)).await.unwrap_err();
        assert!(
            matches!(e, CartError::Validation(f) if f.get("listing_id").unwrap() == ["This listing is not active"])
        );
    }

    #[tokio::test]
    async fn own_listings_are_refused() {
        let mut carts = MockCartRepository::new();
        carts.expect_hold().never();
        let s = service(carts, listings_with(Some(state(1, ListingStatus::Active))));
        let e = s.add(&user(1, Role::Both), add(9, 1)).await.unwrap_err();
        assert_eq!(
            e,
            CartError::Validation(FieldErrors::non_field(
                "You cannot add your own products to cart"
            ))
        );
    }

    #[tokio::test]
    async fn short_stock_names_what_is_available_in_the_contracts_two_shapes() {
        for (existing, expect_error_shape) in [(false, false), (true, true)] {
            let mut carts = MockCartRepository::new();
            carts.expect_hold().returning(move |_, _, _, _| {
                Box::pin(ready(Ok(HoldOutcome::Short {
                    available: 2,
                    existing,
                })))
            });
            let s = service(carts, listings_with(Some(state(2, ListingStatus::Active))));
            let e = s.add(&user(1, Role::Buyer), add(9, 3)).await.unwrap_err();
            if expect_error_shape {
                assert_eq!(
                    e,
                    CartError::Rejected("Only 2 items available in stock".into())
                );
            } else {
                assert_eq!(
                    e,
                    CartError::Validation(FieldErrors::non_field(
                        "Only 2 items available in stock"
                    ))
                );
            }
        }
    }

    #[tokio::test]
    async fn the_hold_lasts_the_configured_time() {
        let now = Utc::now();
        let mut carts = MockCartRepository::new();
        carts
            .expect_hold()
            .withf(move |u, l, q, until| {
                u.get() == 1 && l.get() == 9 && *q == 2 && *until == now + Duration::minutes(15)
            })
            .times(1)
            .returning(|_, _, _, _| Box::pin(ready(Ok(HoldOutcome::Unavailable))));
        let s = Carts::new(
            carts,
            listings_with(Some(state(2, ListingStatus::Active))),
            FixedClock(now),
            CartSettings {
                hold: Duration::minutes(15),
            },
        );
        let e = s.add(&user(1, Role::Buyer), add(9, 2)).await.unwrap_err();
        assert!(matches!(e, CartError::Validation(_)));
    }
}
