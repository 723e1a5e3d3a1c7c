//! Where each console list reads from: its FROM clause, one SQL expression per column and
//! filter of `madeinpk_domain::console::columns`, its search predicates and drilled date.
//! A `Ref` column's expression is `id expression|label expression`; a search predicate holds
//! `{q}` where the `%text%` pattern goes. Only constant SQL lives here: every value is bound.

use madeinpk_domain::console::entity::Entity;

pub(crate) use crate::console::source::Source;

const PRODUCT_STATUS: &str = "coalesce(l.status, a.status, 'unlisted')";
const PRODUCT_PRICE: &str = "coalesce(l.price, a.current_price)";

/// The source of `entity`.
pub(crate) fn source(entity: Entity) -> Source {
    match entity {
        Entity::Users => Source {
            table: "users",
            from: "users u",
            id: "u.id",
            columns: &[
                ("username", "u.username"),
                ("email", "u.email"),
                ("role", "u.role"),
                ("blocked", "u.is_blocked"),
                ("failed_payments", "u.failed_payment_count"),
                (
                    "orders",
                    "(SELECT count(*) FROM orders o WHERE o.buyer_id = u.id)",
                ),
                (
                    "spent",
                    "(SELECT coalesce(sum(o.total_amount), 0) FROM orders o WHERE o.buyer_id = u.id \
                     AND o.status IN ('paid', 'shipped', 'delivered', 'partially_refunded'))",
                ),
                ("joined", "u.created_at"),
                (
                    "last_login",
                    "(SELECT max(t.created_at) FROM api_tokens t WHERE t.user_id = u.id)",
                ),
            ],
            search: &[
                "u.username ILIKE {q}",
                "u.email ILIKE {q}",
                "u.first_name ILIKE {q}",
                "u.last_name ILIKE {q}",
                "u.phone_number ILIKE {q}",
            ],
            filters: &[
                ("role", "u.role"),
                ("blocked", "u.is_blocked"),
                ("staff", "(u.role = 'admin')"),
                ("superuser", "(u.role = 'admin')"),
                ("joined", "u.created_at"),
            ],
            drill: None,
        },
        Entity::Provinces => Source {
            table: "provinces",
            from: "provinces pr",
            id: "pr.id",
            columns: &[
                ("id", "pr.id"),
                ("name", "pr.name"),
                (
                    "cities",
                    "(SELECT count(*) FROM cities c WHERE c.province_id = pr.id)",
                ),
            ],
            search: &["pr.name ILIKE {q}"],
            filters: &[],
            drill: None,
        },
        Entity::Cities => Source {
            table: "cities",
            from: "cities c JOIN provinces pr ON pr.id = c.province_id",
            id: "c.id",
            columns: &[
                ("id", "c.id"),
                ("name", "c.name"),
                ("province", "pr.id|pr.name"),
            ],
            search: &["c.name ILIKE {q}"],
            filters: &[("province", "c.province_id")],
            drill: None,
        },
        Entity::Addresses => Source {
            table: "addresses",
            from: "addresses ad JOIN users u ON u.id = ad.user_id JOIN cities c ON c.id = ad.city_id",
            id: "ad.id",
            columns: &[
                ("id", "ad.id"),
                ("user", "u.id|u.username"),
                ("street", "ad.street_address"),
                ("city", "c.name"),
                ("postal_code", "ad.postal_code"),
                ("default", "ad.is_default"),
                ("created", "ad.created_at"),
            ],
            search: &[
                "u.username ILIKE {q}",
                "ad.street_address ILIKE {q}",
                "c.name ILIKE {q}",
            ],
            filters: &[
                ("default", "ad.is_default"),
                ("province", "c.province_id"),
                ("created", "ad.created_at"),
            ],
            drill: None,
        },
        Entity::Categories => Source {
            table: "categories",
            from: "categories cat LEFT JOIN categories par ON par.id = cat.parent_id",
            id: "cat.id",
            columns: &[
                ("id", "cat.id"),
                ("name", "cat.name"),
                ("parent", "par.id|par.name"),
                (
                    "products",
                    "(SELECT count(*) FROM products p WHERE p.category_id = cat.id)",
                ),
                (
                    "has_children",
                    "EXISTS (SELECT 1 FROM categories ch WHERE ch.parent_id = cat.id)",
                ),
            ],
            search: &["cat.name ILIKE {q}", "cat.description ILIKE {q}"],
            filters: &[("parent", "cat.parent_id")],
            drill: None,
        },
        Entity::Products => Source {
            table: "products",
            from: "products p JOIN users s ON s.id = p.seller_id \
                   LEFT JOIN categories cat ON cat.id = p.category_id \
                   LEFT JOIN listings l ON l.product_id = p.id \
                   LEFT JOIN auctions a ON a.product_id = p.id",
            id: "p.id",
            columns: &[
                ("id", "p.id"),
                ("name", "p.name"),
                ("seller", "s.id|s.username"),
                ("category", "cat.id|cat.name"),
                ("condition", "p.condition"),
                ("listing_type", "coalesce(p.listing_type, '')"),
                ("price", PRODUCT_PRICE),
                ("status", PRODUCT_STATUS),
                ("created", "p.created_at"),
            ],
            search: &[
                "p.name ILIKE {q}",
                "p.description ILIKE {q}",
                "s.username ILIKE {q}",
            ],
            filters: &[
                ("condition", "p.condition"),
                ("category", "p.category_id"),
                ("created", "p.created_at"),
                ("seller_role", "s.role"),
            ],
            drill: Some("p.created_at"),
        },
        Entity::Auctions => Source {
            table: "auctions",
            from: "auctions a JOIN products p ON p.id = a.product_id \
                   JOIN users s ON s.id = p.seller_id LEFT JOIN users w ON w.id = a.winner_id",
            id: "a.id",
            columns: &[
                ("id", "a.id"),
                ("product", "p.id|p.name"),
                ("starting_price", "a.starting_price"),
                ("current_price", "a.current_price"),
                ("bids", "a.total_bids"),
                ("status", "a.status"),
                (
                    "time_remaining",
                    "CASE WHEN a.status <> 'active' THEN '' WHEN a.end_time <= now() THEN 'ending' \
                     ELSE concat_ws(' ', \
                        nullif(date_part('day', a.end_time - now())::int, 0) || 'd', \
                        date_part('hour', a.end_time - now())::int || 'h', \
                        date_part('minute', a.end_time - now())::int || 'm') END",
                ),
                ("winner", "w.id|w.username"),
                ("created", "a.created_at"),
            ],
            search: &[
                "p.name ILIKE {q}",
                "w.username ILIKE {q}",
                "s.username ILIKE {q}",
            ],
            filters: &[
                ("status", "a.status"),
                ("has_bids", "(a.total_bids > 0)"),
                ("start", "a.start_time"),
                ("end", "a.end_time"),
                ("created", "a.created_at"),
            ],
            drill: Some("a.start_time"),
        },
        Entity::Bids => Source {
            table: "bids",
            from: "bids b JOIN auctions a ON a.id = b.auction_id \
                   JOIN products p ON p.id = a.product_id JOIN users u ON u.id = b.bidder_id",
            id: "b.id",
            columns: &[
                ("id", "b.id"),
                ("auction", "a.id|'#' || a.id"),
                ("product", "p.name"),
                ("bidder", "u.id|u.username"),
                ("amount", "b.amount"),
                ("time", "b.bid_time"),
                ("winning", "coalesce(a.winning_bid_id = b.id, false)"),
                (
                    "rank",
                    "(SELECT count(*) + 1 FROM bids b2 WHERE b2.auction_id = b.auction_id \
                     AND b2.amount > b.amount)",
                ),
            ],
            search: &["p.name ILIKE {q}", "u.username ILIKE {q}"],
            filters: &[
                ("winning", "coalesce(a.winning_bid_id = b.id, false)"),
                ("time", "b.bid_time"),
            ],
            drill: Some("b.bid_time"),
        },
        Entity::Listings => Source {
            table: "listings",
            from: "listings l JOIN products p ON p.id = l.product_id JOIN users s ON s.id = p.seller_id",
            id: "l.id",
            columns: &[
                ("id", "l.id"),
                ("product", "p.id|p.name"),
                ("price", "l.price"),
                // Raw parts; the adapter applies the domain's discount rule.
                (
                    "discounted_price",
                    "json_build_array(l.price::text, (l.discount_percentage * 100)::int, \
                     l.discount_start_date, l.discount_end_date)",
                ),
                ("quantity", "l.quantity"),
                ("status", "l.status"),
                ("featured", "l.featured"),
                ("created", "l.created_at"),
            ],
            search: &["p.name ILIKE {q}", "s.username ILIKE {q}"],
            filters: &[
                ("status", "l.status"),
                ("featured", "l.featured"),
                ("created", "l.created_at"),
            ],
            drill: Some("l.created_at"),
        },
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
                "b.username ILIKE {q}",
                "s.username ILIKE {q}",
                "EXISTS (SELECT 1 FROM order_items oi JOIN users su ON su.id = oi.seller_id \
                 WHERE oi.order_id = o.id AND (oi.product_name ILIKE {q} OR su.username ILIKE {q}))",
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
        Entity::Feedbacks => Source {
            table: "feedbacks",
            from: "feedbacks f JOIN orders o ON o.id = f.order_id \
                   JOIN users b ON b.id = f.buyer_id JOIN users s ON s.id = f.seller_id",
            id: "f.id",
            columns: &[
                ("id", "f.id"),
                ("order", "o.id|o.order_number"),
                ("buyer", "b.id|b.username"),
                ("seller", "s.id|s.username"),
                ("seller_rating", "f.seller_rating"),
                ("platform_rating", "f.platform_rating"),
                (
                    "average",
                    "to_char((f.seller_rating + f.platform_rating) / 2.0, 'FM0.0')",
                ),
            ],
            search: &[
                "b.username ILIKE {q}",
                "s.username ILIKE {q}",
                "o.order_number ILIKE {q}",
            ],
            filters: &[
                ("seller_rating", "f.seller_rating::text"),
                ("platform_rating", "f.platform_rating::text"),
                ("as_described", "f.product_as_described"),
                ("created", "f.created_at"),
            ],
            drill: Some("f.created_at"),
        },
        Entity::Conversations => Source {
            table: "conversations",
            from: "conversations cv JOIN users b ON b.id = cv.buyer_id \
                   JOIN users s ON s.id = cv.seller_id LEFT JOIN products p ON p.id = cv.product_id",
            id: "cv.id",
            columns: &[
                ("id", "cv.id"),
                ("buyer", "b.id|b.username"),
                ("seller", "s.id|s.username"),
                ("product", "p.id|p.name"),
                (
                    "messages",
                    "(SELECT count(*) FROM messages m WHERE m.conversation_id = cv.id)",
                ),
                (
                    "last_message",
                    "(SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = cv.id)",
                ),
                ("created", "cv.created_at"),
            ],
            search: &[
                "b.username ILIKE {q}",
                "s.username ILIKE {q}",
                "p.name ILIKE {q}",
            ],
            filters: &[("created", "cv.created_at"), ("updated", "cv.updated_at")],
            drill: None,
        },
        Entity::Messages => Source {
            table: "messages",
            from: "messages m JOIN conversations cv ON cv.id = m.conversation_id \
                   JOIN users u ON u.id = m.sender_id JOIN users b ON b.id = cv.buyer_id",
            id: "m.id",
            columns: &[
                ("id", "m.id"),
                ("conversation", "cv.id|'#' || cv.id"),
                ("sender", "u.id|u.username"),
                ("preview", "left(m.content, 60)"),
                ("read", "m.is_read"),
                ("created", "m.created_at"),
            ],
            search: &[
                "u.username ILIKE {q}",
                "m.content ILIKE {q}",
                "b.username ILIKE {q}",
            ],
            filters: &[("read", "m.is_read"), ("created", "m.created_at")],
            drill: Some("m.created_at"),
        },
        Entity::Notifications => Source {
            table: "notifications",
            from: "notifications n JOIN users u ON u.id = n.user_id",
            id: "n.id",
            columns: &[
                ("id", "n.id"),
                ("user", "u.id|u.username"),
                ("type", "n.notification_type"),
                ("title", "n.title"),
                ("read", "n.is_read"),
                ("emailed", "n.is_sent_via_email"),
            ],
            search: &[
                "u.username ILIKE {q}",
                "n.title ILIKE {q}",
                "n.message ILIKE {q}",
            ],
            filters: &[
                ("type", "n.notification_type"),
                ("read", "n.is_read"),
                ("emailed", "n.is_sent_via_email"),
                ("created", "n.created_at"),
            ],
            drill: Some("n.created_at"),
        },
        Entity::Complaints => Source {
            table: "complaints",
            from: "complaints c JOIN users u ON u.id = c.user_id",
            id: "c.id",
            columns: &[
                ("number", "c.complaint_number"),
                ("user", "u.id|u.username"),
                ("category", "c.category"),
                ("subject", "c.subject"),
                ("status", "c.status"),
                ("created", "c.created_at"),
            ],
            search: &[
                "c.complaint_number ILIKE {q}",
                "u.username ILIKE {q}",
                "c.subject ILIKE {q}",
                "c.description ILIKE {q}",
            ],
            filters: &[
                ("category", "c.category"),
                ("status", "c.status"),
                ("created", "c.created_at"),
            ],
            drill: Some("c.created_at"),
        },
        Entity::PaymentViolations => Source {
            table: "payment_violations",
            from: "payment_violations v JOIN users u ON u.id = v.user_id \
                   JOIN orders o ON o.id = v.order_id LEFT JOIN auctions a ON a.id = v.auction_id \
                   LEFT JOIN products p ON p.id = a.product_id",
            id: "v.id",
            columns: &[
                ("id", "v.id"),
                ("user", "u.id|u.username"),
                ("order", "o.id|o.order_number"),
                ("product", "coalesce(p.name, '')"),
                ("deadline", "v.payment_deadline"),
                ("date", "v.violation_date"),
                (
                    "days_overdue",
                    "greatest(0, date_part('day', now() - v.payment_deadline))::int",
                ),
            ],
            search: &[
                "u.username ILIKE {q}",
                "o.order_number ILIKE {q}",
                "p.name ILIKE {q}",
            ],
            filters: &[
                ("date", "v.violation_date"),
                ("deadline", "v.payment_deadline"),
            ],
            drill: Some("v.violation_date"),
        },
        Entity::SellerProfiles => Source {
            table: "seller_profiles",
            from: "seller_profiles sp JOIN users u ON u.id = sp.user_id",
            id: "sp.id",
            columns: &[
                ("id", "sp.id"),
                ("user", "u.id|u.username"),
                ("brand", "sp.brand_name"),
                ("verified", "sp.is_verified"),
                ("rating", "sp.average_rating::text"),
                ("feedbacks", "sp.total_feedbacks"),
            ],
            search: &[
                "u.username ILIKE {q}",
                "sp.brand_name ILIKE {q}",
                "sp.business_address_text ILIKE {q}",
                "sp.biography ILIKE {q}",
            ],
            filters: &[("verified", "sp.is_verified"), ("created", "sp.created_at")],
            drill: None,
        },
        Entity::Wishlist => Source {
            table: "wishlist_items",
            from: "wishlist_items wi JOIN users u ON u.id = wi.user_id \
                   JOIN products p ON p.id = wi.product_id \
                   LEFT JOIN listings l ON l.product_id = p.id LEFT JOIN auctions a ON a.product_id = p.id",
            id: "wi.id",
            columns: &[
                ("id", "wi.id"),
                ("user", "u.id|u.username"),
                ("product", "p.id|p.name"),
                ("product_status", PRODUCT_STATUS),
                ("price", PRODUCT_PRICE),
                ("created", "wi.created_at"),
            ],
            search: &["u.username ILIKE {q}", "p.name ILIKE {q}"],
            filters: &[("created", "wi.created_at")],
            drill: None,
        },
        Entity::Reviews => Source {
            table: "product_reviews",
            from: "product_reviews r JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.buyer_id",
            id: "r.id",
            columns: &[
                ("id", "r.id"),
                ("product", "p.id|p.name"),
                ("buyer", "u.id|u.username"),
                ("rating", "r.rating"),
                ("title", "r.title"),
                ("verified", "r.is_verified_purchase"),
                ("created", "r.created_at"),
            ],
            search: &[
                "p.name ILIKE {q}",
                "u.username ILIKE {q}",
                "r.title ILIKE {q}",
                "r.comment ILIKE {q}",
            ],
            filters: &[
                ("rating", "r.rating::text"),
                ("verified", "r.is_verified_purchase"),
                ("created", "r.created_at"),
            ],
            drill: None,
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
    }
}
