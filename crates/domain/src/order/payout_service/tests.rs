//! Tests of `payout_service`.

use super::*;
use crate::clock::FixedClock;
use crate::ids::RefundId;
use crate::money::Money;
use crate::order::payment::{DueTransfer, ProviderAmount};
use crate::order::ports::{MockPaymentGateway, MockRefundRepository, MockTransferRepository};
use crate::order::refund::{RefundWork, ReversalWork};
use chrono::Utc;
use std::future::ready;
use std::sync::{Arc, Mutex};

fn reversal(status: TransferStatus, transfer: &str) -> ReversalWork {
    ReversalWork {
        seller: UserId(20),
        amount: Money::pkr(980),
        done: false,
        transfer_status: Some(status),
        transfer_id: transfer.into(),
        transferred: None,
        seller_amount: Money::pkr(9_800),
        reversed_before: Money::zero(crate::money::Currency::Pkr),
    }
}

fn work(provider_refund_id: Option<&str>, reversal: ReversalWork) -> RefundWork {
    RefundWork {
        refund: RefundId(4),
        payment_intent: Some("pi_1".into()),
        amount: Money::pkr(1_000),
        provider_refund_id: provider_refund_id.map(str::to_owned),
        reversals: vec![reversal],
    }
}

/// Seller 20's payout of order 1: Rs. 98 of a Rs. 150 order whose other seller (30) gets 49.
fn due(charge: Option<&str>) -> DueTransfer {
    DueTransfer {
        order_id: OrderId(1),
        order_number: "CART-000000000001".into(),
        seller: UserId(20),
        destination: Some("acct_20".into()),
        amount: Money::pkr(9_800),
        order_total: Money::pkr(15_000),
        payouts: vec![
            (UserId(20), Money::pkr(9_800)),
            (UserId(30), Money::pkr(4_900)),
        ],
        charge: charge.map(str::to_owned),
        payment_intent: Some("pi_1".into()),
        status: TransferStatus::Pending,
        seller_email_verified: true,
    }
}

fn settles(gateway: &mut MockPaymentGateway, settled: Option<ProviderAmount>) {
    gateway
        .expect_settlement()
        .withf(|pi, _| pi.as_deref() == Some("pi_1"))
        .returning(move |_, _| {
            Box::pin(ready(Ok(Settlement {
                charge: Some("ch_1".into()),
                settled: settled.clone(),
            })))
        });
}

