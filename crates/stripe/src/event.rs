//! Stripe events (`{"id", "type", "data": {"object": …}}`) parsed into the domain's
//! [`PaymentEvent`]; types the domain does not act on become [`PaymentEvent::Ignored`].

use madeinpk_domain::ids::OrderId;
use madeinpk_domain::money::Money;
use madeinpk_domain::order::payment::{AccountUpdate, PaymentEvent};
use serde_json::Value;

/// The body is not a Stripe event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Invalid payload")]
pub struct PayloadError;

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn flag(object: &Value, key: &str) -> bool {
    object.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn order_id(object: &Value) -> Option<OrderId> {
    let raw = object.get("metadata")?.get("order_id")?;
    raw.as_i64()
        .or_else(|| raw.as_str().and_then(|s| s.parse().ok()))
        .map(OrderId)
}

fn amount(object: &Value, key: &str) -> Option<Money> {
    // PKR is a two-decimal currency at Stripe: amounts are in paisa.
    object.get(key).and_then(Value::as_i64).map(Money::pkr)
}

/// Parses an event body into its id and what it means to the domain.
pub fn parse(body: &[u8]) -> Result<(String, PaymentEvent), PayloadError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| PayloadError)?;
    let id = text(&v, "id").ok_or(PayloadError)?;
    let kind = text(&v, "type").ok_or(PayloadError)?;
    let object = v
        .get("data")
        .and_then(|d| d.get("object"))
        .ok_or(PayloadError)?;
    let object_id = || text(object, "id").ok_or(PayloadError);
    let event = match kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            PaymentEvent::SessionCompleted {
                session_id: object_id()?,
                order_id: order_id(object),
                payment_intent: text(object, "payment_intent"),
                charge: None,
                amount: amount(object, "amount_total"),
                paid: object.get("payment_status").and_then(Value::as_str) == Some("paid"),
            }
        }
        "checkout.session.expired" => PaymentEvent::SessionExpired {
            session_id: object_id()?,
            order_id: order_id(object),
        },
        "payment_intent.succeeded" => PaymentEvent::PaymentSucceeded {
            payment_intent: object_id()?,
            order_id: order_id(object),
            charge: text(object, "latest_charge"),
            amount: amount(object, "amount_received"),
        },
        "payment_intent.payment_failed" => PaymentEvent::PaymentFailed {
            payment_intent: object_id()?,
            order_id: order_id(object),
            reason: object
                .get("last_payment_error")
                .and_then(|e| text(e, "message"))
                .unwrap_or_else(|| "The payment failed.".into()),
        },
        "account.updated" => PaymentEvent::AccountUpdated(AccountUpdate {
            account_id: object_id()?,
            details_submitted: flag(object, "details_submitted"),
            charges_enabled: flag(object, "charges_enabled"),
            payouts_enabled: flag(object, "payouts_enabled"),
            requirements: object
                .get("requirements")
                .cloned()
                .unwrap_or_else(|| serde_json::json!({})),
            created: v.get("created").and_then(Value::as_i64).unwrap_or(0),
        }),
        "charge.refunded" => PaymentEvent::ChargeRefunded {
            charge: object_id()?,
            payment_intent: text(object, "payment_intent"),
            transfer_group: text(object, "transfer_group"),
            amount_refunded: amount(object, "amount_refunded").ok_or(PayloadError)?,
            // Listed only by older API versions (newest first); the amount is what counts.
            refund: object
                .get("refunds")
                .and_then(|r| r.get("data"))
                .and_then(Value::as_array)
                .and_then(|d| d.first())
                .and_then(|r| text(r, "id")),
        },
        "transfer.reversed" => PaymentEvent::TransferReversed {
            transfer: object_id()?,
            amount_reversed: object
                .get("amount_reversed")
                .and_then(Value::as_i64)
                .ok_or(PayloadError)?,
        },
        _ => PaymentEvent::Ignored,
    };
    Ok((id, event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_completed_session_names_its_order_intent_and_amount() {
        let body = json!({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
            "id": "cs_1", "object": "checkout.session", "payment_intent": "pi_1",
            "payment_status": "paid", "amount_total": 150_000, "currency": "pkr",
            "metadata": {"order_id": "12", "order_number": "CART-000000000001"}}}});
        let (id, e) = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(id, "evt_1");
        assert_eq!(
            e,
            PaymentEvent::SessionCompleted {
                session_id: "cs_1".into(),
                order_id: Some(OrderId(12)),
                payment_intent: Some("pi_1".into()),
                charge: None,
                amount: Some(Money::pkr(150_000)),
                paid: true,
            }
        );
    }

    #[test]
    fn failures_carry_the_reason_and_unknown_types_are_ignored() {
        let body = json!({"id": "evt_2", "type": "payment_intent.payment_failed", "data": {"object": {
            "id": "pi_1", "last_payment_error": {"message": "Your card was declined."},
            "metadata": {"order_id": 3}}}});
        let (_, e) = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            e,
            PaymentEvent::PaymentFailed {
                payment_intent: "pi_1".into(),
                order_id: Some(OrderId(3)),
                reason: "Your card was declined.".into(),
            }
        );
        let body =
            json!({"id": "evt_3", "type": "customer.created", "data": {"object": {"id": "cus_1"}}});
        assert_eq!(
            parse(body.to_string().as_bytes()).unwrap().1,
            PaymentEvent::Ignored
        );
    }

    #[test]
    fn account_updates_carry_readiness_and_the_event_time() {
        let body = crate::dev::onboarded_event("acct_dev_7", 1_700);
        let (_, e) = parse(&body).unwrap();
        let PaymentEvent::AccountUpdated(u) = e else {
            panic!("{e:?}")
        };
        assert_eq!(u.account_id, "acct_dev_7");
        assert!(u.details_submitted && u.charges_enabled && u.payouts_enabled);
        assert_eq!(u.created, 1_700);
        assert_eq!(u.requirements["currently_due"], serde_json::json!([]));
    }

    #[test]
    fn bodies_that_are_not_events_are_refused() {
        for body in [
            &b"not json"[..],
            b"{}",
            br#"{"id":"evt","type":"x"}"#,
            b"[]",
        ] {
            assert_eq!(parse(body), Err(PayloadError));
        }
    }

    #[test]
    fn refunds_and_reversals_carry_cumulative_amounts() {
        let body = json!({"id": "evt_2", "type": "charge.refunded", "data": {"object": {
            "id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount": 150_000,
            "transfer_group": "CART-000000000001",
            "amount_refunded": 50_000, "currency": "pkr",
            "refunds": {"object": "list", "data": [{"id": "re_2"}, {"id": "re_1"}]}}}});
        let (_, e) = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            e,
            PaymentEvent::ChargeRefunded {
                charge: "ch_1".into(),
                payment_intent: Some("pi_1".into()),
                transfer_group: Some("CART-000000000001".into()),
                amount_refunded: Money::pkr(50_000),
                refund: Some("re_2".into()),
            }
        );
        let body = json!({"id": "evt_3", "type": "transfer.reversed", "data": {"object": {
            "id": "tr_1", "object": "transfer", "amount": 9_800, "amount_reversed": 9_800,
            "currency": "pkr", "reversed": true}}});
        let (_, e) = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            e,
            PaymentEvent::TransferReversed {
                transfer: "tr_1".into(),
                amount_reversed: 9_800,
            }
        );
        let broken =
            json!({"id": "evt_4", "type": "charge.refunded", "data": {"object": {"id": "ch_1"}}});
        assert_eq!(parse(broken.to_string().as_bytes()), Err(PayloadError));
    }
}
