//! The console's bulk actions and the row-by-row report of one run.

use std::fmt::Write as _;

use serde::Serialize;

/// A bulk action an operator can run on selected rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Action {
    /// Block accounts (the user is emailed).
    Block,
    /// Unblock accounts.
    Unblock,
    /// Reset unpaid-win counts.
    ResetFailedPayments,
    /// Make an address its owner's default.
    SetDefault,
    /// End an auction now: winner, order, emails.
    EndAuction,
    /// Cancel an auction without bids.
    CancelAuction,
    /// Feature a listing.
    Feature,
    /// Stop featuring a listing.
    Unfeature,
    /// Put a listing on sale.
    Activate,
    /// Take a listing off sale.
    Deactivate,
    /// Never done by hand: only the payment provider marks an order paid.
    MarkPaid,
    /// Ship every unshipped line of a paid order.
    MarkShipped,
    /// Cancel an unpaid order (its stock comes back).
    CancelOrder,
    /// Ship one order line.
    MarkItemShipped,
    /// Queue a failed payout again.
    RetryTransfer,
    /// Mark messages read.
    MarkMessageRead,
    /// Mark messages unread.
    MarkMessageUnread,
    /// Mark notifications read.
    MarkNotificationRead,
    /// Email notifications not emailed yet.
    SendEmails,
    /// Move complaints to "in progress".
    ComplaintInProgress,
    /// Resolve complaints.
    ComplaintResolved,
    /// Close complaints.
    ComplaintClosed,
    /// Give sellers the verified badge.
    Verify,
    /// Take the verified badge away.
    Unverify,
    /// Recompute sellers' ratings from their feedback.
    UpdateRatings,
    /// Mark reviews verified where the buyer bought the product.
    VerifyPurchases,
}

impl Action {
    /// `(form value, menu label, past participle for the report, cannot be undone)`.
    fn names(self) -> (&'static str, &'static str, &'static str, bool) {
        match self {
            Action::Block => ("block", "Block selected users", "blocked", true),
            Action::Unblock => ("unblock", "Unblock selected users", "unblocked", false),
            Action::ResetFailedPayments => (
                "reset_failed_payments",
                "Reset failed payments",
                "reset",
                true,
            ),
            Action::SetDefault => (
                "set_default",
                "Set as default address",
                "set as default",
                false,
            ),
            Action::EndAuction => ("end", "End selected auctions now", "ended", true),
            Action::CancelAuction => ("cancel", "Cancel selected auctions", "cancelled", true),
            Action::Feature => ("feature", "Feature", "featured", false),
            Action::Unfeature => ("unfeature", "Unfeature", "unfeatured", false),
            Action::Activate => ("activate", "Activate", "activated", false),
            Action::Deactivate => ("deactivate", "Deactivate", "deactivated", false),
            Action::MarkPaid => ("mark_paid", "Mark as paid", "marked paid", true),
            Action::MarkShipped | Action::MarkItemShipped => {
                ("mark_shipped", "Mark as shipped", "marked shipped", true)
            }
            Action::CancelOrder => ("cancel", "Cancel selected orders", "cancelled", true),
            Action::RetryTransfer => ("retry", "Retry failed transfers", "queued again", false),
            Action::MarkMessageRead | Action::MarkNotificationRead => {
                ("mark_read", "Mark as read", "marked read", false)
            }
            Action::MarkMessageUnread => ("mark_unread", "Mark as unread", "marked unread", false),
            Action::SendEmails => ("send_emails", "Send emails", "queued for email", true),
            Action::ComplaintInProgress => (
                "in_progress",
                "Mark in progress",
                "marked in progress",
                false,
            ),
            Action::ComplaintResolved => ("resolved", "Mark resolved", "resolved", true),
            Action::ComplaintClosed => ("closed", "Mark closed", "closed", true),
            Action::Verify => ("verify", "Verify sellers", "verified", false),
            Action::Unverify => ("unverify", "Unverify sellers", "unverified", false),
            Action::UpdateRatings => ("update_ratings", "Update ratings", "updated", false),
            Action::VerifyPurchases => ("verify_purchases", "Verify purchases", "checked", false),
        }
    }

