//! Complaints by users about an order, a seller or the platform. The complainant sees and
//! edits their own until an admin resolves or closes it; admins move it through its workflow
//! (`open → in_progress → resolved | closed`), and each side is notified of the other's move.

use chrono::{DateTime, Utc};

use crate::ids::{ComplaintId, OrderId, UserId};
use crate::validation::{FieldErrors, check_max_len, msg};

/// What a complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintCategory {
    /// Payment.
    Payment,
    /// A seller.
    Seller,
    /// A product.
    Product,
    /// The platform.
    Platform,
    /// Shipping.
    Shipping,
    /// Anything else.
    Other,
}

impl ComplaintCategory {
    /// Every category.
    pub const ALL: [Self; 6] = [
        Self::Payment,
        Self::Seller,
        Self::Product,
        Self::Platform,
        Self::Shipping,
        Self::Other,
    ];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Payment => "payment",
            Self::Seller => "seller",
            Self::Product => "product",
            Self::Platform => "platform",
            Self::Shipping => "shipping",
            Self::Other => "other",
        }
    }

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a complaint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintStatus {
    /// Filed.
    Open,
    /// An admin is on it.
    InProgress,
    /// Settled.
    Resolved,
    /// Closed without a resolution.
    Closed,
}

impl ComplaintStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Open, Self::InProgress, Self::Resolved, Self::Closed];

    /// The stored and wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Resolved or closed: the complainant can no longer change it.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Resolved | Self::Closed)
    }

    /// The admin workflow: forward only, and a final complaint may be reopened.
    pub const fn can_become(self, to: Self) -> bool {
        matches!(
            (self, to),
            (Self::Open, Self::InProgress | Self::Resolved | Self::Closed)
                | (Self::InProgress, Self::Resolved | Self::Closed)
                | (Self::Resolved | Self::Closed, Self::Open)
        )
    }
}

/// A complaint as its author (or an admin) reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    /// Id.
    pub id: ComplaintId,
    /// `CMP-` and 12 upper-case hex digits.
    pub number: String,
    /// The complainant.
    pub user: UserId,
    /// Their username.
    pub username: String,
    /// Category.
    pub category: ComplaintCategory,
    /// Subject.
    pub subject: String,
    /// Description.
    pub description: String,
    /// The order it is about.
    pub order: Option<OrderId>,
    /// Its number.
    pub order_number: Option<String>,
    /// The seller it is about.
    pub seller: Option<UserId>,
    /// Their username.
    pub seller_username: Option<String>,
    /// Status.
    pub status: ComplaintStatus,
    /// Admins' notes (admins only).
    pub admin_notes: String,
    /// Filed.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// What the complainant writes; `None` leaves a field as it is (PATCH).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintInput {
    /// Category.
    pub category: Option<ComplaintCategory>,
    /// Subject.
    pub subject: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The order (`Some(None)`: none).
    pub order: Option<Option<OrderId>>,
    /// The seller (`Some(None)`: none).
    pub seller: Option<Option<UserId>>,
}

/// Which complaints to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintQuery {
    /// Only this user's (every user's for the admin view).
    pub user: Option<UserId>,
    /// Only in this status.
    pub status: Option<ComplaintStatus>,
    /// Oldest first instead of newest first (`?ordering=created_at`).
    pub oldest_first: bool,
}

/// What a complainant's change or deletion found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// Done.
    Done,
    /// Not theirs, or none.
    NotFound,
    /// Resolved or closed already.
    Final,
    /// The order or seller may not be named.
    Invalid(FieldErrors),
}

/// What an admin's status change found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// Done: the complaint as it is now.
    Done(Box<Complaint>),
    /// No such complaint.
    NotFound,
    /// The workflow does not allow it from this status.
    Illegal(ComplaintStatus),
}

/// The notices a filed complaint sends: every admin is told.
pub fn filed_outbox(c: &Complaint, admins: &[UserId]) -> crate::outbox::Outbox {
    admins
        .iter()
        .fold(crate::outbox::Outbox::new(), |out, admin| {
            out.notify(crate::notification::model::NewNotification::new(
                *admin,
                crate::notification::model::NotificationType::General,
                "New complaint",
                format!("{} filed complaint {}: {}", c.username, c.number, c.subject),
            ))
        })
}

