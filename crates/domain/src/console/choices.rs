//! The fixed values the console's filters offer, `(stored value, label)`, as the schema allows them.

pub(crate) const ROLES: &[(&str, &str)] = &[
    ("buyer", "Buyer"),
    ("seller", "Seller"),
    ("both", "Buyer and seller"),
    ("admin", "Admin"),
];
pub(crate) const CONDITIONS: &[(&str, &str)] = &[
    ("new", "New"),
    ("like_new", "Like new"),
    ("good", "Good"),
    ("fair", "Fair"),
];
pub(crate) const AUCTION_STATUSES: &[(&str, &str)] = &[
    ("active", "Active"),
    ("ended", "Ended"),
    ("cancelled", "Cancelled"),
    ("completed", "Completed"),
];
pub(crate) const LISTING_STATUSES: &[(&str, &str)] = &[
    ("active", "Active"),
    ("inactive", "Inactive"),
    ("out_of_stock", "Out of stock"),
];
pub(crate) const ORDER_TYPES: &[(&str, &str)] = &[
    ("fixed_price", "Fixed price"),
    ("cart", "Cart"),
    ("auction", "Auction"),
];
pub(crate) const ORDER_STATUSES: &[(&str, &str)] = &[
    ("pending_payment", "Pending payment"),
    ("payment_failed", "Payment failed"),
    ("paid", "Paid"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
    ("partially_refunded", "Partially refunded"),
    ("refunded", "Refunded"),
];
pub(crate) const PAYMENT_STATUSES: &[(&str, &str)] = &[
    ("pending", "Pending"),
    ("processing", "Processing"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
    ("refunded", "Refunded"),
];
pub(crate) const PAYMENT_METHODS: &[(&str, &str)] = &[("card", "Card")];
pub(crate) const TRANSFER_STATUSES: &[(&str, &str)] = &[
    ("pending", "Pending"),
    ("processing", "Processing"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
    ("reversed", "Reversed"),
];
pub(crate) const RATINGS: &[(&str, &str)] = &[
    ("5", "5 stars"),
    ("4", "4 stars"),
    ("3", "3 stars"),
    ("2", "2 stars"),
    ("1", "1 star"),
];
pub(crate) const NOTIFICATION_TYPES: &[(&str, &str)] = &[
    ("bid_placed", "Bid placed"),
    ("bid_outbid", "Outbid"),
    ("auction_won", "Auction won"),
    ("auction_lost", "Auction lost"),
    ("auction_ended", "Auction ended"),
    ("payment_reminder", "Payment reminder"),
    ("payment_received", "Payment received"),
    ("order_shipped", "Order shipped"),
    ("order_delivered", "Order delivered"),
    ("feedback_request", "Feedback request"),
    ("message_received", "Message received"),
    ("account_blocked", "Account blocked"),
    ("general", "General"),
];
pub(crate) const COMPLAINT_CATEGORIES: &[(&str, &str)] = &[
    ("payment", "Payment"),
    ("seller", "Seller"),
    ("product", "Product"),
    ("platform", "Platform"),
    ("shipping", "Shipping"),
    ("other", "Other"),
];
pub(crate) const COMPLAINT_STATUSES: &[(&str, &str)] = &[
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
];
pub(crate) const SELLER_ROLES: &[(&str, &str)] =
    &[("seller", "Seller"), ("both", "Buyer and seller")];