#[tokio::test]
async fn a_crash_after_the_provider_refunded_retries_with_the_same_keys() {
    let work = work(None, reversal(TransferStatus::Succeeded, "tr_1"));
    let keys = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut refunds = MockRefundRepository::new();
    refunds
        .expect_refund_work()
        .times(2)
        .returning(move |_| Box::pin(ready(Ok(Some(work.clone())))));
    // The commit after the provider's answer fails the first time (a crash), then works.
    let mut failed_once = false;
    refunds
        .expect_refund_sent()
        .times(2)
        .returning(move |_, _, _| {
            let first = !failed_once;
            failed_once = true;
            Box::pin(ready(if first {
                Err(crate::store::StoreError::Unavailable("crash".into()))
            } else {
                Ok(())
            }))
        });
    refunds
        .expect_reversal_sent()
        .times(1)
        .returning(|_, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    let seen = keys.clone();
    gateway.expect_refund().times(2).returning(move |call| {
        seen.lock().unwrap().push(call.idempotency_key.clone());
        Box::pin(ready(Ok("re_1".into())))
    });
    let seen = keys.clone();
    gateway
        .expect_reverse_transfer()
        .times(1)
        .returning(move |call| {
            assert_eq!(call.transfer_id, "tr_1");
            assert_eq!(call.amount, ProviderAmount::of(Money::pkr(980)));
            seen.lock().unwrap().push(call.idempotency_key.clone());
            Box::pin(ready(Ok("trr_1".into())))
        });
    let payouts = Payouts::new(
        MockTransferRepository::new(),
        refunds,
        gateway,
        FixedClock(Utc::now()),
    );
    assert!(matches!(
        payouts.process_refund(RefundId(4)).await,
        JobOutcome::Retry(_)
    ));
    assert_eq!(payouts.process_refund(RefundId(4)).await, JobOutcome::Done);
    assert_eq!(
        *keys.lock().unwrap(),
        ["refund:4", "refund:4", "reversal:4:20"],
        "the retry sent the same key, so the provider refunds once"
    );
}

#[tokio::test]
async fn a_crash_after_the_provider_transferred_retries_the_same_request() {
    let mut transfers = MockTransferRepository::new();
    transfers
        .expect_due_transfer()
        .times(2)
        .returning(|_, _| Box::pin(ready(Ok(Some(due(None))))));
    transfers
        .expect_begin_transfer()
        .times(2)
        .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
    let mut failed_once = false;
    transfers
        .expect_transfer_succeeded()
        .times(2)
        .returning(move |_, _, _, _, _| {
            let first = !failed_once;
            failed_once = true;
            Box::pin(ready(if first {
                Err(crate::store::StoreError::Unavailable("crash".into()))
            } else {
                Ok(())
            }))
        });
    let mut gateway = MockPaymentGateway::new();
    settles(&mut gateway, Some(ProviderAmount::of(Money::pkr(15_000))));
    // A provider that dedupes on the key, as Stripe does: one transfer, however many calls.
    let made = Arc::new(Mutex::new(Vec::<TransferRequest>::new()));
    let seen = made.clone();
    gateway.expect_transfer().times(2).returning(move |t| {
        let mut made = seen.lock().unwrap();
        if let Some(first) = made.iter().find(|m| m.idempotency_key == t.idempotency_key) {
            assert_eq!(*first, t, "a key reused with other parameters is refused");
        } else {
            made.push(t);
        }
        Box::pin(ready(Ok("tr_1".into())))
    });
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        gateway,
        FixedClock(Utc::now()),
    );
    assert!(matches!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Retry(_)
    ));
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
    let made = made.lock().unwrap();
    assert_eq!(made.len(), 1, "one transfer at the provider");
    assert_eq!(made[0].idempotency_key, "transfer:1:20");
    assert_eq!(made[0].amount, ProviderAmount::of(Money::pkr(9_800)));
}

#[tokio::test]
async fn a_payout_reads_the_charge_when_the_payment_event_did_not_carry_it() {
    let mut transfers = MockTransferRepository::new();
    transfers
        .expect_due_transfer()
        .returning(|_, _| Box::pin(ready(Ok(Some(due(None))))));
    transfers
        .expect_begin_transfer()
        .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
    transfers
        .expect_transfer_succeeded()
        .withf(|_, _, id, paid, _| id == "tr_1" && *paid == ProviderAmount::of(Money::pkr(9_800)))
        .times(1)
        .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    settles(&mut gateway, None);
    gateway
        .expect_transfer()
        .withf(|t| {
            t.source_transaction.as_deref() == Some("ch_1")
                && t.idempotency_key == "transfer:1:20"
                && t.amount == ProviderAmount::of(Money::pkr(9_800))
                && t.transfer_group == "CART-000000000001"
        })
        .times(1)
        .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        gateway,
        FixedClock(Utc::now()),
    );
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
}

#[tokio::test]
async fn a_charge_settled_in_another_currency_pays_the_sellers_share_of_it() {
    let usd = |minor| ProviderAmount {
        minor,
        currency: "usd".into(),
    };
    let mut transfers = MockTransferRepository::new();
    transfers
        .expect_due_transfer()
        .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
    transfers
        .expect_begin_transfer()
        .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
    transfers
        .expect_transfer_succeeded()
        .withf(move |_, _, _, paid, _| *paid == usd(35))
        .times(1)
        .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    settles(&mut gateway, Some(usd(53)));
    gateway
        .expect_transfer()
        .withf(move |t| t.amount == usd(35) && t.source_transaction.as_deref() == Some("ch_1"))
        .times(1)
        .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        gateway,
        FixedClock(Utc::now()),
    );
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
}

