//! Console list sources of orders and money: orders, lines, payments, payouts, carts.

use madeinpk_domain::console::entity::Entity;

use crate::console::source::Source;

/// The source of `entity`, one of this group's.
pub(crate) fn source(entity: Entity) -> Option<Source> {
    Some(match entity {
        Entity::Orders => Source {
            table: "orders",
            from: "orders o JOIN users b ON b.id = o.buyer_id LEFT JOIN users s ON s.id = o.seller_id",
            id: "o.id",
            columns: &[
                ("number", "o.order_number"),
                ("buyer", "b.id|b.username"),
                (
                    "seller",
                    "coalesce(s.username, (SELECT CASE WHEN count(*) > 1 \
                        THEN 'Multi-seller (' || count(*) || ')' ELSE min(su.username) END \
                     FROM order_sellers os JOIN users su ON su.id = os.seller_id \
                     WHERE os.order_id = o.id), '')",
                ),
                ("type", "o.order_type"),
                ("total", "o.total_amount"),
                ("platform_fee", "o.platform_fee"),
                ("status", "o.status"),
                (
                    "payment_status",
                    "coalesce((SELECT py.status FROM payments py WHERE py.order_id = o.id \
                     ORDER BY py.id DESC LIMIT 1), 'none')",
                ),
                ("created", "o.created_at"),
            ],
            search: &[
                "o.order_number ILIKE {q}",
                // Semi-joins, each built once per query (hashed), the product name through
                // its trigram index: no per-order subquery over the lines.
                "o.buyer_id IN (SELECT u.id FROM users u WHERE u.username ILIKE {q})",
                "o.seller_id IN (SELECT u.id FROM users u WHERE u.username ILIKE {q})",
                "o.id IN (SELECT oi.order_id FROM order_items oi WHERE oi.product_name ILIKE {q})",
                "o.id IN (SELECT oi.order_id FROM order_items oi JOIN users u ON u.id = oi.seller_id \
                 WHERE u.username ILIKE {q})",
            ],
            filters: &[
                ("type", "o.order_type"),
                ("status", "o.status"),
                ("created", "o.created_at"),
                ("paid", "o.paid_at"),
            ],
            drill: Some("o.created_at"),
        },
        Entity::OrderItems => Source {
            table: "order_items",
            from: "order_items oi JOIN orders o ON o.id = oi.order_id JOIN users s ON s.id = oi.seller_id",
            id: "oi.id",
            columns: &[
                ("id", "oi.id"),
                ("order", "o.id|o.order_number"),
                ("product", "oi.product_id|oi.product_name"),
                ("seller", "s.id|s.username"),
                ("quantity", "oi.quantity"),
                ("unit_price", "oi.unit_price"),
                ("subtotal", "oi.subtotal"),
                ("shipped", "oi.is_shipped"),
            ],
            search: &[
                "o.order_number ILIKE {q}",
                "oi.product_name ILIKE {q}",
                "s.username ILIKE {q}",
            ],
            filters: &[
                ("shipped", "oi.is_shipped"),
                ("created", "oi.created_at"),
                ("shipped_at", "oi.shipped_at"),
            ],
            drill: None,
        },
        Entity::Payments => Source {
            table: "payments",
            from: "payments py JOIN orders o ON o.id = py.order_id",
            id: "py.id",
            columns: &[
                ("id", "py.id"),
                ("order", "o.id|o.order_number"),
                ("amount", "py.amount"),
                ("status", "py.status"),
                ("method", "'card'"),
                ("created", "py.created_at"),
                ("completed", "py.completed_at"),
                (
                    "duration",
                    "coalesce(to_char(py.completed_at - py.created_at, 'HH24:MI:SS'), '')",
                ),
            ],
            search: &[
                "o.order_number ILIKE {q}",
                "coalesce(py.payment_intent_id, '') ILIKE {q}",
            ],
            filters: &[
                ("status", "py.status"),
                ("method", "'card'"),
                ("created", "py.created_at"),
            ],
            drill: Some("py.created_at"),
        },
        Entity::Transfers => Source {
            table: "seller_transfers",
            from: "seller_transfers t JOIN orders o ON o.id = t.order_id JOIN users s ON s.id = t.seller_id",
            id: "t.id",
            columns: &[
                ("id", "t.id"),
                ("order", "o.id|o.order_number"),
                ("seller", "s.id|s.username"),
                // `amount` is stored net of the fee: the seller's share before it is the sum.
                ("amount", "t.amount + t.platform_fee"),
                ("platform_fee", "t.platform_fee"),
                ("net", "t.amount"),
                ("status", "t.status"),
                ("created", "t.created_at"),
            ],
            search: &[
                "s.username ILIKE {q}",
                "t.stripe_transfer_id ILIKE {q}",
                "o.order_number ILIKE {q}",
            ],
            filters: &[
                ("status", "t.status"),
                ("created", "t.created_at"),
                ("completed", "t.completed_at"),
            ],
            drill: Some("t.created_at"),
        },
        Entity::Carts => Source {
            table: "carts",
            from: "carts ct JOIN users u ON u.id = ct.user_id",
            id: "ct.id",
            columns: &[
                ("id", "ct.id"),
                ("user", "u.id|u.username"),
                (
                    "items",
                    "(SELECT coalesce(sum(ci.quantity), 0) FROM cart_items ci WHERE ci.cart_id = ct.id)",
                ),
                (
                    "value",
                    "(SELECT coalesce(sum(ci.quantity * l.price), 0) FROM cart_items ci \
                     JOIN listings l ON l.id = ci.listing_id WHERE ci.cart_id = ct.id)",
                ),
                ("created", "ct.created_at"),
                ("updated", "ct.updated_at"),
            ],
            search: &["u.username ILIKE {q}"],
            filters: &[],
            drill: None,
        },
        Entity::CartItems => Source {
            table: "cart_items",
            from: "cart_items ci JOIN carts ct ON ct.id = ci.cart_id JOIN users u ON u.id = ct.user_id \
                   JOIN listings l ON l.id = ci.listing_id JOIN products p ON p.id = l.product_id",
            id: "ci.id",
            columns: &[
                ("id", "ci.id"),
                ("user", "u.id|u.username"),
                ("listing", "l.id|p.name"),
                ("quantity", "ci.quantity"),
                ("unit_price", "l.price"),
                ("subtotal", "ci.quantity * l.price"),
                (
                    "available",
                    "(l.status = 'active' AND l.quantity - l.reserved_quantity + ci.held >= ci.quantity)",
                ),
                ("added", "ci.added_at"),
            ],
            search: &["u.username ILIKE {q}", "p.name ILIKE {q}"],
            filters: &[("added", "ci.added_at"), ("updated", "ci.updated_at")],
            drill: None,
        },
        _ => return None,
    })
}
