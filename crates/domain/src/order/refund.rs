//! Refunds: what may still be refunded, and how a refund (whole order, chosen items and
//! quantities, or an amount) is allocated to sellers, with the platform fee given back in
//! proportion. Fee parts are computed cumulatively, so any sequence of refunds that ends with
//! the whole order returns exactly each seller's amount and the platform's fee, to the paisa.

use crate::ids::{OrderItemId, UserId};
use crate::money::{Currency, Money};
use crate::order::commission::allocate;
use crate::order::model::OrderError;
use crate::validation::FieldErrors;

/// An order line as refunds see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundableLine {
    /// The line.
    pub item: OrderItemId,
    /// Its seller.
    pub seller: UserId,
    /// Units bought.
    pub quantity: i32,
    /// Units refunded so far.
    pub refunded_quantity: i32,
    /// Price paid per unit.
    pub unit_price: Money,
}

/// One seller's money in the order and what was refunded of it so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SellerLedger {
    /// The seller.
    pub seller: UserId,
    /// What the buyer paid for the seller's lines.
    pub subtotal: Money,
    /// The platform's fee on it.
    pub fee: Money,
    /// Refunded to the buyer so far.
    pub refunded: Money,
    /// Fee given back so far.
    pub fee_refunded: Money,
}

impl SellerLedger {
    /// What may still be refunded.
    pub fn remaining(&self) -> Money {
        self.subtotal
            .checked_sub(self.refunded)
            .unwrap_or(Money::zero(self.subtotal.currency()))
    }

    /// The fee part of refunding `amount` more: `round_half_up(fee × refunded_after / subtotal)`
    /// minus what was already given back.
    pub fn fee_part(&self, amount: Money) -> Money {
        let after = i128::from(self.refunded.minor() + amount.minor());
        let subtotal = i128::from(self.subtotal.minor().max(1));
        let total = (i128::from(self.fee.minor()) * after * 2 + subtotal) / (subtotal * 2);
        let total = i64::try_from(total)
            .unwrap_or(i64::MAX)
            .min(self.fee.minor());
        Money::from_minor(total - self.fee_refunded.minor(), self.fee.currency())
    }
}

/// What to refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRequest {
    /// Everything that is left (of the caller's lines, for a seller).
    Full,
    /// These lines and quantities.
    Items(Vec<(OrderItemId, i32)>),
    /// This much, spread over the sellers by what each has left.
    Amount(Money),
}

/// One seller's part of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SellerRefund {
    /// The seller.
    pub seller: UserId,
    /// Refunded to the buyer from this seller's part.
    pub amount: Money,
    /// The platform fee given back with it.
    pub fee: Money,
    /// Taken back from the seller's transfer: `amount − fee`.
    pub reversal: Money,
}

/// A refund ready to record and execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundPlan {
    /// Total refunded to the buyer.
    pub amount: Money,
    /// Per seller.
    pub sellers: Vec<SellerRefund>,
    /// Lines and units refunded (restocked on request).
    pub items: Vec<(OrderItemId, i32)>,
    /// After it, nothing is left to refund.
    pub completes: bool,
}

/// Amounts by seller.
type SellerAmounts = Vec<(UserId, Money)>;
/// Units by order line.
type ItemQuantities = Vec<(OrderItemId, i32)>;

fn invalid(field: &str, msg: impl Into<String>) -> OrderError {
    FieldErrors::single(field, msg).into()
}

