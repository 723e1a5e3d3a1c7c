//! Tests of `feedback`.

use super::*;
use crate::account::user::Role;
use crate::fixtures::user;
use chrono::TimeZone;
use proptest::prelude::*;

#[test]
fn averages_round_half_up_to_hundredths() {
    assert_eq!(average_centi(9, 2), 450);
    assert_eq!(average_centi(13, 3), 433);
    assert_eq!(average_centi(14, 3), 467);
    // 4.625 is a tie: half up gives 4.63 (a float round-half-even would give 4.62).
    assert_eq!(average_centi(37, 8), 463);
    // 1.005 exactly: 1.01, with no binary-float surprise.
    assert_eq!(average_centi(201, 200), 101);
    assert_eq!(average_centi(5, 1), 500);
    assert_eq!(average_centi(0, 0), 0);
    assert_eq!(average_centi(7, -1), 0);
}

proptest! {
    #[test]
    fn average_is_the_nearest_hundredth_ties_up(
        ratings in prop::collection::vec(1i64..=5, 1..=200),
    ) {
        let sum: i64 = ratings.iter().sum();
        let count = i64::try_from(ratings.len()).unwrap();
        let centi = i64::from(average_centi(sum, count));
        prop_assert!((100..=500).contains(&centi));
        // centi = floor(100·sum/count + 1/2)  ⇔  −count ≤ 2·(100·sum − centi·count) < count
        let twice_gap = 2 * (100 * sum - centi * count);
        prop_assert!(-count <= twice_gap && twice_gap < count, "{sum}/{count} → {centi}");
    }
}

#[test]
fn stats_render_unrounded_numbers() {
    let s = SellerStats {
        total: 3,
        seller_rating_sum: 13,
        communication_sum: 12,
        shipping_speed_sum: 10,
        described: 2,
    };
    // The contract's example, digit for digit (200 / 3, not 2 / 3 × 100).
    assert_eq!(
        s.product_as_described_percent().to_string(),
        "66.66666666666667"
    );
    assert!((s.average_seller_rating() - 13.0 / 3.0).abs() < f64::EPSILON);
    assert!((s.average_communication() - 4.0).abs() < f64::EPSILON);
    assert!((s.average_shipping() - 10.0 / 3.0).abs() < f64::EPSILON);
    assert_eq!(
        s.profile_rating(),
        SellerRating {
            average_centi: 433,
            total: 3
        }
    );
    assert!(!s.is_empty());
    let none = SellerStats::default();
    assert!(none.is_empty());
    assert_eq!(none.profile_rating(), SellerRating::default());
    assert!(none.average_seller_rating().abs() < f64::EPSILON);
}

#[test]
fn floats_are_exact_for_counts() {
    for n in [
        0,
        1,
        42,
        (1 << 32) - 1,
        1 << 32,
        (1 << 32) + 7,
        (1 << 53) - 1,
        -5,
    ] {
        let text = format!("{}", exact_f64(n));
        assert_eq!(text, n.to_string(), "{n}");
    }
}

#[test]
fn create_refusals_in_contract_order() {
    let order = FeedbackOrder {
        order_type: OrderType::FixedPrice,
        status: OrderStatus::Paid,
        seller: Some(UserId(2)),
        has_feedback: true,
    };
    assert_eq!(order.refusal(), Some(FeedbackError::NotAuction));
    let order = FeedbackOrder {
        order_type: OrderType::Auction,
        ..order
    };
    assert_eq!(order.refusal(), Some(FeedbackError::NotShipped));
    let order = FeedbackOrder {
        status: OrderStatus::Shipped,
        ..order
    };
    assert_eq!(order.refusal(), Some(FeedbackError::AlreadySubmitted));
    for status in [OrderStatus::Shipped, OrderStatus::Delivered] {
        let ok = FeedbackOrder {
            status,
            has_feedback: false,
            ..order.clone()
        };
        assert_eq!(ok.refusal(), None);
    }
    for status in [
        OrderStatus::PendingPayment,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ] {
        let early = FeedbackOrder {
            status,
            has_feedback: false,
            ..order.clone()
        };
        assert_eq!(early.refusal(), Some(FeedbackError::NotShipped));
    }
    assert_eq!(
        FeedbackError::NotAuction.to_string(),
        "Seller feedback is only available for auction purchases. For fixed-price products, please leave a product review instead."
    );
}

