//! Exact conversion between `NUMERIC(12,2)` columns and domain `Money`.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use madeinpk_domain::money::{Currency, Money, MoneyError};

/// `Money` → `NUMERIC` with scale 2.
pub fn to_numeric(m: Money) -> BigDecimal {
    BigDecimal::new(BigInt::from(m.minor()), 2)
}

/// `NUMERIC` → `Money`; refuses more than two decimals that are not zero.
pub fn from_numeric(n: &BigDecimal, currency: Currency) -> Result<Money, MoneyError> {
    let scaled = n.with_scale(2);
    if &scaled != n {
        return Err(MoneyError::TooManyDecimals);
    }
    let (digits, _) = scaled.as_bigint_and_exponent();
    let minor = i64::try_from(digits).map_err(|_| MoneyError::Overflow)?;
    Ok(Money::from_minor(minor, currency))
}

/// A PKR money column (`NUMERIC(12,2)`, which always converts exactly).
pub fn pkr(n: &BigDecimal) -> Money {
    from_numeric(n, Currency::Pkr).unwrap_or(Money::pkr(0))
}

/// A rating `NUMERIC(3,2)` in hundredths.
pub fn hundredths(n: &BigDecimal) -> i32 {
    let (digits, _) = n.with_scale(2).as_bigint_and_exponent();
    i32::try_from(digits).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_exactly() {
        for minor in [0, 1, -1, 99, 150_000, 9_999_999_999] {
            let m = Money::pkr(minor);
            assert_eq!(from_numeric(&to_numeric(m), Currency::Pkr), Ok(m));
        }
        assert_eq!(to_numeric(Money::pkr(29_166)).to_string(), "291.66");
    }

    #[test]
    fn refuses_fractions_of_a_paisa() {
        let n = BigDecimal::from_str("291.66375").unwrap();
        assert_eq!(
            from_numeric(&n, Currency::Pkr),
            Err(MoneyError::TooManyDecimals)
        );
        let n = BigDecimal::from_str("1176.0000").unwrap();
        assert_eq!(from_numeric(&n, Currency::Pkr), Ok(Money::pkr(117_600)));
    }

    #[test]
    fn ratings() {
        assert_eq!(hundredths(&BigDecimal::from_str("4.5").unwrap()), 450);
        assert_eq!(hundredths(&BigDecimal::from_str("0").unwrap()), 0);
    }
}
