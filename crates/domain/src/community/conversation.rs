//! Conversations between a buyer and a seller (optionally about a product) and their
//! messages. Only the two participants see or write them; participants never change.

use chrono::{DateTime, Utc};

use crate::ids::{ConversationId, MessageId, ProductId, UserId};
use crate::validation::{FieldErrors, msg};

/// A message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Id.
    pub id: MessageId,
    /// Who wrote it.
    pub sender: UserId,
    /// Their username.
    pub sender_username: String,
    /// The text.
    pub content: String,
    /// Read by the other participant.
    pub is_read: bool,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A conversation as a participant sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Id.
    pub id: ConversationId,
    /// The buyer.
    pub buyer: UserId,
    /// Their username.
    pub buyer_username: String,
    /// The seller.
    pub seller: UserId,
    /// Their username.
    pub seller_username: String,
    /// What it is about.
    pub product: Option<ProductId>,
    /// Its name.
    pub product_name: Option<String>,
    /// Its primary (else first) image's stored path.
    pub product_image: Option<String>,
    /// The newest message.
    pub latest_message: Option<Message>,
    /// Messages from the other participant the viewer has not read.
    pub unread_count: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last message (or creation).
    pub updated_at: DateTime<Utc>,
}

impl Conversation {
    /// The participant who is not `user`.
    pub fn other(&self, user: UserId) -> UserId {
        if self.buyer == user {
            self.seller
        } else {
            self.buyer
        }
    }
}

/// A conversation to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConversation {
    /// The buyer.
    pub buyer: UserId,
    /// The seller.
    pub seller: UserId,
    /// What it is about.
    pub product: Option<ProductId>,
}

/// Sortable conversation fields (`?ordering=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationSort {
    /// Id.
    Id,
    /// Buyer id.
    Buyer,
    /// Seller id.
    Seller,
    /// Product id.
    Product,
    /// Created.
    CreatedAt,
    /// Last activity.
    UpdatedAt,
}

/// `?ordering=` names for conversations.
pub const CONVERSATION_ORDERING: &[(&str, ConversationSort)] = &[
    ("id", ConversationSort::Id),
    ("buyer", ConversationSort::Buyer),
    ("seller", ConversationSort::Seller),
    ("product", ConversationSort::Product),
    ("created_at", ConversationSort::CreatedAt),
    ("updated_at", ConversationSort::UpdatedAt),
];

/// The contract's duplicate message.
pub const DUPLICATE: &str = "The fields buyer, seller, product must make a unique set.";

/// Why a conversation action failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversationError {
    /// Not a participant, or none.
    #[error("No Conversation matches the given query.")]
    NotFound,
    /// Bad input.
    #[error("invalid input")]
    Validation(FieldErrors),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The participant rules of a new conversation (rewrite of community D3): the caller is one
/// of the two, and the two differ.
pub fn check_participants(caller: UserId, new: &NewConversation) -> Result<(), FieldErrors> {
    if new.buyer == new.seller {
        return Err(FieldErrors::single(
            "non_field_errors",
            "A conversation needs two different participants.",
        ));
    }
    if caller != new.buyer && caller != new.seller {
        return Err(FieldErrors::single(
            "non_field_errors",
            "You can only start conversations you take part in.",
        ));
    }
    Ok(())
}

/// A message's text: required and not blank.
pub fn check_content(content: Option<&str>) -> Result<String, FieldErrors> {
    match content {
        None => Err(FieldErrors::single("content", msg::REQUIRED)),
        Some(c) if c.trim().is_empty() => Err(FieldErrors::single("content", msg::BLANK)),
        Some(c) => Ok(c.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(buyer: i64, seller: i64) -> NewConversation {
        NewConversation {
            buyer: UserId(buyer),
            seller: UserId(seller),
            product: None,
        }
    }

    #[test]
    fn the_caller_takes_part_and_talks_to_someone_else() {
        assert_eq!(check_participants(UserId(1), &new(1, 2)), Ok(()));
        assert_eq!(check_participants(UserId(2), &new(1, 2)), Ok(()));
        assert!(check_participants(UserId(3), &new(1, 2)).is_err());
        assert!(check_participants(UserId(1), &new(1, 1)).is_err());
    }

    #[test]
    fn content_is_required_and_not_blank() {
        assert_eq!(check_content(Some("Hello")), Ok("Hello".into()));
        assert_eq!(
            check_content(None),
            Err(FieldErrors::single("content", "This field is required."))
        );
        assert_eq!(
            check_content(Some("  ")),
            Err(FieldErrors::single(
                "content",
                "This field may not be blank."
            ))
        );
    }
}