#[test]
fn field_rules() {
    let e = FeedbackInput::default().changes(true).unwrap_err();
    for f in [
        "seller_rating",
        "platform_rating",
        "communication_rating",
        "shipping_speed_rating",
    ] {
        assert_eq!(e.get(f).unwrap(), [msg::REQUIRED], "{f}");
    }
    assert!(!e.has("seller_comment"));
    assert_eq!(
        FeedbackInput::default().changes(false),
        Ok(FeedbackChanges::default()),
        "a partial update may change nothing"
    );
    let e = FeedbackInput {
        seller_rating: Some(0),
        platform_rating: Some(6),
        unreadable: FieldErrors::single("communication_rating", msg::INTEGER),
        ..FeedbackInput::default()
    }
    .changes(false)
    .unwrap_err();
    assert_eq!(
        e.get("seller_rating").unwrap(),
        ["Ensure this value is greater than or equal to 1."]
    );
    assert_eq!(
        e.get("platform_rating").unwrap(),
        ["Ensure this value is less than or equal to 5."]
    );
    let e = FeedbackInput {
        unreadable: FieldErrors::single("communication_rating", msg::INTEGER),
        ..FeedbackInput::default()
    }
    .changes(true)
    .unwrap_err();
    assert_eq!(
        e.get("communication_rating").unwrap(),
        [msg::INTEGER],
        "a value that could not be read is not also reported as missing"
    );
}

#[test]
fn new_feedback_takes_the_defaults() {
    let input = FeedbackInput {
        seller_rating: Some(5),
        platform_rating: Some(4),
        communication_rating: Some(3),
        shipping_speed_rating: Some(4),
        ..FeedbackInput::default()
    };
    let new = input.into_new(OrderId(7), UserId(1), UserId(2)).unwrap();
    assert_eq!(
        new,
        NewFeedback {
            order: OrderId(7),
            buyer: UserId(1),
            seller: UserId(2),
            seller_rating: 5,
            seller_comment: String::new(),
            platform_rating: 4,
            platform_comment: String::new(),
            communication_rating: 3,
            product_as_described: true,
            shipping_speed_rating: 4,
        }
    );
}

#[test]
fn only_the_buyer_and_admins_change_feedback() {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let f = Feedback {
        id: FeedbackId(1),
        order: OrderId(1),
        order_number: "AUC-000000000001".into(),
        buyer: UserId(1),
        buyer_username: "u1".into(),
        seller: UserId(2),
        seller_rating: 5,
        seller_comment: String::new(),
        platform_rating: 5,
        platform_comment: String::new(),
        communication_rating: 5,
        product_as_described: true,
        shipping_speed_rating: 5,
        created_at: t,
    };
    assert!(f.may_change(&user(1, Role::Buyer)));
    assert!(f.may_change(&user(9, Role::Admin)));
    assert!(!f.may_change(&user(2, Role::Seller)), "not the seller");
    assert!(!f.may_change(&user(3, Role::Both)));
}

#[test]
fn only_its_parties_and_admins_see_the_private_fields() {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let f = Feedback {
        id: FeedbackId(1),
        order: OrderId(1),
        order_number: "AUC-000000000001".into(),
        buyer: UserId(1),
        buyer_username: "u1".into(),
        seller: UserId(2),
        seller_rating: 4,
        seller_comment: "Lovely".into(),
        platform_rating: 3,
        platform_comment: "Checkout was slow".into(),
        communication_rating: 5,
        product_as_described: true,
        shipping_speed_rating: 2,
        created_at: t,
    };
    for party in [
        user(1, Role::Buyer),
        user(2, Role::Seller),
        user(9, Role::Admin),
    ] {
        assert_eq!(f.clone().as_seen_by(&party), f, "{:?}", party.role);
    }
    for other in [user(3, Role::Buyer), user(4, Role::Both)] {
        let seen = f.clone().as_seen_by(&other);
        assert_eq!(
            seen,
            Feedback {
                order_number: String::new(),
                platform_comment: String::new(),
                ..f.clone()
            },
            "only the private fields are blanked"
        );
    }
}

#[test]
fn only_admins_sort_by_private_fields() {
    let by = |field| Sort {
        field,
        descending: false,
    };
    let query = FeedbackQuery {
        seller: Some(UserId(2)),
        ordering: vec![
            by(FeedbackSort::OrderNumber),
            by(FeedbackSort::SellerRating),
            by(FeedbackSort::PlatformComment),
            by(FeedbackSort::Order),
        ],
    };
    assert_eq!(
        query.clone().for_viewer(&user(9, Role::Admin)),
        query,
        "admins see every row whole"
    );
    let kept = query.clone().for_viewer(&user(1, Role::Buyer));
    assert_eq!(
        kept.ordering,
        [by(FeedbackSort::SellerRating), by(FeedbackSort::Order)]
    );
    assert_eq!(kept.seller, Some(UserId(2)));
}
