//! What each entity's list shows: its columns, filters, search fields, drilled date and actions,
//! as the old site's operators know them (contract/console.md).

use crate::console::action::Action;
use crate::console::entity::Entity;

pub use crate::console::column::{Choices, Column, Filter, Kind, SINCE};

/// Everything an entity's list page offers.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Columns, in order.
    pub columns: &'static [Column],
    /// Filters.
    pub filters: &'static [Filter],
    /// What `?q=` searches, as the search box says it.
    pub search: &'static str,
    /// The date the drill-down walks, by label, if any.
    pub drill: Option<&'static str>,
    /// Bulk actions.
    pub actions: &'static [Action],
}

impl Spec {
    /// The column with this key.
    pub fn column(&self, key: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// The filter with this key.
    pub fn filter(&self, key: &str) -> Option<&'static Filter> {
        self.filters.iter().find(|f| f.key == key)
    }
}

const fn col(key: &'static str, label: &'static str, kind: Kind) -> Column {
    Column { key, label, kind }
}

const fn filter(key: &'static str, label: &'static str, choices: Choices) -> Filter {
    Filter {
        key,
        label,
        choices,
    }
}

use Kind::{Badge, Bool, Money, Number, Ref, Text, Time};

use crate::console::choices::{
    AUCTION_STATUSES, COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, CONDITIONS, LISTING_STATUSES,
    NOTIFICATION_TYPES, ORDER_STATUSES, ORDER_TYPES, PAYMENT_METHODS, PAYMENT_STATUSES, RATINGS,
    ROLES, SELLER_ROLES, TRANSFER_STATUSES,
};

