//! Placing orders: a whole cart or one listing, the same path for both. Stock is taken in the
//! placing transaction; then the payment provider opens a session for the order.

use crate::account::ports::AddressRepository;
use crate::account::user::User;
use crate::catalog::listing::ListingStatus;
use crate::catalog::ports::ListingRepository;
use crate::clock::Clock;
use crate::ids::{AddressId, ListingId, OrderId};
use crate::money::Money;
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::checkout::{
    OrderSource, PlaceOrder, Placed, PlanSettings, StatusChange, StockRelease,
    check_expected_total, plan,
};
use crate::order::model::{Order, OrderError, OrderStatus, OrderType};
use crate::order::payment::SessionRequest;
use crate::order::ports::{OrderRepository, PaymentGateway};
use crate::outbox::Outbox;
use crate::validation::FieldErrors;

/// `403 {"error": "Your account is blocked"}`.
pub fn blocked() -> OrderError {
    OrderError::Blocked
}

/// The checkout use cases.
pub struct Checkout<O, A, L, G, K> {
    orders: O,
    addresses: A,
    listings: L,
    gateway: G,
    clock: K,
    settings: PlanSettings,
}

impl<O, A, L, G, K> Checkout<O, A, L, G, K>
where
    O: OrderRepository,
    A: AddressRepository,
    L: ListingRepository,
    G: PaymentGateway,
    K: Clock,
{
    /// Wires the service.
    pub fn new(
        orders: O,
        addresses: A,
        listings: L,
        gateway: G,
        clock: K,
        settings: PlanSettings,
    ) -> Self {
        Self {
            orders,
            addresses,
            listings,
            gateway,
            clock,
            settings,
        }
    }

    async fn owns_address(&self, buyer: &User, id: Option<AddressId>) -> Result<bool, OrderError> {
        Ok(match id {
            Some(id) => self.addresses.get(buyer.id, id).await?.is_some(),
            None => false,
        })
    }

    /// Checks out the caller's whole cart as one order; with `expected_total`, only at that
    /// total.
    pub async fn checkout_cart(
        &self,
        buyer: &User,
        address: AddressId,
        idempotency_key: Option<String>,
        expected_total: Option<Money>,
    ) -> Result<Order, OrderError> {
        if buyer.is_blocked {
            return Err(blocked());
        }
        if !self.owns_address(buyer, Some(address)).await? {
            return Err(
                FieldErrors::single("shipping_address_id", "Invalid shipping address").into(),
            );
        }
        let request = PlaceOrder {
            buyer: buyer.id,
            source: OrderSource::Cart,
            shipping_address: address,
            idempotency_key,
            count_unpaid: self.settings.max_unpaid_per_listing > 0,
        };
        self.place(request, OrderType::Cart, expected_total).await
    }

    /// Buys units of one listing directly (checks in the contract's order); with
    /// `expected_total`, only at that total.
    pub async fn purchase(
        &self,
        buyer: &User,
        listing: ListingId,
        quantity: i64,
        address: Option<AddressId>,
        idempotency_key: Option<String>,
        expected_total: Option<Money>,
    ) -> Result<Order, OrderError> {
        let state = self
            .listings
            .listing_state(listing)
            .await?
            .ok_or(OrderError::ListingNotFound)?;
        if state.status != ListingStatus::Active {
            return Err(OrderError::bad("Listing is not active"));
        }
        if buyer.is_blocked {
            return Err(blocked());
        }
        if state.seller == buyer.id {
            return Err(OrderError::bad("You cannot purchase your own listing"));
        }
        if quantity < 1 {
            return Err(FieldErrors::single(
                "quantity",
                "Ensure this value is greater than or equal to 1.",
            )
            .into());
        }
        let quantity = i32::try_from(quantity).unwrap_or(i32::MAX);
        if state.quantity - state.reserved_quantity < quantity {
            return Err(OrderError::bad("Not enough quantity available"));
        }
        if !self.owns_address(buyer, address).await? {
            return Err(OrderError::bad("Invalid shipping address"));
        }
        let request = PlaceOrder {
            buyer: buyer.id,
            source: OrderSource::Listing { listing, quantity },
            shipping_address: address.unwrap_or(AddressId(0)),
            idempotency_key,
            count_unpaid: self.settings.max_unpaid_per_listing > 0,
        };
        self.place(request, OrderType::FixedPrice, expected_total)
            .await
    }

    /// Places the order under the stock locks; the plan (availability, the unpaid-order limit,
    /// prices) and the buyer's stated total are judged there, so a refusal takes nothing.
    async fn place(
        &self,
        request: PlaceOrder,
        kind: OrderType,
        expected_total: Option<Money>,
    ) -> Result<Order, OrderError> {
        let now = self.clock.now();
        let settings = self.settings;
        let buyer = request.buyer;
        let planner = Box::new(move |lines, entropy| {
            let mut draft = plan(kind, lines, now, entropy, settings)?;
            check_expected_total(expected_total, draft.split.total)?;
            let what = match kind {
                OrderType::Cart => format!("order {}", draft.number),
                _ => draft
                    .lines
                    .first()
                    .map_or_else(String::new, |l| l.stock.product_name.clone()),
            };
            draft.outbox = Outbox::new().notify(NewNotification::new(
                buyer,
                NotificationType::PaymentReminder,
                "Complete your payment",
                format!("Please complete payment for {what}"),
            ));
            Ok(draft)
        });
        match self.orders.place_order(request, planner).await? {
            Placed::Replayed(id) => {
                let order = self.load(id).await?;
                // The first attempt died between placing the order and opening its payment
                // (a crash, a lost connection): the retry opens it, or nobody could ever pay.
                // Sessions are idempotent per order at the provider, so this opens one at most.
                // A failure here keeps the order (another attempt may be opening it right now,
                // and its payment window still bounds it): only the first attempt cancels.
                let open = order.payment_deadline.is_none_or(|d| d > self.clock.now());
                if order.status == OrderStatus::PendingPayment
                    && order.payment_url.is_empty()
                    && open
                {
                    return self.open_session(id, kind, false).await;
                }
                Ok(order)
            }
            Placed::Created(id) => self.open_session(id, kind, true).await,
        }
    }

    async fn load(&self, id: OrderId) -> Result<Order, OrderError> {
        self.orders.order(id).await?.ok_or(OrderError::NotFound)
    }

    /// Opens the order's payment session; when that fails and `cancel` is set, the order is
    /// cancelled and its units given back.
    async fn open_session(
        &self,
        id: OrderId,
        kind: OrderType,
        cancel: bool,
    ) -> Result<Order, OrderError> {
        let order = self.load(id).await?;
        let request = SessionRequest {
            order_id: order.id,
            order_number: order.number.clone(),
            order_type: order.order_type,
            buyer: order.buyer,
            seller: order.seller,
            amount: order.total,
            description: match kind {
                OrderType::Cart => "Multi-product order".into(),
                _ => order.product_name.clone().unwrap_or_default(),
            },
            expires_at: order.payment_deadline.unwrap_or(order.created_at),
            created_at: order.created_at,
        };
        match self.gateway.create_session(request).await {
            Ok(session) => {
                self.orders.attach_session(id, session.clone()).await?;
                // The order was just read; only the session changed (no second read of it).
                let mut order = order;
                order.payment_url = session.url;
                order.payment_reference = session.id;
                if let Some(deadline) = session.expires_at {
                    order.payment_deadline = Some(deadline);
                }
                Ok(order)
            }
            Err(e) if !cancel => Err(OrderError::Gateway(e.to_string())),
            Err(e) => {
                // Nothing may stay taken for an order nobody can pay: give the units back (and
                // the lines back to the cart), then report the provider's failure.
                let release = if kind == OrderType::Cart {
                    StockRelease::ReturnToCart
                } else {
                    StockRelease::Return
                };
                let change = StatusChange {
                    order: id,
                    from: vec![OrderStatus::PendingPayment],
                    to: OrderStatus::Cancelled,
                    release,
                    event: None,
                    now: self.clock.now(),
                    violation: None,
                };
                self.orders
                    .change_status(change, Box::new(|_, _, _| Outbox::new()))
                    .await?;
                Err(OrderError::Gateway(e.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::ports::MockAddressRepository;
    use crate::account::user::Role;
    use crate::catalog::ports::MockListingRepository;
    use crate::clock::FixedClock;
    use crate::fixtures::{order, user};
    use crate::ids::OrderId;
    use crate::order::payment::{PaymentError, PaymentSession};
    use crate::order::ports::{MockOrderRepository, MockPaymentGateway};
    use crate::rate::BasisPoints;
    use chrono::Utc;
    use std::future::ready;

    type Service = Checkout<
        MockOrderRepository,
        MockAddressRepository,
        MockListingRepository,
        MockPaymentGateway,
        FixedClock,
    >;

    fn service(orders: MockOrderRepository, gateway: MockPaymentGateway) -> Service {
        let mut addresses = MockAddressRepository::new();
        addresses.expect_get().returning(|_, _| {
            Box::pin(ready(Ok(Some(crate::account::address::Address {
                id: AddressId(3),
                user_id: crate::ids::UserId(1),
                street_address: "1 Mall Road".into(),
                city_id: crate::ids::CityId(1),
                city_name: "Lahore".into(),
                province_name: "Punjab".into(),
                postal_code: "54000".into(),
                is_default: true,
                created_at: Utc::now(),
            }))))
        });
        Checkout::new(
            orders,
            addresses,
            MockListingRepository::new(),
            gateway,
            FixedClock(Utc::now()),
            PlanSettings {
                commission: BasisPoints::new(200).unwrap(),
                payment_window: chrono::Duration::minutes(30),
                max_unpaid_per_listing: 3,
            },
        )
    }

    fn placed_order() -> MockOrderRepository {
        let mut orders = MockOrderRepository::new();
        orders
            .expect_place_order()
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(Placed::Created(OrderId(1))))));
        orders
            .expect_order()
            .returning(|_| Box::pin(ready(Ok(Some(order(1, 1, 2))))));
        orders
    }

    /// A checkout replayed under its key: the store finds order 1 as `url` and `open` (its
    /// payment window still open, or already past) describe it.
    fn replayed_order(url: &'static str, open: bool) -> MockOrderRepository {
        let mut orders = MockOrderRepository::new();
        orders
            .expect_place_order()
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(Placed::Replayed(OrderId(1))))));
        orders.expect_order().returning(move |_| {
            let mut o = order(1, 1, 2);
            o.payment_url = url.into();
            if open {
                o.payment_deadline = Some(Utc::now() + chrono::Duration::minutes(10));
            }
            Box::pin(ready(Ok(Some(o))))
        });
        orders
    }

    #[tokio::test]
    async fn a_provider_failure_gives_the_units_and_lines_back_and_reports_502_text() {
        let mut orders = placed_order();
        orders
            .expect_change_status()
            .withf(|c, _| {
                c.order == OrderId(1)
                    && c.to == OrderStatus::Cancelled
                    && c.from == vec![OrderStatus::PendingPayment]
                    && c.release == StockRelease::ReturnToCart
            })
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(None))));
        orders.expect_attach_session().never();
        let mut gateway = MockPaymentGateway::new();
        gateway.expect_create_session().returning(|_| {
            Box::pin(ready(Err(PaymentError::Unavailable(
                "Stripe error: down".into(),
            ))))
        });
        let e = service(orders, gateway)
            .checkout_cart(&user(1, Role::Buyer), AddressId(3), None, None)
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), "Payment creation failed: Stripe error: down");
    }

    #[tokio::test]
    async fn the_session_is_opened_for_the_order_total_until_its_deadline() {
        let mut orders = placed_order();
        orders
            .expect_attach_session()
            .withf(|id, s| *id == OrderId(1) && s.id == "cs_1")
            .times(1)
            .returning(|_, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        gateway
            .expect_create_session()
            .withf(|r| {
                r.order_id == OrderId(1)
                    && r.amount == crate::money::Money::pkr(10_000)
                    && r.description == "Multi-product order"
                    && r.expires_at == order(1, 1, 2).payment_deadline.unwrap()
            })
            .times(1)
            .returning(|_| {
                Box::pin(ready(Ok(PaymentSession {
                    id: "cs_1".into(),
                    url: "https://pay/cs_1".into(),
                    expires_at: None,
                })))
            });
        let o = service(orders, gateway)
            .checkout_cart(&user(1, Role::Buyer), AddressId(3), Some("k".into()), None)
            .await
            .unwrap();
        assert_eq!(o.id, OrderId(1));
        assert_eq!(o.payment_url, "https://pay/cs_1");
        assert_eq!(o.payment_reference, "cs_1");
    }

    #[tokio::test]
    async fn a_replay_of_an_order_left_without_its_payment_opens_it_and_one_with_it_does_not() {
        for (url, opens) in [("", true), ("https://pay/cs_1", false)] {
            let mut orders = replayed_order(url, true);
            orders
                .expect_attach_session()
                .times(usize::from(opens))
                .returning(|_, _| Box::pin(ready(Ok(()))));
            let mut gateway = MockPaymentGateway::new();
            gateway
                .expect_create_session()
                .times(usize::from(opens))
                .returning(|_| {
                    Box::pin(ready(Ok(PaymentSession {
                        id: "cs_1".into(),
                        url: "https://pay/cs_1".into(),
                        expires_at: None,
                    })))
                });
            let o = service(orders, gateway)
                .checkout_cart(&user(1, Role::Buyer), AddressId(3), Some("k".into()), None)
                .await
                .unwrap();
            assert_eq!(o.payment_url, "https://pay/cs_1");
        }
    }

    #[tokio::test]
    async fn a_replay_past_the_payment_window_opens_nothing() {
        // The fixture's deadline is in the past.
        let orders = replayed_order("", false);
        let mut gateway = MockPaymentGateway::new();
        gateway.expect_create_session().never();
        let o = service(orders, gateway)
            .checkout_cart(&user(1, Role::Buyer), AddressId(3), Some("k".into()), None)
            .await
            .unwrap();
        assert_eq!(o.payment_url, "");
    }

    #[tokio::test]
    async fn a_replay_that_cannot_open_the_payment_keeps_the_order() {
        let mut orders = replayed_order("", true);
        orders.expect_change_status().never();
        let mut gateway = MockPaymentGateway::new();
        gateway.expect_create_session().times(1).returning(|_| {
            Box::pin(ready(Err(PaymentError::Refused(
                "Keys for idempotent requests can only be used with the same parameters".into(),
            ))))
        });
        let e = service(orders, gateway)
            .checkout_cart(&user(1, Role::Buyer), AddressId(3), Some("k".into()), None)
            .await
            .unwrap_err();
        assert!(matches!(e, OrderError::Gateway(_)), "{e}");
    }

    /// One line of Rs. 1,000.00 a unit, `quantity` units, on a listing with plenty left.
    fn line(quantity: i32) -> crate::order::checkout::StockLine {
        crate::order::checkout::StockLine {
            listing: ListingId(1),
            product: crate::ids::ProductId(1),
            product_name: "Vase".into(),
            seller: crate::ids::UserId(2),
            quantity,
            held: quantity,
            status: ListingStatus::Active,
            listing_quantity: 10,
            listing_reserved: quantity,
            price: Money::pkr(100_000),
            discount: crate::catalog::listing::Discount::default(),
            unpaid_orders: 0,
        }
    }

    #[tokio::test]
    async fn a_total_other_than_the_stated_one_is_refused_under_the_locks() {
        for (expected, placed) in [(Money::pkr(100_000), false), (Money::pkr(200_000), true)] {
            let mut orders = MockOrderRepository::new();
            // The store runs the plan under its locks; a refusal there rolls everything back.
            orders
                .expect_place_order()
                .times(1)
                .returning(|_, planner| {
                    let result = planner(vec![line(2)], 7).map(|_| Placed::Created(OrderId(1)));
                    Box::pin(ready(result))
                });
            orders
                .expect_order()
                .returning(|_| Box::pin(ready(Ok(Some(order(1, 1, 2))))));
            orders
                .expect_attach_session()
                .returning(|_, _| Box::pin(ready(Ok(()))));
            let mut gateway = MockPaymentGateway::new();
            gateway
                .expect_create_session()
                .times(usize::from(placed))
                .returning(|_| {
                    Box::pin(ready(Ok(PaymentSession {
                        id: "cs_1".into(),
                        url: "https://pay/cs_1".into(),
                        expires_at: None,
                    })))
                });
            let result = service(orders, gateway)
                .checkout_cart(&user(1, Role::Buyer), AddressId(3), None, Some(expected))
                .await;
            if placed {
                assert!(result.is_ok());
            } else {
                assert_eq!(
                    result.unwrap_err(),
                    OrderError::Validation(FieldErrors::non_field(
                        "Prices changed: the total is now 2000.00, not 1000.00. Review your cart and check out again."
                    ))
                );
            }
        }
    }

    #[tokio::test]
    async fn blocked_buyers_cannot_check_out() {
        let mut orders = MockOrderRepository::new();
        orders.expect_place_order().never();
        let mut blocked = user(1, Role::Buyer);
        blocked.is_blocked = true;
        let e = service(orders, MockPaymentGateway::new())
            .checkout_cart(&blocked, AddressId(3), None, None)
            .await
            .unwrap_err();
        assert_eq!(e, OrderError::Blocked);
    }
}
