//! The entities an operator browses in the console, by URL slug, grouped as the navigation shows them.

use serde::Serialize;

/// One browsable entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    /// Accounts.
    Users,
    /// Provinces.
    Provinces,
    /// Cities.
    Cities,
    /// Addresses.
    Addresses,
    /// Categories.
    Categories,
    /// Products.
    Products,
    /// Auctions.
    Auctions,
    /// Bids.
    Bids,
    /// Fixed-price listings.
    Listings,
    /// Orders.
    Orders,
    /// Order lines.
    OrderItems,
    /// Payments.
    Payments,
    /// Seller payouts.
    Transfers,
    /// Seller feedback.
    Feedbacks,
    /// Conversations.
    Conversations,
    /// Messages.
    Messages,
    /// Notifications.
    Notifications,
    /// Complaints.
    Complaints,
    /// Unpaid auction wins.
    PaymentViolations,
    /// Seller profiles.
    SellerProfiles,
    /// Wishlist entries.
    Wishlist,
    /// Product reviews.
    Reviews,
    /// Carts.
    Carts,
    /// Cart lines.
    CartItems,
}

/// A navigation group and its entities, in the order the navigation shows them.
pub const GROUPS: &[(&str, &[Entity])] = &[
    (
        "Accounts",
        &[
            Entity::Users,
            Entity::Addresses,
            Entity::SellerProfiles,
            Entity::PaymentViolations,
        ],
    ),
    (
        "Catalogue",
        &[
            Entity::Categories,
            Entity::Products,
            Entity::Listings,
            Entity::Auctions,
            Entity::Bids,
        ],
    ),
    (
        "Orders and money",
        &[
            Entity::Orders,
            Entity::OrderItems,
            Entity::Payments,
            Entity::Transfers,
            Entity::Carts,
            Entity::CartItems,
        ],
    ),
    (
        "Community",
        &[
            Entity::Complaints,
            Entity::Feedbacks,
            Entity::Reviews,
            Entity::Wishlist,
            Entity::Conversations,
            Entity::Messages,
            Entity::Notifications,
        ],
    ),
    ("Places", &[Entity::Provinces, Entity::Cities]),
];

impl Entity {
    /// Every entity.
    pub const ALL: [Entity; 24] = [
        Entity::Users,
        Entity::Provinces,
        Entity::Cities,
        Entity::Addresses,
        Entity::Categories,
        Entity::Products,
        Entity::Auctions,
        Entity::Bids,
        Entity::Listings,
        Entity::Orders,
        Entity::OrderItems,
        Entity::Payments,
        Entity::Transfers,
        Entity::Feedbacks,
        Entity::Conversations,
        Entity::Messages,
        Entity::Notifications,
        Entity::Complaints,
        Entity::PaymentViolations,
        Entity::SellerProfiles,
        Entity::Wishlist,
        Entity::Reviews,
        Entity::Carts,
        Entity::CartItems,
    ];

    /// The URL slug (`/admin/<slug>/`).
    pub fn slug(self) -> &'static str {
        self.names().0
    }

    /// One of it, capitalised ("Order item").
    pub fn title(self) -> &'static str {
        self.names().1
    }

    /// Several of it, lower case ("order items").
    pub fn plural(self) -> &'static str {
        self.names().2
    }

    /// The entity with this slug.
    pub fn from_slug(slug: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.slug() == slug)
    }

    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Entity::Users => ("users", "User", "users"),
            Entity::Provinces => ("provinces", "Province", "provinces"),
            Entity::Cities => ("cities", "City", "cities"),
            Entity::Addresses => ("addresses", "Address", "addresses"),
            Entity::Categories => ("categories", "Category", "categories"),
            Entity::Products => ("products", "Product", "products"),
            Entity::Auctions => ("auctions", "Auction", "auctions"),
            Entity::Bids => ("bids", "Bid", "bids"),
            Entity::Listings => ("listings", "Fixed-price listing", "fixed-price listings"),
            Entity::Orders => ("orders", "Order", "orders"),
            Entity::OrderItems => ("order-items", "Order item", "order items"),
            Entity::Payments => ("payments", "Payment", "payments"),
            Entity::Transfers => ("transfers", "Seller transfer", "seller transfers"),
            Entity::Feedbacks => ("feedbacks", "Feedback", "feedbacks"),
            Entity::Conversations => ("conversations", "Conversation", "conversations"),
            Entity::Messages => ("messages", "Message", "messages"),
            Entity::Notifications => ("notifications", "Notification", "notifications"),
            Entity::Complaints => ("complaints", "Complaint", "complaints"),
            Entity::PaymentViolations => (
                "payment-violations",
                "Payment violation",
                "payment violations",
            ),
            Entity::SellerProfiles => ("seller-profiles", "Seller profile", "seller profiles"),
            Entity::Wishlist => ("wishlist", "Wishlist entry", "wishlist entries"),
            Entity::Reviews => ("reviews", "Product review", "product reviews"),
            Entity::Carts => ("carts", "Cart", "carts"),
            Entity::CartItems => ("cart-items", "Cart item", "cart items"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_has_one_slug_and_one_group() {
        for e in Entity::ALL {
            assert_eq!(Entity::from_slug(e.slug()), Some(e));
            let groups = GROUPS.iter().filter(|(_, es)| es.contains(&e)).count();
            assert_eq!(groups, 1, "{e:?} is in {groups} groups");
        }
        assert_eq!(Entity::from_slug("nope"), None);
    }
}
