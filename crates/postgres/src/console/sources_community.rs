//! Console list sources of community: feedback, conversations, messages, notifications, complaints.

use madeinpk_domain::console::entity::Entity;

use crate::console::source::Source;

/// The source of `entity`, one of this group's.
pub(crate) fn source(entity: Entity) -> Option<Source> {
    Some(match entity {
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
        _ => return None,
    })
}
