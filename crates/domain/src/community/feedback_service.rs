//! Seller feedback use cases: read by any signed-in user (the order number and the comment to
//! the platform only by its buyer, its seller and admins); written once per shipped auction
//! order by its buyer; changed or deleted by that buyer (or an admin). The repository refreshes
//! the seller profile's rating in the same transaction as every write.

use crate::account::user::User;
use crate::community::feedback::{
    Feedback, FeedbackError, FeedbackInput, FeedbackQuery, SellerStats,
};
use crate::community::ports::FeedbackRepository;
use crate::ids::{FeedbackId, UserId};
use crate::page::{Page, PageRequest};

/// The feedback use cases.
pub struct Feedbacks<R> {
    feedbacks: R,
    /// Order numbers and platform comments only to the feedback's parties (`STRICT_VISIBILITY`;
    /// off by default: the contract shows every feedback whole to every signed-in user).
    private_details: bool,
}

impl<R: FeedbackRepository> Feedbacks<R> {
    /// Wires the service (every feedback whole to every signed-in reader, as the contract).
    pub fn new(feedbacks: R) -> Self {
        Self {
            feedbacks,
            private_details: false,
        }
    }

    /// The same, keeping order numbers and platform comments to the feedback's parties.
    #[must_use]
    pub fn with_private_details(mut self, on: bool) -> Self {
        self.private_details = on;
        self
    }

    fn seen(&self, feedback: Feedback, viewer: &User) -> Feedback {
        if self.private_details {
            feedback.as_seen_by(viewer)
        } else {
            feedback
        }
    }

    /// One page of feedback, platform-wide (newest first unless ordered), as `viewer` may read it.
    pub async fn list(
        &self,
        viewer: &User,
        query: FeedbackQuery,
        page: PageRequest,
    ) -> Result<Page<Feedback>, FeedbackError> {
        let query = if self.private_details {
            query.for_viewer(viewer)
        } else {
            query
        };
        let page = self.feedbacks.list_feedbacks(query, page).await?;
        Ok(page.map(|f| self.seen(f, viewer)))
    }

    /// One feedback, as `viewer` may read it.
    pub async fn get(&self, viewer: &User, id: FeedbackId) -> Result<Feedback, FeedbackError> {
        Ok(self.seen(self.find(id).await?, viewer))
    }

    /// One feedback, whole (for the rules, never shown as is).
    async fn find(&self, id: FeedbackId) -> Result<Feedback, FeedbackError> {
        self.feedbacks
            .feedback(id)
            .await?
            .ok_or(FeedbackError::NotFound)
    }

    /// The buyer's feedback on a shipped auction order. Checked in the contract's order: the
    /// order is the caller's, an auction, shipped, without feedback; then the fields.
    pub async fn create(
        &self,
        actor: &User,
        input: FeedbackInput,
    ) -> Result<Feedback, FeedbackError> {
        let order_id = input.order.ok_or(FeedbackError::OrderNotFound)?;
        let order = self
            .feedbacks
            .feedback_order(actor.id, order_id)
            .await?
            .ok_or(FeedbackError::OrderNotFound)?;
        if let Some(refusal) = order.refusal() {
            return Err(refusal);
        }
        // Auction orders always name their seller; one that does not cannot be rated.
        let seller = order.seller.ok_or(FeedbackError::OrderNotFound)?;
        let new = input.into_new(order_id, actor.id, seller)?;
        let id = self
            .feedbacks
            .create_feedback(new)
            .await?
            // A concurrent request for the same order won.
            .ok_or(FeedbackError::AlreadySubmitted)?;
        self.get(actor, id).await
    }

    /// Changes the ratings or comments (`full` for PUT, which needs all four ratings). The
    /// order stays; only the buyer or an admin may change it, anyone else gets 404.
    pub async fn update(
        &self,
        actor: &User,
        id: FeedbackId,
        input: FeedbackInput,
        full: bool,
    ) -> Result<Feedback, FeedbackError> {
        let feedback = self.find(id).await?;
        if !feedback.may_change(actor) {
            return Err(FeedbackError::NotFound);
        }
        let changes = input.changes(full)?;
        if !self.feedbacks.update_feedback(id, changes).await? {
            return Err(FeedbackError::NotFound);
        }
        self.get(actor, id).await
    }

