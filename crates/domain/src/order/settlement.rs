//! Transfers in the settlement currency (design §2). A PKR charge may settle in the platform's
//! own currency; transfers are made in that currency. Each seller then gets their share of the
//! settled amount: the order's parts (every seller's amount by seller id, then the platform's
//! rest) share it by largest remainder, so the parts sum to the settled amount exactly and
//! every seller's job computes the same split on its own. Reversals of such a transfer are
//! computed cumulatively, so taking back a seller's whole amount takes back the whole transfer.

use crate::ids::UserId;
use crate::money::Money;
use crate::order::commission::allocate_minor;
use crate::order::payment::ProviderAmount;

/// What `seller` is transferred: their amount when the charge settled in its own currency (or
/// the settlement is not known), otherwise their share of the settled amount.
pub fn transfer_amount(
    seller: UserId,
    amount: Money,
    order_total: Money,
    payouts: &[(UserId, Money)],
    settled: Option<&ProviderAmount>,
) -> ProviderAmount {
    let Some(settled) = settled.filter(|s| !s.same_currency_as(amount)) else {
        return ProviderAmount::of(amount);
    };
    let mut parts: Vec<(UserId, Money)> = payouts.to_vec();
    parts.sort_by_key(|p| p.0);
    let mut weights: Vec<i64> = parts.iter().map(|p| p.1.minor()).collect();
    let paid_out: i64 = weights.iter().sum();
    weights.push((order_total.minor() - paid_out).max(0));
    let shares = allocate_minor(settled.minor, &weights);
    let minor = parts
        .iter()
        .position(|p| p.0 == seller)
        .map_or(0, |i| shares[i]);
    ProviderAmount {
        minor,
        currency: settled.currency.to_ascii_lowercase(),
    }
}

/// `value × numerator / denominator`, rounded half up (all non-negative).
fn scaled(value: i64, numerator: i64, denominator: i64) -> i64 {
    if denominator <= 0 {
        return 0;
    }
    let exact = i128::from(value) * i128::from(numerator);
    let d = i128::from(denominator);
    i64::try_from((2 * exact + d) / (2 * d)).unwrap_or(0)
}

/// The part of a transfer to take back when `this` more of the seller's `amount` is reversed,
/// `before` having been reversed already. In the order's own currency it is `this` itself.
pub fn reversal_amount(
    transferred: &ProviderAmount,
    amount: Money,
    before: Money,
    this: Money,
) -> ProviderAmount {
    if transferred.same_currency_as(amount) && transferred.minor == amount.minor() {
        return ProviderAmount::of(this);
    }
    let total = amount.minor();
    let after = scaled(transferred.minor, before.minor() + this.minor(), total);
    let already = scaled(transferred.minor, before.minor(), total);
    ProviderAmount {
        minor: (after - already).max(0),
        currency: transferred.currency.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(minor: i64) -> ProviderAmount {
        ProviderAmount {
            minor,
            currency: "usd".into(),
        }
    }

    #[test]
    fn a_charge_settled_in_its_own_currency_pays_the_seller_amount() {
        let payouts = [
            (UserId(2), Money::pkr(9_800)),
            (UserId(3), Money::pkr(4_900)),
        ];
        let own = ProviderAmount::of(Money::pkr(15_000));
        for settled in [None, Some(&own)] {
            let t = transfer_amount(
                UserId(3),
                Money::pkr(4_900),
                Money::pkr(15_000),
                &payouts,
                settled,
            );
            assert_eq!(t, ProviderAmount::of(Money::pkr(4_900)));
        }
    }

    #[test]
    fn a_settled_amount_is_shared_by_the_orders_parts() {
        // Rs. 150.00 settled as $0.53: sellers 98 and 49 of 150, the platform keeps the rest.
        let payouts = [
            (UserId(3), Money::pkr(4_900)),
            (UserId(2), Money::pkr(9_800)),
        ];
        let share = |seller: i64, amount: i64| {
            transfer_amount(
                UserId(seller),
                Money::pkr(amount),
                Money::pkr(15_000),
                &payouts,
                Some(&usd(53)),
            )
        };
        // 53 × 98/150 = 34.63, 53 × 49/150 = 17.31, 53 × 3/150 = 1.06: the one cent left goes
        // to the largest fraction (seller 2's).
        assert_eq!(share(2, 9_800), usd(35));
        assert_eq!(share(3, 4_900), usd(17));
    }

    #[test]
    fn reversals_in_the_orders_currency_are_the_refunded_part() {
        let t = ProviderAmount::of(Money::pkr(9_800));
        let r = reversal_amount(&t, Money::pkr(9_800), Money::pkr(1_000), Money::pkr(490));
        assert_eq!(r, ProviderAmount::of(Money::pkr(490)));
    }

    proptest! {
        #[test]
        fn settled_shares_sum_to_the_settled_amount(
            amounts in prop::collection::vec(1i64..=10_000_000, 1..=8),
            fee_bps in 0i64..=2_000,
            settled in 0i64..=5_000_000,
        ) {
            let payouts: Vec<(UserId, Money)> = amounts
                .iter()
                .enumerate()
                .map(|(i, a)| (UserId(i64::try_from(i).unwrap() + 1), Money::pkr(*a)))
                .collect();
            let paid: i64 = amounts.iter().sum();
            let total = Money::pkr(paid + paid * fee_bps / 10_000);
            let shares: Vec<i64> = payouts
                .iter()
                .map(|(s, a)| transfer_amount(*s, *a, total, &payouts, Some(&usd(settled))).minor)
                .collect();
            let sellers: i64 = shares.iter().sum();
            // The sellers' shares never exceed what settled, and with the platform's rest
            // (what `allocate` gives the last part) they make it exactly.
            prop_assert!(sellers <= settled);
            let mut weights: Vec<i64> = amounts.clone();
            weights.push(total.minor() - paid);
            let rest = crate::order::commission::allocate_minor(settled, &weights);
            prop_assert_eq!(sellers + rest[amounts.len()], settled);
        }

        #[test]
        fn reversals_of_a_whole_amount_take_back_the_whole_transfer(
            amount in 1i64..=10_000_000,
            transferred in 0i64..=5_000_000,
            cuts in prop::collection::vec(1i64..=100, 1..=6),
        ) {
            // Split the seller's amount into consecutive refunds ending in a full one.
            let sum: i64 = cuts.iter().sum();
            let mut parts: Vec<i64> = cuts.iter().map(|c| amount * c / sum).collect();
            let last = parts.len() - 1;
            parts[last] += amount - parts.iter().sum::<i64>();
            let mut before = 0;
            let mut taken = 0;
            for p in parts {
                let r = reversal_amount(&usd(transferred), Money::pkr(amount), Money::pkr(before), Money::pkr(p));
                prop_assert!(r.minor >= 0);
                taken += r.minor;
                before += p;
            }
            prop_assert_eq!(taken, transferred);
        }
    }
}
