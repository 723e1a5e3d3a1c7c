//! Order use cases after placement: reading (scoped to buyer and sellers), shipping per seller,
//! delivery confirmation and cancellation by the buyer.

use crate::account::user::User;
use crate::clock::Clock;
use crate::ids::OrderId;
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::checkout::{Party, StatusChange, StockRelease};
use crate::order::model::{Order, OrderError, OrderQuery, OrderRole, OrderStatus, OrderType};
use crate::order::ports::OrderRepository;
use crate::outbox::Outbox;
use crate::page::{Page, PageRequest};

/// The order use cases.
pub struct Orders<O, K> {
    orders: O,
    clock: K,
}

/// The tracking number a seller may give when shipping (at most 100 characters).
pub const MAX_TRACKING_LEN: usize = 100;

fn visible(order: &Order, viewer: &User, role: OrderRole) -> bool {
    let buyer = order.buyer == viewer.id;
    let seller = order.sells(viewer.id);
    match role {
        OrderRole::Buyer => buyer,
        OrderRole::Seller => seller,
        OrderRole::Any => buyer || seller || viewer.is_admin(),
    }
}

fn notice(order: &Order, title: &str, message: String) -> NewNotification {
    let mut n = NewNotification::new(order.buyer, NotificationType::OrderShipped, title, message);
    n.order_id = Some(order.id.get());
    n
}

impl<O: OrderRepository, K: Clock> Orders<O, K> {
    /// Wires the service.
    pub fn new(orders: O, clock: K) -> Self {
        Self { orders, clock }
    }

    /// One page of the caller's orders (as buyer, seller, or both).
    pub async fn list(
        &self,
        viewer: &User,
        mut query: OrderQuery,
        page: PageRequest,
    ) -> Result<Page<Order>, OrderError> {
        query.viewer = Some(viewer.id);
        Ok(self.orders.list_orders(query, page).await?)
    }

    /// One order the caller may see in `role`.
    pub async fn get(
        &self,
        viewer: &User,
        id: OrderId,
        role: OrderRole,
    ) -> Result<Order, OrderError> {
        self.orders
            .order(id)
            .await?
            .filter(|o| visible(o, viewer, role))
            .ok_or(OrderError::NotFound)
    }

    /// The seller marks their lines shipped (the contract's texts and checks, in its order).
    pub async fn mark_shipped(
        &self,
        viewer: &User,
        id: OrderId,
        role: OrderRole,
        tracking_number: Option<String>,
    ) -> Result<(String, Order), OrderError> {
        let order = self.get(viewer, id, role).await?;
        let cart = order.order_type == OrderType::Cart;
        if !order.sells(viewer.id) {
            return Err(OrderError::Forbidden(
                if cart {
                    "You have no items in this order"
                } else {
                    "Only seller can mark as shipped"
                }
                .into(),
            ));
        }
        let mine_shipped = order
            .items
            .iter()
            .filter(|i| i.seller == viewer.id)
            .all(|i| i.is_shipped);
        if order.status != OrderStatus::Paid || mine_shipped {
            return Err(if mine_shipped && order.status.is_earning() {
                OrderError::bad(if cart {
                    "Your items have already been marked as shipped"
                } else {
                    "Order has already been shipped"
                })
            } else {
                OrderError::bad("Order must be paid first")
            });
        }
        let seller = viewer.username.clone();
        let outbox = Box::new(move |o: &Order, _: &_, _: &[_]| {
            let mut out = Outbox::new();
            if o.order_type == OrderType::Cart {
                out = out.notify(notice(
                    o,
                    "Items shipped",
                    format!("{seller} has shipped their items from order {}", o.number),
                ));
                if o.status == OrderStatus::Shipped {
                    out = out.notify(notice(
                        o,
                        "All items have been shipped",
                        format!(
                            "All items in order {} have been shipped by sellers",
                            o.number
                        ),
                    ));
                }
            } else {
                out = out.notify(notice(
                    o,
                    "Your order has been shipped",
                    format!("Your order {} has been shipped", o.number),
                ));
            }
            out
        });
        let after = self
            .orders
            .ship_items(id, viewer.id, tracking_number, self.clock.now(), outbox)
            .await?
            .ok_or_else(|| OrderError::bad("Your items have already been marked as shipped"))?;
        let message = if cart {
            "Your items marked as shipped"
        } else {
            "Order marked as shipped"
        };
        Ok((message.into(), after))
    }