    /// The form value.
    pub fn key(self) -> &'static str {
        self.names().0
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        self.names().1
    }

    /// What a row it succeeded on became ("blocked").
    pub fn verb(self) -> &'static str {
        self.names().2
    }

    /// The reason every row is refused, for an action no rule allows by hand.
    pub fn refused_outright(self) -> Option<&'static str> {
        match self {
            Action::MarkPaid => Some("only the payment provider marks an order paid"),
            _ => None,
        }
    }

    /// True when a row the action left as it was counts as refused ("already blocked"); false
    /// for actions whose effect comes later (a queued payout or email).
    pub fn unchanged_is_refusal(self) -> bool {
        !matches!(self, Action::RetryTransfer | Action::SendEmails)
    }

    /// True when the action cannot be undone, so the console asks first.
    pub fn needs_confirmation(self) -> bool {
        self.names().3
    }
}

/// One row's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Done.
    Done,
    /// Refused by the rules, with the reason.
    Refused(String),
}

impl RowOutcome {
    /// The outcome as the audit log records it.
    pub fn audit_text(&self) -> String {
        match self {
            RowOutcome::Done => "done".into(),
            RowOutcome::Refused(r) => format!("refused: {r}"),
        }
    }
}

/// The row-by-row result of one bulk action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkReport {
    /// The action.
    pub action: Action,
    /// `(row id, outcome)` in the order run.
    pub rows: Vec<(i64, RowOutcome)>,
}

impl BulkReport {
    /// An empty report.
    pub fn new(action: Action) -> Self {
        Self {
            action,
            rows: Vec::new(),
        }
    }

    /// Adds a row's outcome.
    pub fn push(&mut self, id: i64, outcome: RowOutcome) {
        self.rows.push((id, outcome));
    }

    /// Rows done.
    pub fn done(&self) -> usize {
        self.rows
            .iter()
            .filter(|(_, o)| *o == RowOutcome::Done)
            .count()
    }

    /// True when at least one row was refused.
    pub fn any_refused(&self) -> bool {
        self.done() < self.rows.len()
    }

    /// "3 blocked; 1 refused: already blocked (#12)"; refusals with the same reason are
    /// grouped, reasons in the order first seen.
    pub fn summary(&self) -> String {
        let mut out = format!("{} {}", self.done(), self.action.verb());
        let mut reasons: Vec<(&str, Vec<i64>)> = Vec::new();
        for (id, outcome) in &self.rows {
            if let RowOutcome::Refused(r) = outcome {
                match reasons.iter_mut().find(|(seen, _)| *seen == r.as_str()) {
                    Some((_, ids)) => ids.push(*id),
                    None => reasons.push((r, vec![*id])),
                }
            }
        }
        for (reason, ids) in reasons {
            let list: Vec<String> = ids.iter().map(|i| format!("#{i}")).collect();
            let _ = write!(
                out,
                "; {} refused: {reason} ({})",
                ids.len(),
                list.join(", ")
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_successes_and_groups_refusals_by_reason() {
        let mut r = BulkReport::new(Action::Block);
        r.push(1, RowOutcome::Done);
        r.push(12, RowOutcome::Refused("already blocked".into()));
        r.push(2, RowOutcome::Done);
        r.push(14, RowOutcome::Refused("is an admin".into()));
        r.push(13, RowOutcome::Refused("already blocked".into()));
        r.push(3, RowOutcome::Done);
        assert_eq!(
            r.summary(),
            "3 blocked; 2 refused: already blocked (#12, #13); 1 refused: is an admin (#14)"
        );
        assert!(r.any_refused());
        assert_eq!(r.rows[1].1.audit_text(), "refused: already blocked");
    }

    #[test]
    fn a_clean_run_reads_as_a_count() {
        let mut r = BulkReport::new(Action::EndAuction);
        r.push(5, RowOutcome::Done);
        assert_eq!(r.summary(), "1 ended");
        assert!(!r.any_refused());
    }

    #[test]
    fn irreversible_actions_ask_first() {
        assert!(Action::Block.needs_confirmation());
        assert!(Action::EndAuction.needs_confirmation());
        assert!(!Action::Feature.needs_confirmation());
    }
}
