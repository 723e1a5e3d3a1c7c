//! Conversations and messages between a buyer and a seller. Only the two participants read or
//! write them (anyone else: not found); a message notifies the other participant.

use crate::account::user::User;
use crate::clock::Clock;
use crate::community::conversation::{
    Conversation, ConversationError, ConversationSort, Message, NewConversation, check_content,
    check_participants,
};
use crate::community::ports::ConversationRepository;
use crate::ids::ConversationId;
use crate::notification::model::{NewNotification, NotificationType};
use crate::outbox::Outbox;
use crate::page::{Page, PageRequest, Sort};
use crate::validation::FieldErrors;

/// The conversations use case.
pub struct Conversations<R, K> {
    store: R,
    clock: K,
}

impl<R: ConversationRepository, K: Clock> Conversations<R, K> {
    /// Wires the service.
    pub fn new(store: R, clock: K) -> Self {
        Self { store, clock }
    }

    /// Opens a conversation the caller takes part in.
    pub async fn create(
        &self,
        caller: &User,
        new: NewConversation,
    ) -> Result<Conversation, ConversationError> {
        check_participants(caller.id, &new).map_err(ConversationError::Validation)?;
        let id = self
            .store
            .create_conversation(new, self.clock.now())
            .await?
            .map_err(ConversationError::Validation)?;
        self.get(caller, id).await
    }

    /// The caller's conversations.
    pub async fn list(
        &self,
        caller: &User,
        ordering: Vec<Sort<ConversationSort>>,
        page: PageRequest,
    ) -> Result<Page<Conversation>, ConversationError> {
        Ok(self.store.conversations(caller.id, ordering, page).await?)
    }

    /// One of the caller's conversations.
    pub async fn get(
        &self,
        caller: &User,
        id: ConversationId,
    ) -> Result<Conversation, ConversationError> {
        self.store
            .conversation(caller.id, id)
            .await?
            .ok_or(ConversationError::NotFound)
    }

    /// Deletes one of the caller's conversations.
    pub async fn delete(&self, caller: &User, id: ConversationId) -> Result<(), ConversationError> {
        if self.store.delete_conversation(caller.id, id).await? {
            Ok(())
        } else {
            Err(ConversationError::NotFound)
        }
    }

    /// The messages, oldest first; what the other participant wrote is read from now on.
    pub async fn messages(
        &self,
        caller: &User,
        id: ConversationId,
    ) -> Result<Vec<Message>, ConversationError> {
        self.store
            .read_messages(caller.id, id)
            .await?
            .ok_or(ConversationError::NotFound)
    }

    /// Sends a message; the other participant is notified. `content` is the parsed body
    /// field: its errors come after the participant check (a stranger learns nothing).
    pub async fn send(
        &self,
        caller: &User,
        id: ConversationId,
        content: Result<String, FieldErrors>,
    ) -> Result<Message, ConversationError> {
        let conversation = self.get(caller, id).await?;
        let content = content
            .and_then(|c| check_content(Some(&c)))
            .map_err(ConversationError::Validation)?;
        let notice = NewNotification::new(
            conversation.other(caller.id),
            NotificationType::MessageReceived,
            "New message",
            format!("You have a new message from {}", caller.username),
        );
        self.store
            .send_message(
                caller.id,
                id,
                content,
                self.clock.now(),
                Outbox::new().notify(notice),
            )
            .await?
            .ok_or(ConversationError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::clock::FixedClock;
    use crate::community::ports::MockConversationRepository;
    use crate::fixtures::user;
    use crate::ids::{MessageId, UserId};
    use chrono::Utc;
    use std::future::ready;

    fn conversation() -> Conversation {
        Conversation {
            id: ConversationId(3),
            buyer: UserId(1),
            buyer_username: "u1".into(),
            seller: UserId(2),
            seller_username: "u2".into(),
            product: None,
            product_name: None,
            product_image: None,
            latest_message: None,
            unread_count: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn a_conversation_between_two_others_is_refused_before_any_write() {
        let mut store = MockConversationRepository::new();
        store.expect_create_conversation().never();
        let s = Conversations::new(store, FixedClock(Utc::now()));
        let err = s
            .create(
                &user(3, Role::Buyer),
                NewConversation {
                    buyer: UserId(1),
                    seller: UserId(2),
                    product: None,
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ConversationError::Validation(_)));
    }

    #[tokio::test]
    async fn a_message_notifies_the_other_participant_in_the_same_write() {
        let mut store = MockConversationRepository::new();
        store
            .expect_conversation()
            .returning(|_, _| Box::pin(ready(Ok(Some(conversation())))));
        store
            .expect_send_message()
            .withf(|sender, _, content, _, outbox| {
                let n = &outbox.notices[0].notification;
                *sender == UserId(2)
                    && content == "Still available?"
                    && n.user == UserId(1)
                    && n.kind == NotificationType::MessageReceived
                    && n.message == "You have a new message from u2"
                    && outbox.notices[0].email.is_none()
            })
            .times(1)
            .returning(|sender, _, content, now, _| {
                Box::pin(ready(Ok(Some(Message {
                    id: MessageId(1),
                    sender,
                    sender_username: "u2".into(),
                    content,
                    is_read: false,
                    created_at: now,
                }))))
            });
        let s = Conversations::new(store, FixedClock(Utc::now()));
        let m = s
            .send(
                &user(2, Role::Seller),
                ConversationId(3),
                Ok("Still available?".into()),
            )
            .await
            .unwrap();
        assert!(!m.is_read);
    }

    #[tokio::test]
    async fn a_stranger_cannot_send_and_blank_text_is_a_field_error() {
        let mut store = MockConversationRepository::new();
        store
            .expect_conversation()
            .returning(|viewer, _| Box::pin(ready(Ok((viewer == UserId(1)).then(conversation)))));
        store.expect_send_message().never();
        let s = Conversations::new(store, FixedClock(Utc::now()));
        assert_eq!(
            s.send(&user(9, Role::Buyer), ConversationId(3), Ok("hi".into()))
                .await,
            Err(ConversationError::NotFound)
        );
        assert!(matches!(
            s.send(&user(1, Role::Buyer), ConversationId(3), Ok(" ".into()))
                .await,
            Err(ConversationError::Validation(_))
        ));
    }
}