/// Plans a refund. `only` limits it to one seller's lines and money (a seller refunding their
/// own items); admins pass `None`.
pub fn plan_refund(
    lines: &[RefundableLine],
    ledgers: &[SellerLedger],
    request: &RefundRequest,
    only: Option<UserId>,
) -> Result<RefundPlan, OrderError> {
    let allowed = |seller: UserId| only.is_none_or(|s| s == seller);
    let scope: Vec<&SellerLedger> = ledgers.iter().filter(|l| allowed(l.seller)).collect();
    let left = Money::sum(Currency::Pkr, scope.iter().map(|l| l.remaining()))
        .map_err(|_| invalid("amount", "Amount too large"))?;
    if left.is_zero() {
        return Err(OrderError::Illegal(
            "Nothing is left to refund on this order".into(),
        ));
    }
    let (per_seller, items): (SellerAmounts, ItemQuantities) = match request {
        RefundRequest::Full => (
            scope.iter().map(|l| (l.seller, l.remaining())).collect(),
            lines
                .iter()
                .filter(|l| allowed(l.seller) && l.quantity > l.refunded_quantity)
                .map(|l| (l.item, l.quantity - l.refunded_quantity))
                .collect(),
        ),
        RefundRequest::Amount(amount) => {
            if amount.minor() < 1 {
                return Err(invalid(
                    "amount",
                    "Ensure this value is greater than or equal to 0.01.",
                ));
            }
            if amount.minor() > left.minor() {
                return Err(invalid(
                    "amount",
                    format!("At most {left} can still be refunded"),
                ));
            }
            let weights: Vec<Money> = scope.iter().map(|l| l.remaining()).collect();
            let parts = allocate(*amount, &weights);
            (
                scope.iter().map(|l| l.seller).zip(parts).collect(),
                Vec::new(),
            )
        }
        RefundRequest::Items(wanted) => {
            if wanted.is_empty() {
                return Err(invalid("items", "This list may not be empty."));
            }
            let mut per_seller: Vec<(UserId, Money)> = Vec::new();
            let mut items = Vec::new();
            for &(item, quantity) in wanted {
                let Some(line) = lines.iter().find(|l| l.item == item && allowed(l.seller)) else {
                    return Err(invalid("items", format!("Invalid item \"{item}\".")));
                };
                let open = line.quantity - line.refunded_quantity;
                if quantity < 1 || quantity > open || items.iter().any(|(i, _)| *i == item) {
                    return Err(invalid(
                        "items",
                        format!("Item {item}: between 1 and {open} units can be refunded."),
                    ));
                }
                let amount = line
                    .unit_price
                    .checked_mul(i64::from(quantity))
                    .map_err(|_| invalid("items", "Amount too large"))?;
                match per_seller.iter_mut().find(|(s, _)| *s == line.seller) {
                    Some((_, sum)) => *sum = sum.checked_add(amount).unwrap_or(*sum),
                    None => per_seller.push((line.seller, amount)),
                }
                items.push((item, quantity));
            }
            (per_seller, items)
        }
    };
    let mut sellers = Vec::new();
    for (seller, amount) in per_seller {
        if amount.is_zero() {
            continue;
        }
        let Some(ledger) = ledgers.iter().find(|l| l.seller == seller) else {
            continue;
        };
        if amount.minor() > ledger.remaining().minor() {
            return Err(invalid(
                "items",
                format!(
                    "At most {} can still be refunded for this seller",
                    ledger.remaining()
                ),
            ));
        }
        let fee = ledger.fee_part(amount);
        sellers.push(SellerRefund {
            seller,
            amount,
            fee,
            reversal: amount.checked_sub(fee).unwrap_or(amount),
        });
    }
    let amount = Money::sum(Currency::Pkr, sellers.iter().map(|s| s.amount))
        .map_err(|_| invalid("amount", "Amount too large"))?;
    let total_left =
        Money::sum(Currency::Pkr, ledgers.iter().map(SellerLedger::remaining)).unwrap_or(left);
    Ok(RefundPlan {
        completes: amount == total_left,
        amount,
        sellers,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ledger(seller: i64, subtotal: i64, fee: i64) -> SellerLedger {
        SellerLedger {
            seller: UserId(seller),
            subtotal: Money::pkr(subtotal),
            fee: Money::pkr(fee),
            refunded: Money::pkr(0),
            fee_refunded: Money::pkr(0),
        }
    }

    fn line(item: i64, seller: i64, quantity: i32, unit: i64) -> RefundableLine {
        RefundableLine {
            item: OrderItemId(item),
            seller: UserId(seller),
            quantity,
            refunded_quantity: 0,
            unit_price: Money::pkr(unit),
        }
    }

    /// The 3-seller order of the tests: 2 × 1000.00, 1 × 1225.00, 3 × 333.33.
    fn order() -> (Vec<RefundableLine>, Vec<SellerLedger>) {
        (
            vec![
                line(1, 7, 2, 100_000),
                line(2, 8, 1, 122_500),
                line(3, 9, 3, 33_333),
            ],
            vec![
                ledger(7, 200_000, 4_000),
                ledger(8, 122_500, 2_450),
                ledger(9, 99_999, 2_000),
            ],
        )
    }

    #[test]
    fn an_item_refund_touches_only_its_sellers_with_a_proportional_fee() {
        let (lines, ledgers) = order();
        let p = plan_refund(
            &lines,
            &ledgers,
            &RefundRequest::Items(vec![(OrderItemId(1), 1), (OrderItemId(3), 1)]),
            None,
        )
        .unwrap();
        assert_eq!(p.amount, Money::pkr(100_000 + 33_333));
        assert_eq!(p.sellers.len(), 2);
        // Half of seller 7's part: half the fee (20.00).
        assert_eq!(p.sellers[0].fee, Money::pkr(2_000));
        assert_eq!(p.sellers[0].reversal, Money::pkr(98_000));
        // A third of 999.99 with a 20.00 fee: 6.67 of fee (6.6667 rounded half up).
        assert_eq!(p.sellers[1].fee, Money::pkr(667));
        assert_eq!(p.sellers[1].reversal, Money::pkr(33_333 - 667));
        assert!(!p.completes);
    }

    #[test]
    fn sellers_refund_only_their_own_lines_and_money() {
        let (lines, ledgers) = order();
        let e = plan_refund(
            &lines,
            &ledgers,
            &RefundRequest::Items(vec![(OrderItemId(2), 1)]),
            Some(UserId(7)),
        )
        .unwrap_err();
        assert!(matches!(e, OrderError::Validation(_)));
        let p = plan_refund(&lines, &ledgers, &RefundRequest::Full, Some(UserId(8))).unwrap();
        assert_eq!(p.amount, Money::pkr(122_500));
        assert_eq!(p.items, vec![(OrderItemId(2), 1)]);
        assert_eq!(p.sellers[0].fee, Money::pkr(2_450));
    }

    #[test]
    fn refunds_never_exceed_what_is_left() {
        let (lines, mut ledgers) = order();
        let e = plan_refund(
            &lines,
            &ledgers,
            &RefundRequest::Amount(Money::pkr(422_500)),
            None,
        );
        assert!(matches!(e, Err(OrderError::Validation(_))));
        let e = plan_refund(
            &lines,
            &ledgers,
            &RefundRequest::Items(vec![(OrderItemId(1), 3)]),
            None,
        );
        assert!(matches!(e, Err(OrderError::Validation(_))));
        for l in &mut ledgers {
            l.refunded = l.subtotal;
            l.fee_refunded = l.fee;
        }
        let e = plan_refund(&lines, &ledgers, &RefundRequest::Full, None).unwrap_err();
        assert!(matches!(e, OrderError::Illegal(_)));
    }

    proptest! {
        // Any sequence of partial refunds followed by a full one gives back every paisa: the
        // buyer gets the total, each seller returns exactly their amount, the platform its fee.
        #[test]
        fn refunds_add_up_exactly(
            shares in prop::collection::vec(1i64..=5_000_000, 1..=6),
            steps in prop::collection::vec(1i64..=2_000_000, 0..=6),
        ) {
            let rate = crate::rate::BasisPoints::new(200).unwrap();
            let mut ledgers: Vec<SellerLedger> = shares
                .iter()
                .enumerate()
                .map(|(i, subtotal)| {
                    let fee = rate.apply(Money::pkr(*subtotal)).unwrap();
                    ledger(i64::try_from(i).unwrap(), *subtotal, fee.minor())
                })
                .collect();
            let total: i64 = ledgers.iter().map(|l| l.subtotal.minor()).sum();
            let mut refunded = 0i64;
            let mut requests: Vec<RefundRequest> = steps
                .iter()
                .map(|s| RefundRequest::Amount(Money::pkr(*s)))
                .collect();
            requests.push(RefundRequest::Full);
            for request in requests {
                let Ok(plan) = plan_refund(&[], &ledgers, &request, None) else { continue };
                for part in &plan.sellers {
                    prop_assert_eq!(part.amount.minor(), part.fee.minor() + part.reversal.minor());
                    prop_assert!(part.fee.minor() >= 0 && part.reversal.minor() >= 0);
                    let l = ledgers.iter_mut().find(|l| l.seller == part.seller).unwrap();
                    l.refunded = l.refunded.checked_add(part.amount).unwrap();
                    l.fee_refunded = l.fee_refunded.checked_add(part.fee).unwrap();
                    prop_assert!(l.refunded.minor() <= l.subtotal.minor());
                }
                refunded += plan.amount.minor();
            }
            prop_assert_eq!(refunded, total);
            for l in &ledgers {
                prop_assert_eq!(l.refunded, l.subtotal);
                prop_assert_eq!(l.fee_refunded, l.fee);
            }
        }
    }
}

/// What a refund is planned from, read under a lock on the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundState {
    /// The order's status.
    pub status: crate::order::model::OrderStatus,
    /// Its lines.
    pub lines: Vec<RefundableLine>,
    /// Its sellers' money.
    pub ledgers: Vec<SellerLedger>,
}

/// Plans a refund from the locked state (run by the adapter inside its transaction); `None`
/// when there is nothing to refund (a provider's report already accounted for).
pub type RefundPlanner =
    Box<dyn FnOnce(&RefundState) -> Result<Option<RefundPlan>, OrderError> + Send>;

/// A refund to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    /// The order.
    pub order: crate::ids::OrderId,
    /// Give the refunded units back to the listings.
    pub restock: bool,
    /// Why (free text).
    pub reason: String,
    /// Who asked (`None`: refunded at the provider, reported by its webhook).
    pub requested_by: Option<UserId>,
    /// The provider's refund, when it was made there already (only the reversals are left).
    pub provider_refund_id: Option<String>,
    /// When.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// A recorded refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// Id.
    pub id: crate::ids::RefundId,
    /// The plan it carried out.
    pub plan: RefundPlan,
}