/// The notice a status change sends the complainant (in-app and by email).
pub fn moved_outbox(c: &Complaint, email: &str) -> crate::outbox::Outbox {
    let message = format!(
        "Your complaint {} \"{}\" is now {}.",
        c.number,
        c.subject,
        c.status.as_str().replace('_', " ")
    );
    crate::outbox::Outbox::new().notify_by_email(
        crate::notification::model::NewNotification::new(
            c.user,
            crate::notification::model::NotificationType::General,
            "Complaint updated",
            message.clone(),
        ),
        email,
        crate::notification::email::EmailMessage::Notice {
            username: c.username.clone(),
            title: "Complaint updated".into(),
            message,
        },
    )
}

/// `CMP-` and 12 upper-case hex digits from 48 bits of `entropy`.
pub fn complaint_number(entropy: u64) -> String {
    format!("CMP-{:012X}", entropy & 0xFFFF_FFFF_FFFF)
}

/// Subject length limit.
pub const SUBJECT_MAX: usize = 255;

/// The text rules every write keeps.
pub fn check_input(input: &ComplaintInput) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    // Given at all (PATCH may leave them out), they may not be blank.
    for (field, text) in [
        ("subject", &input.subject),
        ("description", &input.description),
    ] {
        if text.as_ref().is_some_and(|t| t.trim().is_empty()) {
            errors.add(field, msg::BLANK);
        }
    }
    if let Some(subject) = &input.subject {
        check_max_len(&mut errors, "subject", subject, SUBJECT_MAX);
    }
    errors.into_result()
}

/// Why a complaint action failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    /// Not the caller's, or none.
    #[error("No Complaint matches the given query.")]
    NotFound,
    /// Bad input.
    #[error("invalid input")]
    Validation(FieldErrors),
    /// Resolved or closed: the complainant cannot change it (community D5).
    #[error("A resolved or closed complaint cannot be changed")]
    Final,
    /// Admins only.
    #[error("Only admins can manage complaints")]
    NotAdmin,
    /// Not a move the workflow allows.
    #[error("A complaint that is {0} cannot become {1}")]
    Illegal(&'static str, &'static str),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The field error for an order or seller the caller may not name (no leak of which).
pub fn unknown(field: &str, id: i64) -> FieldErrors {
    FieldErrors::single(field, msg::invalid_pk(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_moves_forward_and_a_final_complaint_may_reopen() {
        use ComplaintStatus::*;
        assert!(Open.can_become(InProgress));
        assert!(InProgress.can_become(Resolved));
        assert!(Open.can_become(Closed));
        assert!(Resolved.can_become(Open));
        assert!(!InProgress.can_become(Open));
        assert!(!Resolved.can_become(Closed));
        assert!(!Open.can_become(Open));
        assert!(Resolved.is_final() && Closed.is_final() && !InProgress.is_final());
    }

    #[test]
    fn numbers_have_the_prefix_and_twelve_hex_digits() {
        assert_eq!(complaint_number(0xAB), "CMP-0000000000AB");
        assert_eq!(complaint_number(u64::MAX), "CMP-FFFFFFFFFFFF");
    }

    #[test]
    fn values_round_trip_and_subjects_are_limited() {
        for c in ComplaintCategory::ALL {
            assert_eq!(ComplaintCategory::parse(c.as_str()), Some(c));
        }
        for s in ComplaintStatus::ALL {
            assert_eq!(ComplaintStatus::parse(s.as_str()), Some(s));
        }
        let long = ComplaintInput {
            subject: Some("x".repeat(256)),
            ..ComplaintInput::default()
        };
        assert!(check_input(&long).is_err());
        let blank = ComplaintInput {
            description: Some("  ".into()),
            ..ComplaintInput::default()
        };
        assert_eq!(
            check_input(&blank),
            Err(FieldErrors::single("description", msg::BLANK))
        );
        assert_eq!(check_input(&ComplaintInput::default()), Ok(()));
    }
}
