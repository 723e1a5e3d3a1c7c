//! Console list sources of accounts, places and seller standing.

use madeinpk_domain::console::entity::Entity;

use crate::console::source::Source;

/// The source of `entity`, one of this group's.
pub(crate) fn source(entity: Entity) -> Option<Source> {
    Some(match entity {
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
        _ => return None,
    })
}
