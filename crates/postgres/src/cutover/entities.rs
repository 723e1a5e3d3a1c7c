//! Which of our tables come from which of the old service's, column by column. Money is cast to
//! text on the source side so amounts stay exact; statuses carry the same names on both sides.

use madeinpk_domain::cutover::catalog::image_path;
use serde_json::Value;

use super::copy::Spec;

/// Reference data: the source's rows replace our seeded ones.
pub(super) const REFERENCE: &[Spec] = &[
    Spec {
        entity: "provinces",
        source_table: "provinces",
        select: "SELECT id, name FROM provinces",
        columns: &["id", "name"],
        check: None,
        sums: &[],
        in_use: "EXISTS (SELECT 1 FROM cities WHERE province_id = $1)",
        parents: &[],
    },
    Spec {
        entity: "cities",
        source_table: "cities",
        select: "SELECT id, name, province_id FROM cities",
        columns: &["id", "name", "province_id"],
        check: None,
        sums: &[],
        in_use: "EXISTS (SELECT 1 FROM addresses WHERE city_id = $1)",
        parents: &[("province_id", "provinces")],
    },
    Spec {
        entity: "categories",
        source_table: "categories",
        select: "SELECT id, name, description, parent_id FROM categories",
        columns: &["id", "name", "description", "parent_id"],
        check: None,
        sums: &[],
        in_use: "EXISTS (SELECT 1 FROM products WHERE category_id = $1)
                 OR EXISTS (SELECT 1 FROM categories c WHERE c.parent_id = $1)",
        parents: &[("parent_id", "categories")],
    },
];

fn image_row(row: &Value) -> Result<(), String> {
    image_path(row.get("path").and_then(Value::as_str)).map(|_| ())
}