#[tokio::test]
async fn a_reversal_of_a_settled_transfer_is_in_its_currency() {
    let mut part = reversal(TransferStatus::Succeeded, "tr_1");
    part.transferred = Some(ProviderAmount {
        minor: 35,
        currency: "usd".into(),
    });
    // The rest of the seller's amount: the rest of the transfer.
    part.reversed_before = Money::pkr(8_820);
    let work = work(Some("re_1"), part);
    let mut refunds = MockRefundRepository::new();
    refunds
        .expect_refund_work()
        .returning(move |_| Box::pin(ready(Ok(Some(work.clone())))));
    refunds
        .expect_reversal_sent()
        .times(1)
        .returning(|_, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_refund().never();
    gateway
        .expect_reverse_transfer()
        .withf(|c| {
            // 35 − round(35 × 8820 / 9800) = 35 − 32 = 3 cents.
            c.amount.minor == 3 && c.amount.currency == "usd"
        })
        .times(1)
        .returning(|_| Box::pin(ready(Ok("trr_1".into()))));
    let payouts = Payouts::new(
        MockTransferRepository::new(),
        refunds,
        gateway,
        FixedClock(Utc::now()),
    );
    assert_eq!(payouts.process_refund(RefundId(4)).await, JobOutcome::Done);
}

#[tokio::test]
async fn a_payout_being_sent_is_waited_for_and_one_not_sent_yet_is_netted() {
    let work = work(Some("re_1"), reversal(TransferStatus::Pending, ""));
    let mut refunds = MockRefundRepository::new();
    refunds
        .expect_refund_work()
        .returning(move |_| Box::pin(ready(Ok(Some(work.clone())))));
    // First the payout is at the provider, then (a retry later) it turns out not sent.
    let mut calls = 0;
    refunds
        .expect_net_reversal()
        .withf(|r, s| *r == RefundId(4) && *s == UserId(20))
        .times(2)
        .returning(move |_, _| {
            calls += 1;
            Box::pin(ready(Ok(if calls == 1 {
                Netting::InFlight
            } else {
                Netting::Netted
            })))
        });
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_refund().never();
    gateway.expect_reverse_transfer().never();
    let payouts = Payouts::new(
        MockTransferRepository::new(),
        refunds,
        gateway,
        FixedClock(Utc::now()),
    );
    assert!(matches!(
        payouts.process_refund(RefundId(4)).await,
        JobOutcome::Retry(_)
    ));
    assert_eq!(payouts.process_refund(RefundId(4)).await, JobOutcome::Done);
}

#[tokio::test]
async fn a_payout_made_after_a_refund_is_sent_less_the_refunded_part() {
    let mut transfers = MockTransferRepository::new();
    transfers
        .expect_due_transfer()
        .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
    // Rs. 9.80 of the seller's Rs. 98.00 was refunded before the payout.
    transfers
        .expect_begin_transfer()
        .times(1)
        .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(980))))));
    transfers
        .expect_transfer_succeeded()
        .withf(|_, _, id, paid, _| id == "tr_1" && *paid == ProviderAmount::of(Money::pkr(9_800)))
        .times(1)
        .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    settles(&mut gateway, None);
    gateway
        .expect_transfer()
        .withf(|t| t.amount == ProviderAmount::of(Money::pkr(8_820)))
        .times(1)
        .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        gateway,
        FixedClock(Utc::now()),
    );
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
}

#[tokio::test]
async fn a_payout_refunded_whole_before_it_was_made_sends_nothing() {
    let mut transfers = MockTransferRepository::new();
    transfers
        .expect_due_transfer()
        .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
    transfers
        .expect_begin_transfer()
        .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(9_800))))));
    transfers
        .expect_transfer_succeeded()
        .withf(|_, _, id, _, _| id.is_empty())
        .times(1)
        .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    settles(&mut gateway, None);
    gateway.expect_transfer().never();
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        gateway,
        FixedClock(Utc::now()),
    );
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
}

