//! The platform commission: per seller, `fee = round_half_up(subtotal × bps / 10000)` and the
//! seller keeps the rest, so Σ seller amounts + Σ fees = total, exactly.

use crate::ids::UserId;
use crate::money::{Money, MoneyError};
use crate::rate::BasisPoints;

/// One seller's part of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SellerShare {
    /// The seller.
    pub seller: UserId,
    /// What the buyer pays for this seller's lines.
    pub subtotal: Money,
    /// The platform's commission on it.
    pub fee: Money,
    /// What the seller receives.
    pub seller_amount: Money,
}

/// An order's money: totals and the per-seller breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// What the buyer pays.
    pub total: Money,
    /// Σ fees.
    pub fee: Money,
    /// Σ seller amounts.
    pub seller_amount: Money,
    /// One entry per seller, in order of first appearance.
    pub sellers: Vec<SellerShare>,
}

/// Splits line subtotals `(seller, subtotal)` into per-seller shares at `rate`.
pub fn split(
    lines: impl IntoIterator<Item = (UserId, Money)>,
    rate: BasisPoints,
) -> Result<Split, MoneyError> {
    let mut subtotals: Vec<(UserId, Money)> = Vec::new();
    for (seller, amount) in lines {
        match subtotals.iter_mut().find(|(s, _)| *s == seller) {
            Some((_, sum)) => *sum = sum.checked_add(amount)?,
            None => subtotals.push((seller, amount)),
        }
    }
    let mut sellers = Vec::with_capacity(subtotals.len());
    for (seller, subtotal) in subtotals {
        let fee = rate.apply(subtotal)?;
        sellers.push(SellerShare {
            seller,
            subtotal,
            fee,
            seller_amount: subtotal.checked_sub(fee)?,
        });
    }
    let currency = sellers
        .first()
        .map_or(crate::money::Currency::Pkr, |s| s.subtotal.currency());
    Ok(Split {
        total: Money::sum(currency, sellers.iter().map(|s| s.subtotal))?,
        fee: Money::sum(currency, sellers.iter().map(|s| s.fee))?,
        seller_amount: Money::sum(currency, sellers.iter().map(|s| s.seller_amount))?,
        sellers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn two_percent() -> BasisPoints {
        BasisPoints::new(200).unwrap()
    }

    #[test]
    fn fee_is_rounded_half_up_per_seller() {
        // 2% of 12.25 = 0.245 → 0.25; 2% of 10.00 = 0.20.
        let s = split(
            [
                (UserId(1), Money::pkr(1000)),
                (UserId(2), Money::pkr(1225)),
                (UserId(1), Money::pkr(9000)),
            ],
            two_percent(),
        )
        .unwrap();
        assert_eq!(s.sellers.len(), 2);
        assert_eq!(s.sellers[0].seller, UserId(1));
        assert_eq!(s.sellers[0].subtotal, Money::pkr(10_000));
        assert_eq!(s.sellers[0].fee, Money::pkr(200));
        assert_eq!(s.sellers[0].seller_amount, Money::pkr(9_800));
        assert_eq!(s.sellers[1].fee, Money::pkr(25));
        assert_eq!(s.sellers[1].seller_amount, Money::pkr(1_200));
        assert_eq!(s.total, Money::pkr(11_225));
        assert_eq!(s.fee, Money::pkr(225));
        assert_eq!(s.seller_amount, Money::pkr(11_000));
    }

    #[test]
    fn an_empty_order_is_zero() {
        let s = split([], two_percent()).unwrap();
        assert!(s.total.is_zero() && s.fee.is_zero() && s.sellers.is_empty());
    }

    proptest! {
        // Random carts: 1–20 lines, 1–8 sellers, prices with random discounts and quantities.
        #[test]
        fn shares_add_up_to_the_total_to_the_paisa(
            lines in prop::collection::vec(
                (1i64..=8, 1i64..=10_000_000, 0u32..=9_999, 1i64..=20),
                1..=20,
            ),
            bps in 0u32..=10_000,
        ) {
            let rate = BasisPoints::new(bps).unwrap();
            let priced: Vec<(UserId, Money)> = lines
                .iter()
                .map(|&(seller, price, discount, qty)| {
                    let unit = crate::catalog::listing::discounted(Money::pkr(price), discount).unwrap();
                    (UserId(seller), unit.checked_mul(qty).unwrap())
                })
                .collect();
            let s = split(priced.clone(), rate).unwrap();
            let charged: i64 = priced.iter().map(|(_, m)| m.minor()).sum();
            prop_assert_eq!(s.total.minor(), charged);
            let shares: i64 = s.sellers.iter().map(|x| x.seller_amount.minor() + x.fee.minor()).sum();
            prop_assert_eq!(shares, charged);
            prop_assert_eq!(s.fee.minor() + s.seller_amount.minor(), charged);
            for share in &s.sellers {
                let subtotal: i128 = priced
                    .iter()
                    .filter(|(u, _)| *u == share.seller)
                    .map(|(_, m)| i128::from(m.minor()))
                    .sum();
                prop_assert_eq!(i128::from(share.subtotal.minor()), subtotal);
                // round_half_up(subtotal × bps / 10000), computed independently.
                let expected = (subtotal * i128::from(bps) * 2 + 10_000) / 20_000;
                prop_assert_eq!(i128::from(share.fee.minor()), expected);
                prop_assert!(share.seller_amount.minor() >= 0);
            }
        }
    }
}

/// Splits `total` in proportion to `weights` by largest remainder: the parts sum to `total`
/// exactly (for a seller's share across their lines, or a refund across sellers).
pub fn allocate(total: Money, weights: &[Money]) -> Vec<Money> {
    let minors: Vec<i64> = weights.iter().map(|w| w.minor()).collect();
    allocate_minor(total.minor(), &minors)
        .into_iter()
        .map(|p| Money::from_minor(p, total.currency()))
        .collect()
}

/// [`allocate`] over bare minor units, for amounts in a currency the domain does not model
/// (a settled amount shared across sellers).
pub fn allocate_minor(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    if sum == 0 {
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = total;
        }
        return parts;
    }
    let t = i128::from(total);
    let mut parts: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let exact = t * i128::from((*w).max(0));
            (exact.div_euclid(sum), exact.rem_euclid(sum))
        })
        .collect();
    let mut left = t - parts.iter().map(|p| p.0).sum::<i128>();
    // Largest remainders first; ties go to the earlier weight.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        parts[i].0 += 1;
        left -= 1;
    }
    // Each part lies between 0 and `total`, so it fits.
    parts
        .into_iter()
        .map(|(p, _)| i64::try_from(p).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod allocation_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn remainders_go_to_the_largest_fractions() {
        let parts = allocate(
            Money::pkr(100),
            &[Money::pkr(1), Money::pkr(1), Money::pkr(1)],
        );
        assert_eq!(parts, vec![Money::pkr(34), Money::pkr(33), Money::pkr(33)]);
        let parts = allocate(Money::pkr(1960), &[Money::pkr(1500), Money::pkr(500)]);
        assert_eq!(parts, vec![Money::pkr(1470), Money::pkr(490)]);
        assert_eq!(
            allocate(Money::pkr(5), &[Money::pkr(0)]),
            vec![Money::pkr(5)]
        );
        assert!(allocate(Money::pkr(5), &[]).is_empty());
    }

    proptest! {
        #[test]
        fn parts_always_sum_to_the_total(
            total in 0i64..=1_000_000_000,
            weights in prop::collection::vec(0i64..=100_000_000, 1..=12),
        ) {
            let w: Vec<Money> = weights.iter().copied().map(Money::pkr).collect();
            let parts = allocate(Money::pkr(total), &w);
            prop_assert_eq!(parts.len(), w.len());
            prop_assert_eq!(parts.iter().map(|p| p.minor()).sum::<i64>(), total);
            let sum: i128 = weights.iter().map(|x| i128::from(*x)).sum();
            if sum > 0 {
                for (p, x) in parts.iter().zip(&weights) {
                    // Within one paisa of the exact proportion.
                    let exact = i128::from(total) * i128::from(*x);
                    let p = i128::from(p.minor()) * sum;
                    prop_assert!((p - exact).abs() < sum);
                }
            }
        }
    }
}