/// Everything else copied so far, in dependency order.
pub(super) const COPIED: &[Spec] = &[
    Spec {
        entity: "addresses",
        source_table: "addresses",
        select: "SELECT id, user_id, street_address, city_id, postal_code, is_default, created_at,
                        created_at AS updated_at
                 FROM addresses",
        columns: &[
            "id", "user_id", "street_address", "city_id", "postal_code", "is_default",
            "created_at", "updated_at",
        ],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("user_id", "users"), ("city_id", "cities")],
    },
    Spec {
        entity: "seller_profiles",
        source_table: "seller_profiles",
        select: "SELECT id, user_id, brand_name, biography, business_address_text,
                        business_address_id_id AS business_address_id, business_phone, website,
                        social_media_links, is_verified, average_rating::text AS average_rating,
                        total_feedbacks, created_at, updated_at
                 FROM seller_profiles",
        columns: &[
            "id", "user_id", "brand_name", "biography", "business_address_text",
            "business_address_id", "business_phone", "website", "social_media_links",
            "is_verified", "average_rating", "total_feedbacks", "created_at", "updated_at",
        ],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("user_id", "users"), ("business_address_id", "addresses")],
    },
    Spec {
        entity: "products",
        source_table: "products",
        // How a product is sold follows from its listing or auction (neither: not yet).
        select: "SELECT p.id, p.seller_id, p.category_id, p.name, p.description, p.condition,
                        CASE WHEN EXISTS (SELECT 1 FROM auction_listings a WHERE a.product_id = p.id)
                             THEN 'auction'
                             WHEN EXISTS (SELECT 1 FROM fixed_price_listings l WHERE l.product_id = p.id)
                             THEN 'fixed_price' END AS listing_type,
                        p.created_at, p.updated_at
                 FROM products p",
        columns: &[
            "id", "seller_id", "category_id", "name", "description", "condition",
            "listing_type", "created_at", "updated_at",
        ],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("seller_id", "users"), ("category_id", "categories")],
    },
    Spec {
        entity: "product_images",
        source_table: "product_images",
        select: "SELECT id, product_id, image AS path, is_primary, \"order\" AS position
                 FROM product_images",
        columns: &["id", "product_id", "path", "is_primary", "position"],
        check: Some(image_row),
        sums: &[],
        in_use: "false",
        parents: &[("product_id", "products")],
    },
    Spec {
        entity: "listings",
        source_table: "fixed_price_listings",
        select: "SELECT id, product_id, price::text AS price, quantity, status, featured,
                        discount_percentage::text AS discount_percentage, discount_start_date,
                        discount_end_date, created_at, updated_at
                 FROM fixed_price_listings",
        columns: &[
            "id", "product_id", "price", "quantity", "status", "featured",
            "discount_percentage", "discount_start_date", "discount_end_date", "created_at",
            "updated_at",
        ],
        check: None,
        sums: &[(
            "sum(price)",
            "SELECT COALESCE(sum(price), 0)::text AS total FROM fixed_price_listings",
            "SELECT COALESCE(sum(price), 0)::text AS total FROM listings",
        ), (
            "sum(quantity)",
            "SELECT COALESCE(sum(quantity), 0)::text AS total FROM fixed_price_listings",
            "SELECT COALESCE(sum(quantity), 0)::text AS total FROM listings",
        )],
        in_use: "false",
        parents: &[("product_id", "products")],
    },
    Spec {
        entity: "auctions",
        source_table: "auction_listings",
        // The leader is the highest bid's bidder (earliest first on a tie).
        select: "SELECT a.id, a.product_id, a.starting_price::text AS starting_price,
                        a.current_price::text AS current_price, a.start_time, a.end_time,
                        a.status, a.winner_id,
                        (SELECT count(*) FROM bids b WHERE b.auction_id = a.id) AS total_bids,
                        (SELECT b.bidder_id FROM bids b WHERE b.auction_id = a.id
                         ORDER BY b.amount DESC, b.bid_time, b.id LIMIT 1) AS leader_id,
                        a.created_at, a.updated_at
                 FROM auction_listings a",
        columns: &[
            "id", "product_id", "starting_price", "current_price", "start_time", "end_time",
            "status", "winner_id", "total_bids", "leader_id", "created_at", "updated_at",
        ],
        check: None,
        sums: &[(
            "sum(current_price)",
            "SELECT COALESCE(sum(current_price), 0)::text AS total FROM auction_listings",
            "SELECT COALESCE(sum(current_price), 0)::text AS total FROM auctions",
        )],
        in_use: "false",
        parents: &[("product_id", "products"), ("winner_id", "users"), ("leader_id", "users")],
    },
    Spec {
        entity: "bids",
        source_table: "bids",
        // Outbid notices of the old service were its own to send.
        select: "SELECT id, auction_id, bidder_id, amount::text AS amount, bid_time,
                        true AS outbid_notified
                 FROM bids",
        columns: &["id", "auction_id", "bidder_id", "amount", "bid_time", "outbid_notified"],
        check: None,
        sums: &[(
            "sum(amount)",
            "SELECT COALESCE(sum(amount), 0)::text AS total FROM bids",
            "SELECT COALESCE(sum(amount), 0)::text AS total FROM bids",
        )],
        in_use: "false",
        parents: &[("auction_id", "auctions"), ("bidder_id", "users")],
    },
    Spec {
        entity: "wishlist_items",
        source_table: "wishlists",
        select: "SELECT id, user_id, product_id, notes, created_at FROM wishlists",
        columns: &["id", "user_id", "product_id", "notes", "created_at"],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("user_id", "users"), ("product_id", "products")],
    },
    Spec {
        entity: "carts",
        source_table: "carts",
        select: "SELECT id, user_id, created_at, updated_at FROM carts",
        columns: &["id", "user_id", "created_at", "updated_at"],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("user_id", "users")],
    },
    Spec {
        entity: "cart_items",
        source_table: "cart_items",
        // The old service held no stock for carts: lines come across holding none.
        select: "SELECT id, cart_id, listing_id, quantity, added_at, updated_at FROM cart_items",
        columns: &["id", "cart_id", "listing_id", "quantity", "added_at", "updated_at"],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("cart_id", "carts"), ("listing_id", "listings")],
    },
    Spec {
        entity: "conversations",
        source_table: "conversations",
        select: "SELECT id, buyer_id, seller_id, product_id, created_at, updated_at
                 FROM conversations",
        columns: &["id", "buyer_id", "seller_id", "product_id", "created_at", "updated_at"],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("buyer_id", "users"), ("seller_id", "users"), ("product_id", "products")],
    },
    Spec {
        entity: "messages",
        source_table: "messages",
        select: "SELECT id, conversation_id, sender_id, content, is_read, created_at FROM messages",
        columns: &["id", "conversation_id", "sender_id", "content", "is_read", "created_at"],
        check: None,
        sums: &[],
        in_use: "false",
        parents: &[("conversation_id", "conversations"), ("sender_id", "users")],
    },
];