#[tokio::test]
async fn an_unknown_outcome_keeps_the_payout_processing_and_a_refusal_makes_it_pending() {
    for (error, then) in [
        (
            crate::order::payment::PaymentError::Unavailable("timeout".into()),
            TransferStatus::Processing,
        ),
        (
            crate::order::payment::PaymentError::Refused("no capability".into()),
            TransferStatus::Pending,
        ),
    ] {
        let mut transfers = MockTransferRepository::new();
        transfers
            .expect_due_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(due(Some("ch_1")))))));
        transfers
            .expect_begin_transfer()
            .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
        transfers
            .expect_transfer_failed()
            .withf(move |_, _, _, t| *t == then)
            .times(1)
            .returning(|_, _, _, _| Box::pin(ready(Ok(()))));
        let mut gateway = MockPaymentGateway::new();
        settles(&mut gateway, None);
        let e = error.clone();
        gateway
            .expect_transfer()
            .returning(move |_| Box::pin(ready(Err(e.clone()))));
        let payouts = Payouts::new(
            transfers,
            MockRefundRepository::new(),
            gateway,
            FixedClock(Utc::now()),
        );
        assert!(matches!(
            payouts.pay_out(OrderId(1), UserId(20)).await,
            JobOutcome::Retry(_)
        ));
    }
}

#[tokio::test]
async fn with_the_email_gate_an_unverified_sellers_payout_is_held_and_nothing_is_sent() {
    let mut transfers = MockTransferRepository::new();
    transfers.expect_due_transfer().times(1).returning(|_, _| {
        let mut unverified = due(Some("ch_1"));
        unverified.seller_email_verified = false;
        Box::pin(ready(Ok(Some(unverified))))
    });
    // No begin_transfer and no gateway call: the mocks would panic on either.
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        MockPaymentGateway::new(),
        FixedClock(Utc::now()),
    )
    .holding_unverified(true);
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
}

#[tokio::test]
async fn without_the_email_gate_an_unverified_seller_is_paid_as_before() {
    let mut transfers = MockTransferRepository::new();
    transfers.expect_due_transfer().times(1).returning(|_, _| {
        let mut unverified = due(Some("ch_1"));
        unverified.seller_email_verified = false;
        Box::pin(ready(Ok(Some(unverified))))
    });
    transfers
        .expect_begin_transfer()
        .times(1)
        .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
    transfers
        .expect_transfer_succeeded()
        .times(1)
        .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    settles(&mut gateway, Some(ProviderAmount::of(Money::pkr(15_000))));
    gateway
        .expect_transfer()
        .times(1)
        .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        gateway,
        FixedClock(Utc::now()),
    );
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
}

#[tokio::test]
async fn the_email_gate_never_strands_a_payout_already_processing() {
    let mut transfers = MockTransferRepository::new();
    transfers.expect_due_transfer().times(1).returning(|_, _| {
        let mut in_flight = due(Some("ch_1"));
        in_flight.seller_email_verified = false;
        in_flight.status = TransferStatus::Processing;
        Box::pin(ready(Ok(Some(in_flight))))
    });
    transfers
        .expect_begin_transfer()
        .times(1)
        .returning(|_, _| Box::pin(ready(Ok(Some(Money::pkr(0))))));
    transfers
        .expect_transfer_succeeded()
        .times(1)
        .returning(|_, _, _, _, _| Box::pin(ready(Ok(()))));
    let mut gateway = MockPaymentGateway::new();
    settles(&mut gateway, Some(ProviderAmount::of(Money::pkr(15_000))));
    // It may have been paid already: it finishes under its key.
    gateway
        .expect_transfer()
        .times(1)
        .returning(|_| Box::pin(ready(Ok("tr_1".into()))));
    let payouts = Payouts::new(
        transfers,
        MockRefundRepository::new(),
        gateway,
        FixedClock(Utc::now()),
    )
    .holding_unverified(true);
    assert_eq!(
        payouts.pay_out(OrderId(1), UserId(20)).await,
        JobOutcome::Done
    );
}