/// The list page of `entity`.
pub fn spec(entity: Entity) -> Spec {
    use Choices::{Fixed, Lookup, Since, YesNo};
    match entity {
        Entity::Users => Spec {
            columns: const {
                &[
                    col("username", "Username", Text),
                    col("email", "Email", Text),
                    col("role", "Role", Badge),
                    col("blocked", "Blocked", Bool),
                    col("failed_payments", "Failed payments", Number),
                    col("orders", "Total orders", Number),
                    col("spent", "Total spent", Money),
                    col("joined", "Joined", Time),
                    col("last_login", "Last login", Time),
                ]
            },
            filters: const {
                &[
                    filter("role", "Role", Fixed(ROLES)),
                    filter("blocked", "Blocked", YesNo),
                    filter("staff", "Staff", YesNo),
                    filter("superuser", "Superuser", YesNo),
                    filter("joined", "Joined", Since),
                ]
            },
            search: "username, email, first or last name, phone",
            drill: None,
            actions: const { &[Action::Block, Action::Unblock, Action::ResetFailedPayments] },
        },
        Entity::Provinces => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("name", "Name", Text),
                    col("cities", "Cities", Number),
                ]
            },
            filters: const { &[] },
            search: "name",
            drill: None,
            actions: const { &[] },
        },
        Entity::Cities => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("name", "Name", Text),
                    col("province", "Province", Ref(Entity::Provinces)),
                ]
            },
            filters: const { &[filter("province", "Province", Lookup(Entity::Provinces))] },
            search: "name",
            drill: None,
            actions: const { &[] },
        },
        Entity::Addresses => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("user", "User", Ref(Entity::Users)),
                    col("street", "Street", Text),
                    col("city", "City", Text),
                    col("postal_code", "Postal code", Text),
                    col("default", "Default", Bool),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("default", "Default", YesNo),
                    filter("province", "Province", Lookup(Entity::Provinces)),
                    filter("created", "Created", Since),
                ]
            },
            search: "username, street, city",
            drill: None,
            actions: const { &[Action::SetDefault] },
        },
        Entity::Categories => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("name", "Name", Text),
                    col("parent", "Parent", Ref(Entity::Categories)),
                    col("products", "Products", Number),
                    col("has_children", "Has subcategories", Bool),
                ]
            },
            filters: const { &[filter("parent", "Parent", Lookup(Entity::Categories))] },
            search: "name, description",
            drill: None,
            actions: const { &[] },
        },
        Entity::Products => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("name", "Name", Text),
                    col("seller", "Seller", Ref(Entity::Users)),
                    col("category", "Category", Ref(Entity::Categories)),
                    col("condition", "Condition", Badge),
                    col("listing_type", "Listing type", Badge),
                    col("price", "Price", Money),
                    col("status", "Status", Badge),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("condition", "Condition", Fixed(CONDITIONS)),
                    filter("category", "Category", Lookup(Entity::Categories)),
                    filter("created", "Created", Since),
                    filter("seller_role", "Seller role", Fixed(SELLER_ROLES)),
                ]
            },
            search: "name, description, seller username",
            drill: Some("created"),
            actions: const { &[] },
        },
        Entity::Auctions => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("product", "Product", Ref(Entity::Products)),
                    col("starting_price", "Starting price", Money),
                    col("current_price", "Current price", Money),
                    col("bids", "Bids", Number),
                    col("status", "Status", Badge),
                    col("time_remaining", "Time remaining", Text),
                    col("winner", "Winner", Ref(Entity::Users)),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("status", "Status", Fixed(AUCTION_STATUSES)),
                    filter("has_bids", "Has bids", YesNo),
                    filter("start", "Start", Since),
                    filter("end", "End", Since),
                    filter("created", "Created", Since),
                ]
            },
            search: "product name, winner username, seller username",
            drill: Some("start"),
            actions: const { &[Action::EndAuction, Action::CancelAuction] },
        },
        Entity::Bids => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("auction", "Auction", Ref(Entity::Auctions)),
                    col("product", "Product", Text),
                    col("bidder", "Bidder", Ref(Entity::Users)),
                    col("amount", "Amount", Money),
                    col("time", "Time", Time),
                    col("winning", "Winning", Bool),
                    col("rank", "Rank", Number),
                ]
            },
            filters: const {
                &[
                    filter("winning", "Winning", YesNo),
                    filter("time", "Time", Since),
                ]
            },
            search: "product name, bidder username",
            drill: Some("time"),
            actions: const { &[] },
        },
        Entity::Listings => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("product", "Product", Ref(Entity::Products)),
                    col("price", "Price", Money),
                    col("discounted_price", "Discounted price", Money),
                    col("quantity", "Quantity", Number),
                    col("status", "Status", Badge),
                    col("featured", "Featured", Bool),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("status", "Status", Fixed(LISTING_STATUSES)),
                    filter("featured", "Featured", YesNo),
                    filter("created", "Created", Since),
                ]
            },
            search: "product name, seller username",
            drill: Some("created"),
            actions: const {
                &[
                    Action::Feature,
                    Action::Unfeature,
                    Action::Activate,
                    Action::Deactivate,
                ]
            },
        },
        Entity::Orders => Spec {
            columns: const {
                &[
                    col("number", "Number", Text),
                    col("buyer", "Buyer", Ref(Entity::Users)),
                    col("seller", "Seller", Text),
                    col("type", "Type", Badge),
                    col("total", "Total", Money),
                    col("platform_fee", "Platform fee", Money),
                    col("status", "Status", Badge),
                    col("payment_status", "Payment status", Badge),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("type", "Type", Fixed(ORDER_TYPES)),
                    filter("status", "Status", Fixed(ORDER_STATUSES)),
                    filter("created", "Created", Since),
                    filter("paid", "Paid", Since),
                ]
            },
            search: "number, buyer, seller, product",
            drill: Some("created"),
            actions: const { &[Action::MarkPaid, Action::MarkShipped, Action::CancelOrder] },
        },
        Entity::OrderItems => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("order", "Order", Ref(Entity::Orders)),
                    col("product", "Product", Ref(Entity::Products)),
                    col("seller", "Seller", Ref(Entity::Users)),
                    col("quantity", "Quantity", Number),
                    col("unit_price", "Unit price", Money),
                    col("subtotal", "Subtotal", Money),
                    col("shipped", "Shipped", Bool),
                ]
            },
            filters: const {
                &[
                    filter("shipped", "Shipped", YesNo),
                    filter("created", "Created", Since),
                    filter("shipped_at", "Shipped at", Since),
                ]
            },
            search: "order number, product, seller",
            drill: None,
            actions: const { &[Action::MarkItemShipped] },
        },
        Entity::Payments => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("order", "Order", Ref(Entity::Orders)),
                    col("amount", "Amount", Money),
                    col("status", "Status", Badge),
                    col("method", "Method", Text),
                    col("created", "Created", Time),
                    col("completed", "Completed", Time),
                    col("duration", "Duration", Text),
                ]
            },
            filters: const {
                &[
                    filter("status", "Status", Fixed(PAYMENT_STATUSES)),
                    filter("method", "Method", Fixed(PAYMENT_METHODS)),
                    filter("created", "Created", Since),
                ]
            },
            search: "order number, payment intent id",
            drill: Some("created"),
            actions: const { &[] },
        },
        Entity::Transfers => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("order", "Order", Ref(Entity::Orders)),
                    col("seller", "Seller", Ref(Entity::Users)),
                    col("amount", "Amount", Money),
                    col("platform_fee", "Platform fee", Money),
                    col("net", "Net", Money),
                    col("status", "Status", Badge),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("status", "Status", Fixed(TRANSFER_STATUSES)),
                    filter("created", "Created", Since),
                    filter("completed", "Completed", Since),
                ]
            },
            search: "seller, transfer id, order number",
            drill: Some("created"),
            actions: const { &[Action::RetryTransfer] },
        },
        Entity::Feedbacks => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("order", "Order", Ref(Entity::Orders)),
                    col("buyer", "Buyer", Ref(Entity::Users)),
                    col("seller", "Seller", Ref(Entity::Users)),
                    col("seller_rating", "Seller rating", Number),
                    col("platform_rating", "Platform rating", Number),
                    col("average", "Average", Text),
                ]
            },
            filters: const {
                &[
                    filter("seller_rating", "Seller rating", Fixed(RATINGS)),
                    filter("platform_rating", "Platform rating", Fixed(RATINGS)),
                    filter("as_described", "As described", YesNo),
                    filter("created", "Created", Since),
                ]
            },
            search: "buyer, seller, order number",
            drill: Some("created"),
            actions: const { &[] },
        },
        Entity::Conversations => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("buyer", "Buyer", Ref(Entity::Users)),
                    col("seller", "Seller", Ref(Entity::Users)),
                    col("product", "Product", Ref(Entity::Products)),
                    col("messages", "Messages", Number),
                    col("last_message", "Last message", Time),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("created", "Created", Since),
                    filter("updated", "Updated", Since),
                ]
            },
            search: "buyer, seller, product",
            drill: None,
            actions: const { &[] },
        },
        Entity::Messages => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("conversation", "Conversation", Ref(Entity::Conversations)),
                    col("sender", "Sender", Ref(Entity::Users)),
                    col("preview", "Preview", Text),
                    col("read", "Read", Bool),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("read", "Read", YesNo),
                    filter("created", "Created", Since),
                ]
            },
            search: "sender, content, buyer",
            drill: Some("created"),
            actions: const { &[Action::MarkMessageRead, Action::MarkMessageUnread] },
        },
        Entity::Notifications => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("user", "User", Ref(Entity::Users)),
                    col("type", "Type", Badge),
                    col("title", "Title", Text),
                    col("read", "Read", Bool),
                    col("emailed", "Emailed", Bool),
                ]
            },
            filters: const {
                &[
                    filter("type", "Type", Fixed(NOTIFICATION_TYPES)),
                    filter("read", "Read", YesNo),
                    filter("emailed", "Emailed", YesNo),
                    filter("created", "Created", Since),
                ]
            },
            search: "user, title, message",
            drill: Some("created"),
            actions: const { &[Action::MarkNotificationRead, Action::SendEmails] },
        },
        Entity::Complaints => Spec {
            columns: const {
                &[
                    col("number", "Number", Text),
                    col("user", "User", Ref(Entity::Users)),
                    col("category", "Category", Badge),
                    col("subject", "Subject", Text),
                    col("status", "Status", Badge),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("category", "Category", Fixed(COMPLAINT_CATEGORIES)),
                    filter("status", "Status", Fixed(COMPLAINT_STATUSES)),
                    filter("created", "Created", Since),
                ]
            },
            search: "number, user, subject, description",
            drill: Some("created"),
            actions: const {
                &[
                    Action::ComplaintInProgress,
                    Action::ComplaintResolved,
                    Action::ComplaintClosed,
                ]
            },
        },
        Entity::PaymentViolations => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("user", "User", Ref(Entity::Users)),
                    col("order", "Order", Ref(Entity::Orders)),
                    col("product", "Auction's product", Text),
                    col("deadline", "Deadline", Time),
                    col("date", "Date", Time),
                    col("days_overdue", "Days overdue", Number),
                ]
            },
            filters: const {
                &[
                    filter("date", "Date", Since),
                    filter("deadline", "Deadline", Since),
                ]
            },
            search: "user, order number, product",
            drill: Some("date"),
            actions: const { &[] },
        },
        Entity::SellerProfiles => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("user", "User", Ref(Entity::Users)),
                    col("brand", "Brand", Text),
                    col("verified", "Verified", Bool),
                    col("rating", "Average rating", Text),
                    col("feedbacks", "Feedback count", Number),
                ]
            },
            filters: const {
                &[
                    filter("verified", "Verified", YesNo),
                    filter("created", "Created", Since),
                ]
            },
            search: "user, brand, address, biography",
            drill: None,
            actions: const { &[Action::Verify, Action::Unverify, Action::UpdateRatings] },
        },
        Entity::Wishlist => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("user", "User", Ref(Entity::Users)),
                    col("product", "Product", Ref(Entity::Products)),
                    col("product_status", "Product status", Badge),
                    col("price", "Price", Money),
                    col("created", "Created", Time),
                ]
            },
            filters: const { &[filter("created", "Created", Since)] },
            search: "user, product",
            drill: None,
            actions: const { &[] },
        },
        Entity::Reviews => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("product", "Product", Ref(Entity::Products)),
                    col("buyer", "Buyer", Ref(Entity::Users)),
                    col("rating", "Rating", Number),
                    col("title", "Title", Text),
                    col("verified", "Verified purchase", Bool),
                    col("created", "Created", Time),
                ]
            },
            filters: const {
                &[
                    filter("rating", "Rating", Fixed(RATINGS)),
                    filter("verified", "Verified purchase", YesNo),
                    filter("created", "Created", Since),
                ]
            },
            search: "product, buyer, title, comment",
            drill: None,
            actions: const { &[Action::VerifyPurchases] },
        },
        Entity::Carts => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("user", "User", Ref(Entity::Users)),
                    col("items", "Items", Number),
                    col("value", "Value", Money),
                    col("created", "Created", Time),
                    col("updated", "Updated", Time),
                ]
            },
            filters: const { &[] },
            search: "user",
            drill: None,
            actions: const { &[] },
        },
        Entity::CartItems => Spec {
            columns: const {
                &[
                    col("id", "ID", Number),
                    col("user", "User", Ref(Entity::Users)),
                    col("listing", "Listing", Ref(Entity::Listings)),
                    col("quantity", "Quantity", Number),
                    col("unit_price", "Unit price", Money),
                    col("subtotal", "Subtotal", Money),
                    col("available", "Available", Bool),
                    col("added", "Added", Time),
                ]
            },
            filters: const {
                &[
                    filter("added", "Added", Since),
                    filter("updated", "Updated", Since),
                ]
            },
            search: "user, product",
            drill: None,
            actions: const { &[] },
        },
    }
}
