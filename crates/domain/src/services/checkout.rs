//! Placing orders: a whole cart or one listing, the same path for both. Stock is taken in the
//! placing transaction; then the payment provider opens a session for the order.

use crate::checkout::{
    OrderSource, PlaceOrder, Placed, PlanSettings, StatusChange, StockRelease, plan,
};
use crate::clock::Clock;
use crate::ids::{AddressId, ListingId, OrderId};
use crate::listing::ListingStatus;
use crate::notification::{NewNotification, NotificationType};
use crate::order::{Order, OrderError, OrderStatus, OrderType};
use crate::outbox::Outbox;
use crate::payment::SessionRequest;
use crate::ports::{AddressRepository, ListingRepository, OrderRepository, PaymentGateway};
use crate::user::User;
use crate::validation::FieldErrors;

/// `403 {"error": "Your account is blocked"}`.
pub fn blocked() -> OrderError {
    OrderError::Refused(403, "Your account is blocked".into())
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

    /// Checks out the caller's whole cart as one order.
    pub async fn checkout_cart(
        &self,
        buyer: &User,
        address: AddressId,
        idempotency_key: Option<String>,
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
        };
        self.place(request, OrderType::Cart).await
    }

    /// Buys units of one listing directly (checks in the contract's order).
    pub async fn purchase(
        &self,
        buyer: &User,
        listing: ListingId,
        quantity: i64,
        address: Option<AddressId>,
        idempotency_key: Option<String>,
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
        };
        self.place(request, OrderType::FixedPrice).await
    }

    async fn place(&self, request: PlaceOrder, kind: OrderType) -> Result<Order, OrderError> {
        let now = self.clock.now();
        let settings = self.settings;
        let buyer = request.buyer;
        let planner = Box::new(move |lines, entropy| {
            let mut draft = plan(kind, lines, now, entropy, settings)?;
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
            Placed::Replayed(id) => self.load(id).await,
            Placed::Created(id) => self.open_session(id, kind).await,
        }
    }

    async fn load(&self, id: OrderId) -> Result<Order, OrderError> {
        self.orders.order(id).await?.ok_or(OrderError::NotFound)
    }

    async fn open_session(&self, id: OrderId, kind: OrderType) -> Result<Order, OrderError> {
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
            expires_at: order.payment_deadline.unwrap_or_else(|| self.clock.now()),
        };
        match self.gateway.create_session(request).await {
            Ok(session) => {
                self.orders.attach_session(id, session).await?;
                self.load(id).await
            }
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
                };
                self.orders
                    .change_status(change, Box::new(|_, _, _| Outbox::new()))
                    .await?;
                Err(OrderError::Gateway(e.to_string()))
            }
        }
    }
}