    /// An admin marks shipped, for each seller (or only `seller`), the lines of a paid order not
    /// shipped yet; the buyer is told as when a seller ships.
    pub async fn ship_for_sellers(
        &self,
        admin: &User,
        id: OrderId,
        seller: Option<crate::ids::UserId>,
    ) -> Result<Order, OrderError> {
        if !admin.is_admin() {
            return Err(OrderError::Forbidden(
                "Only admins can ship for sellers".into(),
            ));
        }
        let order = self.get(admin, id, OrderRole::Any).await?;
        let mut sellers: Vec<crate::ids::UserId> = order
            .items
            .iter()
            .filter(|i| !i.is_shipped && seller.is_none_or(|s| s == i.seller))
            .map(|i| i.seller)
            .collect();
        sellers.sort_by_key(|s| s.get());
        sellers.dedup();
        if order.status != OrderStatus::Paid || sellers.is_empty() {
            return Err(OrderError::bad(
                if sellers.is_empty() && order.status.is_earning() {
                    "Order has already been shipped"
                } else {
                    "Order must be paid first"
                },
            ));
        }
        let mut after = order;
        for s in sellers {
            let outbox = Box::new(|o: &Order, _: &_, _: &[_]| {
                Outbox::new().notify(notice(
                    o,
                    "Your order has been shipped",
                    format!("Your order {} has been shipped", o.number),
                ))
            });
            if let Some(o) = self
                .orders
                .ship_items(id, s, None, self.clock.now(), outbox)
                .await?
            {
                after = o;
            }
        }
        Ok(after)
    }

    /// An admin cancels an order not paid yet (its units go back on sale); a paid order is
    /// refused: refunding it is what gives the money and the stock back.
    pub async fn cancel_as_admin(&self, admin: &User, id: OrderId) -> Result<Order, OrderError> {
        if !admin.is_admin() {
            return Err(OrderError::Forbidden(
                "Only admins can cancel orders".into(),
            ));
        }
        let order = self.get(admin, id, OrderRole::Any).await?;
        if order.paid_at.is_some() {
            return Err(OrderError::bad("the order was paid: refund it instead"));
        }
        order.status.transition(OrderStatus::Cancelled)?;
        self.move_order(
            &order,
            OrderStatus::Cancelled,
            StockRelease::Return,
            |_, _, _| Outbox::new(),
        )
        .await
    }

    /// The buyer confirms delivery of a shipped order.
    pub async fn mark_delivered(&self, viewer: &User, id: OrderId) -> Result<Order, OrderError> {
        let order = self.get(viewer, id, OrderRole::Any).await?;
        if order.buyer != viewer.id {
            return Err(OrderError::Forbidden(
                "Only the buyer can confirm delivery".into(),
            ));
        }
        order.status.transition(OrderStatus::Delivered)?;
        self.move_order(
            &order,
            OrderStatus::Delivered,
            StockRelease::Keep,
            |o, buyer, sellers| {
                let mut n = NewNotification::new(
                    o.buyer,
                    NotificationType::OrderDelivered,
                    "Order delivered",
                    format!(
                        "Order {} was delivered. Thank you for shopping handmade!",
                        o.number
                    ),
                );
                n.order_id = Some(o.id.get());
                let out = Outbox::new().notify(n);
                feedback_request(out, o, buyer, sellers)
            },
        )
        .await
    }

    /// The buyer cancels an order that is not paid yet; its units go back on sale.
    pub async fn cancel(&self, viewer: &User, id: OrderId) -> Result<Order, OrderError> {
        let order = self.get(viewer, id, OrderRole::Any).await?;
        if order.buyer != viewer.id {
            return Err(OrderError::Forbidden(
                "Only the buyer can cancel an order".into(),
            ));
        }
        order.status.transition(OrderStatus::Cancelled)?;
        self.move_order(
            &order,
            OrderStatus::Cancelled,
            StockRelease::Return,
            |_, _, _| Outbox::new(),
        )
        .await
    }

    async fn move_order(
        &self,
        order: &Order,
        to: OrderStatus,
        release: StockRelease,
        outbox: impl FnOnce(&Order, &Party, &[Party]) -> Outbox + Send + 'static,
    ) -> Result<Order, OrderError> {
        let change = StatusChange {
            order: order.id,
            from: vec![order.status],
            to,
            release,
            event: None,
            now: self.clock.now(),
            violation: None,
        };
        self.orders
            .change_status(change, Box::new(outbox))
            .await?
            // Someone else moved it first: report the move from where it is now.
            .ok_or_else(|| {
                OrderError::Illegal(format!(
                    "The order changed meanwhile and cannot become {}",
                    to.as_str()
                ))
            })
    }
}

/// A delivered auction win asks the buyer for seller feedback (in-app and by email); other
/// orders are reviewed per product instead.
fn feedback_request(out: Outbox, o: &Order, buyer: &Party, sellers: &[Party]) -> Outbox {
    if o.order_type != OrderType::Auction {
        return out;
    }
    let seller = sellers
        .iter()
        .find(|s| Some(s.id) == o.seller)
        .map(|s| s.username.clone())
        .unwrap_or_default();
    let mut n = NewNotification::new(
        o.buyer,
        NotificationType::FeedbackRequest,
        "How was your order?",
        format!("Order {} was delivered. Please rate {seller}.", o.number),
    );
    n.order_id = Some(o.id.get());
    n.auction_id = o.auction.map(crate::ids::AuctionId::get);
    out.notify_by_email(
        n,
        buyer.email.clone(),
        crate::notification::email::EmailMessage::FeedbackRequest {
            username: buyer.username.clone(),
            order_number: o.number.clone(),
            order_id: o.id.get(),
            seller,
        },
    )
}
