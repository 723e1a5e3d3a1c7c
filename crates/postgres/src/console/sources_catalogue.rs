//! Console list sources of the catalogue: categories, products, listings, auctions, bids, wishlists, reviews.

use madeinpk_domain::console::entity::Entity;

use crate::console::source::Source;
use crate::console::sources::{PRODUCT_PRICE, PRODUCT_STATUS};

/// The source of `entity`, one of this group's.
pub(crate) fn source(entity: Entity) -> Option<Source> {
    Some(match entity {
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
        _ => return None,
    })
}
