//! Payment violations: an auction win left unpaid (deadline passed, or the payment failed)
//! counts once against the winner; at the configured count (3 by default) the account is
//! blocked and the winner told by email.

use crate::account::user::Role;
use crate::notification::model::{NewNotification, NotificationType};
use crate::order::checkout::Party;
use crate::order::model::{Order, OrderType};
use crate::outbox::Outbox;

/// Unpaid auction orders before an account is blocked, as the original.
pub const BLOCK_AFTER: i32 = 3;

/// What recording one violation did to the winner's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation {
    /// The winner's unpaid auction orders so far, this one included.
    pub count: i32,
    /// This violation blocked the account (it was not blocked before).
    pub blocked_now: bool,
}

/// Whether the `count`th violation blocks an account, given the limit.
pub const fn blocks(count: i32, block_after: i32) -> bool {
    block_after > 0 && count >= block_after
}

/// Only an unpaid auction win counts against its winner; other orders that lapse do not.
pub const fn counts_against_buyer(kind: OrderType) -> bool {
    matches!(kind, OrderType::Auction)
}

/// The limit in force: the configured one, or [`BLOCK_AFTER`].
pub fn limit(configured: Option<i32>) -> i32 {
    configured.unwrap_or(BLOCK_AFTER)
}

/// The winner's account as one more violation is recorded against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Their unpaid auction wins, this one included.
    pub count: i32,
    /// Already blocked (by an admin or an earlier violation).
    pub blocked: bool,
    /// Their role.
    pub role: Role,
}

/// What recording the violation does: the count is always kept; the account is blocked now
/// when the count reaches the limit, unless it already is or it is an admin's (admins are
/// never blocked, as by moderation).
pub fn record(standing: Standing, block_after: i32) -> Violation {
    Violation {
        count: standing.count,
        blocked_now: !standing.blocked
            && !standing.role.is_admin()
            && blocks(standing.count, block_after),
    }
}

/// The notices of a violation: the winner is told it was counted, and, when it blocked them,
/// that the account is blocked (in-app and by email).
pub fn violation_outbox(order: &Order, buyer: &Party, v: Violation, block_after: i32) -> Outbox {
    let tally = if block_after > 0 {
        format!("{} of {block_after}", v.count)
    } else {
        v.count.to_string()
    };
    let mut counted = NewNotification::new(
        buyer.id,
        NotificationType::General,
        "Auction payment missed",
        format!(
            "Order {} was not paid and is cancelled. Unpaid auction wins: {tally}.",
            order.number
        ),
    );
    counted.order_id = Some(order.id.get());
    counted.auction_id = order.auction.map(crate::ids::AuctionId::get);
    let out = Outbox::new().notify(counted);
    if !v.blocked_now {
        return out;
    }
    let reason = format!("{} auction wins were left unpaid.", v.count);
    let blocked = crate::account::moderation::blocked_outbox(buyer, &reason);
    Outbox {
        notices: out.notices.into_iter().chain(blocked.notices).collect(),
        jobs: out.jobs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_third_unpaid_win_blocks_once_and_never_an_admin() {
        let at = |count, blocked, role| {
            record(
                Standing {
                    count,
                    blocked,
                    role,
                },
                3,
            )
        };
        assert!(!at(2, false, Role::Buyer).blocked_now);
        assert!(at(3, false, Role::Buyer).blocked_now);
        assert!(at(3, false, Role::Seller).blocked_now);
        assert!(!at(4, true, Role::Buyer).blocked_now, "already blocked");
        let admin = at(5, false, Role::Admin);
        assert_eq!((admin.count, admin.blocked_now), (5, false));
        assert!(
            !record(
                Standing {
                    count: 9,
                    blocked: false,
                    role: Role::Buyer
                },
                0
            )
            .blocked_now
        );
        assert_eq!(limit(None), BLOCK_AFTER);
        assert!(counts_against_buyer(OrderType::Auction));
        assert!(
            !counts_against_buyer(OrderType::Cart) && !counts_against_buyer(OrderType::FixedPrice)
        );
    }
    use crate::fixtures::order;
    use crate::ids::UserId;
    use crate::notification::email::EmailMessage;

    fn buyer() -> Party {
        Party {
            id: UserId(5),
            username: "ayesha".into(),
            email: "ayesha@example.pk".into(),
        }
    }

    #[test]
    fn the_third_unpaid_win_blocks_and_not_before() {
        assert!(!blocks(1, BLOCK_AFTER));
        assert!(!blocks(2, BLOCK_AFTER));
        assert!(blocks(3, BLOCK_AFTER));
        assert!(blocks(4, BLOCK_AFTER));
        assert!(!blocks(10, 0), "0 turns blocking off");
    }

    #[test]
    fn a_blocking_violation_emails_the_winner_and_an_earlier_one_only_notifies() {
        let o = order(1, 1, 1);
        let counted = violation_outbox(
            &o,
            &buyer(),
            Violation {
                count: 1,
                blocked_now: false,
            },
            3,
        );
        assert_eq!(counted.notices.len(), 1);
        assert!(counted.notices[0].notification.message.contains("1 of 3"));
        assert!(counted.notices[0].email.is_none());
        let blocked = violation_outbox(
            &o,
            &buyer(),
            Violation {
                count: 3,
                blocked_now: true,
            },
            3,
        );
        assert_eq!(blocked.notices.len(), 2);
        let (to, message) = blocked.notices[1].email.as_ref().unwrap();
        assert_eq!(to, "ayesha@example.pk");
        assert!(matches!(
            message,
            EmailMessage::AccountBlocked { reason, .. } if reason.starts_with("3 auction wins")
        ));
    }
}
