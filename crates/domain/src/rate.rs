//! Rates in basis points (1 bp = 0.01%) and round-half-up application to money.

use serde::{Deserialize, Serialize};

use crate::money::{Money, MoneyError};

/// A rate in basis points; 200 = 2%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BasisPoints(u32);

impl BasisPoints {
    /// The whole (100%).
    pub const WHOLE: u32 = 10_000;

    /// A rate; values above 100% are refused.
    pub fn new(bps: u32) -> Option<Self> {
        (bps <= Self::WHOLE).then_some(Self(bps))
    }

    /// The number of basis points.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// `round_half_up(amount × bps / 10000)` in minor units; exact for any `i64` amount.
    pub fn apply(self, amount: Money) -> Result<Money, MoneyError> {
        let product = i128::from(amount.minor()) * i128::from(self.0);
        let whole = i128::from(Self::WHOLE);
        // Half-up means away from zero at exactly .5, symmetric for refunds (negative amounts).
        let rounded = if product >= 0 {
            (product + whole / 2) / whole
        } else {
            -((-product + whole / 2) / whole)
        };
        let minor = i64::try_from(rounded).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::from_minor(minor, amount.currency()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_percent_rounds_half_up() {
        let two = BasisPoints::new(200).unwrap();
        assert_eq!(two.apply(Money::pkr(120_000)).unwrap(), Money::pkr(2_400));
        // 2% of 0.25 = 0.005 → 0.01
        assert_eq!(two.apply(Money::pkr(25)).unwrap(), Money::pkr(1));
        // 2% of 0.24 = 0.0048 → 0.00
        assert_eq!(two.apply(Money::pkr(24)).unwrap(), Money::pkr(0));
        assert_eq!(two.apply(Money::pkr(-25)).unwrap(), Money::pkr(-1));
    }

    #[test]
    fn refuses_more_than_whole() {
        assert!(BasisPoints::new(10_001).is_none());
        assert!(BasisPoints::new(10_000).is_some());
    }

    proptest! {
        #[test]
        fn fee_never_exceeds_amount_and_matches_exact_rational(minor in 0i64..10_000_000_000, bps in 0u32..=10_000) {
            let rate = BasisPoints::new(bps).unwrap();
            let fee = rate.apply(Money::pkr(minor)).unwrap().minor();
            prop_assert!(fee <= minor);
            // |fee × 10000 − minor × bps| ≤ 5000, and exactly at 5000 we round up.
            let diff = i128::from(fee) * 10_000 - i128::from(minor) * i128::from(bps);
            prop_assert!((-5_000..5_000).contains(&diff) || diff == 5_000);
        }
    }
}