/// What is left to do for a refund at the payment provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundWork {
    /// The refund.
    pub refund: crate::ids::RefundId,
    /// The payment intent refunded.
    pub payment_intent: Option<String>,
    /// Amount to the buyer.
    pub amount: Money,
    /// The provider's refund id, once made.
    pub provider_refund_id: Option<String>,
    /// Per seller.
    pub reversals: Vec<ReversalWork>,
}

/// One seller's reversal of a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalWork {
    /// The seller.
    pub seller: UserId,
    /// Taken back from their transfer.
    pub amount: Money,
    /// Done already.
    pub done: bool,
    /// Their transfer's status.
    pub transfer_status: Option<crate::order::payment::TransferStatus>,
    /// Their transfer's provider id.
    pub transfer_id: String,
    /// What their transfer paid, in its currency (`None` before it was made, or for transfers
    /// recorded before the settlement currency was kept: then the seller's amount).
    pub transferred: Option<crate::order::payment::ProviderAmount>,
    /// The seller's amount in the order.
    pub seller_amount: Money,
    /// Reversed by the seller's earlier refunds of this order.
    pub reversed_before: Money,
}

impl ReversalWork {
    /// What to take back from the transfer, in its currency.
    pub fn provider_amount(&self) -> crate::order::payment::ProviderAmount {
        let transferred = self
            .transferred
            .clone()
            .unwrap_or_else(|| crate::order::payment::ProviderAmount::of(self.seller_amount));
        crate::order::settlement::reversal_amount(
            &transferred,
            self.seller_amount,
            self.reversed_before,
            self.amount,
        )
    }
}

/// What became of a seller's part of a refund whose payout was not made when it was processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Netting {
    /// The payout is still to be made: it will be made smaller by this part (nothing to reverse).
    Netted,
    /// The payout is at the provider right now: wait for its outcome, then reverse.
    InFlight,
    /// The payout was made meanwhile: reverse it.
    Transferred,
}