    /// Deletes a feedback (its buyer or an admin; anyone else gets 404).
    pub async fn delete(&self, actor: &User, id: FeedbackId) -> Result<(), FeedbackError> {
        let feedback = self.find(id).await?;
        if !feedback.may_change(actor) {
            return Err(FeedbackError::NotFound);
        }
        if self.feedbacks.delete_feedback(id).await? {
            Ok(())
        } else {
            Err(FeedbackError::NotFound)
        }
    }

    /// Totals over a seller's feedback; `None` when there is none yet.
    pub async fn seller_stats(&self, seller: UserId) -> Result<Option<SellerStats>, FeedbackError> {
        let stats = self.feedbacks.seller_stats(seller).await?;
        Ok((!stats.is_empty()).then_some(stats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::community::feedback::{FeedbackChanges, FeedbackOrder, FeedbackSort, NewFeedback};
    use crate::community::ports::MockFeedbackRepository;
    use crate::fixtures::user;
    use crate::ids::OrderId;
    use crate::order::model::{OrderStatus, OrderType};
    use crate::store::StoreError;
    use crate::validation::msg;
    use chrono::{TimeZone, Utc};
    use std::future::ready;

    fn feedback(id: i64, buyer: i64, seller: i64) -> Feedback {
        Feedback {
            id: FeedbackId(id),
            order: OrderId(10),
            order_number: "AUC-00000000000A".into(),
            buyer: UserId(buyer),
            buyer_username: format!("u{buyer}"),
            seller: UserId(seller),
            seller_rating: 4,
            seller_comment: String::new(),
            platform_rating: 4,
            platform_comment: String::new(),
            communication_rating: 4,
            product_as_described: true,
            shipping_speed_rating: 4,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    /// A feedback of buyer 1 about seller 2 that also has a word for the platform.
    fn noted(id: i64) -> Feedback {
        Feedback {
            platform_comment: "Checkout was slow".into(),
            ..feedback(id, 1, 2)
        }
    }

    fn shipped_auction(seller: i64) -> FeedbackOrder {
        FeedbackOrder {
            order_type: OrderType::Auction,
            status: OrderStatus::Shipped,
            seller: Some(UserId(seller)),
            has_feedback: false,
        }
    }

    fn valid(order: i64) -> FeedbackInput {
        FeedbackInput {
            order: Some(OrderId(order)),
            seller_rating: Some(5),
            platform_rating: Some(4),
            communication_rating: Some(3),
            shipping_speed_rating: Some(4),
            ..FeedbackInput::default()
        }
    }

    /// A repository whose order lookup answers `order` and which must never store anything.
    fn refusing(order: Option<FeedbackOrder>) -> MockFeedbackRepository {
        let mut repo = MockFeedbackRepository::new();
        repo.expect_feedback_order()
            .returning(move |_, _| Box::pin(ready(Ok(order.clone()))));
        repo.expect_create_feedback().never();
        repo
    }

    #[tokio::test]
    async fn create_refusals_come_in_the_contract_order() {
        let buyer = user(1, Role::Buyer);
        // No order id at all: not even looked up.
        let mut repo = MockFeedbackRepository::new();
        repo.expect_feedback_order().never();
        repo.expect_create_feedback().never();
        let err = Feedbacks::new(repo)
            .create(&buyer, FeedbackInput::default())
            .await
            .unwrap_err();
        assert_eq!(err, FeedbackError::OrderNotFound);

        // Someone else's (or no such) order.
        let err = Feedbacks::new(refusing(None))
            .create(&buyer, valid(10))
            .await
            .unwrap_err();
        assert_eq!(err, FeedbackError::OrderNotFound);

        // Each business refusal wins over bad fields; the fields are checked last.
        let bad_fields = FeedbackInput {
            order: Some(OrderId(10)),
            seller_rating: Some(9),
            ..FeedbackInput::default()
        };
        let cases = [
            (
                FeedbackOrder {
                    order_type: OrderType::FixedPrice,
                    status: OrderStatus::Paid,
                    has_feedback: true,
                    ..shipped_auction(2)
                },
                FeedbackError::NotAuction,
            ),
            (
                FeedbackOrder {
                    status: OrderStatus::Paid,
                    has_feedback: true,
                    ..shipped_auction(2)
                },
                FeedbackError::NotShipped,
            ),
            (
                FeedbackOrder {
                    has_feedback: true,
                    ..shipped_auction(2)
                },
                FeedbackError::AlreadySubmitted,
            ),
        ];
        for (order, expected) in cases {
            let err = Feedbacks::new(refusing(Some(order)))
                .create(&buyer, bad_fields.clone())
                .await
                .unwrap_err();
            assert_eq!(err, expected);
        }

        let err = Feedbacks::new(refusing(Some(shipped_auction(2))))
            .create(&buyer, bad_fields)
            .await
            .unwrap_err();
        let FeedbackError::Validation(e) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            e.get("seller_rating").unwrap(),
            ["Ensure this value is less than or equal to 5."]
        );
        assert_eq!(e.get("platform_rating").unwrap(), [msg::REQUIRED]);
    }

    #[tokio::test]
    async fn create_rates_the_orders_seller_with_the_defaults() {
        let mut repo = MockFeedbackRepository::new();
        repo.expect_feedback_order()
            .withf(|buyer, order| *buyer == UserId(1) && *order == OrderId(10))
            .returning(|_, _| Box::pin(ready(Ok(Some(shipped_auction(2))))));
        repo.expect_create_feedback()
            .withf(|new: &NewFeedback| {
                new.order == OrderId(10)
                    && new.buyer == UserId(1)
                    && new.seller == UserId(2)
                    && new.seller_rating == 5
                    && new.product_as_described
                    && new.seller_comment.is_empty()
            })
            .times(1)
            .returning(|_| Box::pin(ready(Ok(Some(FeedbackId(7))))));
        repo.expect_feedback()
            .returning(|id| Box::pin(ready(Ok(Some(feedback(id.get(), 1, 2))))));
        let created = Feedbacks::new(repo)
            .create(&user(1, Role::Buyer), valid(10))
            .await
            .unwrap();
        assert_eq!(created.id, FeedbackId(7));
    }

    #[tokio::test]
    async fn a_lost_race_for_the_same_order_is_already_submitted() {
        let mut repo = MockFeedbackRepository::new();
        repo.expect_feedback_order()
            .returning(|_, _| Box::pin(ready(Ok(Some(shipped_auction(2))))));
        repo.expect_create_feedback()
            .returning(|_| Box::pin(ready(Ok(None))));
        let err = Feedbacks::new(repo)
            .create(&user(1, Role::Buyer), valid(10))
            .await
            .unwrap_err();
        assert_eq!(err, FeedbackError::AlreadySubmitted);
    }

    fn existing(repo: &mut MockFeedbackRepository) {
        repo.expect_feedback()
            .returning(|id| Box::pin(ready(Ok(Some(feedback(id.get(), 1, 2))))));
    }

    #[tokio::test]
    async fn only_the_buyer_or_an_admin_changes_it() {
        for stranger in [user(2, Role::Seller), user(3, Role::Buyer)] {
            let mut repo = MockFeedbackRepository::new();
            existing(&mut repo);
            repo.expect_update_feedback().never();
            repo.expect_delete_feedback().never();
            let svc = Feedbacks::new(repo);
            let patch = FeedbackInput {
                seller_rating: Some(1),
                ..FeedbackInput::default()
            };
            assert_eq!(
                svc.update(&stranger, FeedbackId(5), patch, false)
                    .await
                    .unwrap_err(),
                FeedbackError::NotFound
            );
            assert_eq!(
                svc.delete(&stranger, FeedbackId(5)).await.unwrap_err(),
                FeedbackError::NotFound
            );
        }
        for allowed in [user(1, Role::Buyer), user(9, Role::Admin)] {
            let mut repo = MockFeedbackRepository::new();
            existing(&mut repo);
            repo.expect_update_feedback()
                .withf(|id, c: &FeedbackChanges| {
                    *id == FeedbackId(5)
                        && c.seller_rating == Some(1)
                        && c.platform_rating.is_none()
                })
                .times(1)
                .returning(|_, _| Box::pin(ready(Ok(true))));
            repo.expect_delete_feedback()
                .times(1)
                .returning(|_| Box::pin(ready(Ok(true))));
            let svc = Feedbacks::new(repo);
            let patch = FeedbackInput {
                seller_rating: Some(1),
                ..FeedbackInput::default()
            };
            svc.update(&allowed, FeedbackId(5), patch, false)
                .await
                .unwrap();
            svc.delete(&allowed, FeedbackId(5)).await.unwrap();
        }
    }

    #[tokio::test]
    async fn put_needs_every_rating_and_unknown_ids_are_404() {
        let mut repo = MockFeedbackRepository::new();
        existing(&mut repo);
        repo.expect_update_feedback().never();
        let err = Feedbacks::new(repo)
            .update(
                &user(1, Role::Buyer),
                FeedbackId(5),
                FeedbackInput {
                    seller_rating: Some(5),
                    ..FeedbackInput::default()
                },
                true,
            )
            .await
            .unwrap_err();
        let FeedbackError::Validation(e) = err else {
            panic!("{err:?}")
        };
        assert!(!e.has("seller_rating"));
        for f in [
            "platform_rating",
            "communication_rating",
            "shipping_speed_rating",
        ] {
            assert_eq!(e.get(f).unwrap(), [msg::REQUIRED], "{f}");
        }

        let mut repo = MockFeedbackRepository::new();
        repo.expect_feedback()
            .returning(|_| Box::pin(ready(Ok(None))));
        repo.expect_delete_feedback().never();
        assert_eq!(
            Feedbacks::new(repo)
                .delete(&user(9, Role::Admin), FeedbackId(404))
                .await
                .unwrap_err(),
            FeedbackError::NotFound
        );
    }

    #[tokio::test]
    async fn only_its_parties_and_admins_read_the_private_fields() {
        let by_platform_comment = FeedbackQuery {
            ordering: vec![crate::page::Sort {
                field: FeedbackSort::PlatformComment,
                descending: false,
            }],
            ..FeedbackQuery::default()
        };
        for (viewer, whole) in [
            (user(1, Role::Buyer), true),
            (user(2, Role::Seller), true),
            (user(9, Role::Admin), true),
            (user(3, Role::Buyer), false),
            (user(4, Role::Both), false),
        ] {
            // Only admins see every row whole, so only they may sort by a private field.
            let sorts_privately = viewer.is_admin();
            let mut repo = MockFeedbackRepository::new();
            repo.expect_list_feedbacks()
                .withf(move |q: &FeedbackQuery, _: &PageRequest| {
                    q.ordering.is_empty() != sorts_privately
                })
                .times(1)
                .returning(|_, _| {
                    Box::pin(ready(Ok(Page {
                        count: 1,
                        items: vec![noted(5)],
                    })))
                });
            repo.expect_feedback()
                .returning(|id| Box::pin(ready(Ok(Some(noted(id.get()))))));
            let svc = Feedbacks::new(repo).with_private_details(true);
            let page = svc
                .list(&viewer, by_platform_comment.clone(), PageRequest::default())
                .await
                .unwrap();
            let one = svc.get(&viewer, FeedbackId(5)).await.unwrap();
            for seen in [&page.items[0], &one] {
                assert_eq!(seen.order_number.is_empty(), !whole, "{}", viewer.id);
                assert_eq!(seen.platform_comment.is_empty(), !whole, "{}", viewer.id);
                assert_eq!(
                    (seen.seller_rating, seen.order),
                    (4, OrderId(10)),
                    "the public part stays"
                );
            }
        }
    }

    #[tokio::test]
    async fn stats_are_none_without_feedback_and_storage_errors_pass_through() {
        let mut repo = MockFeedbackRepository::new();
        repo.expect_seller_stats()
            .withf(|s| *s == UserId(2))
            .returning(|_| Box::pin(ready(Ok(SellerStats::default()))));
        assert_eq!(Feedbacks::new(repo).seller_stats(UserId(2)).await, Ok(None));
        let stats = SellerStats {
            total: 2,
            seller_rating_sum: 9,
            communication_sum: 8,
            shipping_speed_sum: 7,
            described: 1,
        };
        let mut repo = MockFeedbackRepository::new();
        repo.expect_seller_stats()
            .returning(move |_| Box::pin(ready(Ok(stats))));
        assert_eq!(
            Feedbacks::new(repo).seller_stats(UserId(2)).await,
            Ok(Some(stats))
        );
        let mut repo = MockFeedbackRepository::new();
        repo.expect_list_feedbacks()
            .returning(|_, _| Box::pin(ready(Err(StoreError::Unavailable("down".into())))));
        assert_eq!(
            Feedbacks::new(repo)
                .list(
                    &user(9, Role::Admin),
                    FeedbackQuery::default(),
                    PageRequest::default()
                )
                .await
                .unwrap_err(),
            FeedbackError::Store(StoreError::Unavailable("down".into()))
        );
    }
}
