//! Exact money: integer minor units (paisa) tagged with a currency. Never floats.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Currencies the marketplace prices in; all have two decimal places.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Currency {
    /// Pakistani rupee; 1 PKR = 100 paisa.
    #[default]
    Pkr,
}

impl Currency {
    /// Minor units per major unit.
    pub const fn minor_per_major(self) -> i64 {
        match self {
            Self::Pkr => 100,
        }
    }

    /// ISO 4217 code in lower case, as Stripe wants it.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Pkr => "pkr",
        }
    }
}

/// Errors of money arithmetic and parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// A result does not fit in `i64` minor units.
    #[error("amount out of range")]
    Overflow,
    /// Two amounts of different currencies were combined.
    #[error("currency mismatch")]
    CurrencyMismatch,
    /// The text is not a decimal number.
    #[error("A valid number is required.")]
    NotANumber,
    /// More than two decimal places were given.
    #[error("Ensure that there are no more than 2 decimal places.")]
    TooManyDecimals,
}

/// Largest amount a `NUMERIC(12,2)` column... and the contract (10 digits) allow: 99,999,999.99.
pub const MAX_MINOR: i64 = 9_999_999_999;

/// An exact amount of money in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// Zero in the given currency.
    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// An amount from minor units (paisa for PKR).
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// PKR from paisa; the marketplace's default currency.
    pub const fn pkr(paisa: i64) -> Self {
        Self::from_minor(paisa, Currency::Pkr)
    }

    /// Minor units.
    pub const fn minor(self) -> i64 {
        self.minor
    }

    /// Currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// True when the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// True when the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.minor < 0
    }

    fn same(self, other: Self) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch)
        }
    }

    /// Checked addition.
    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.same(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// Checked subtraction.
    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.same(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// Checked multiplication by a whole quantity.
    pub fn checked_mul(self, quantity: i64) -> Result<Self, MoneyError> {
        let minor = self
            .minor
            .checked_mul(quantity)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// Exact sum of amounts in one currency; `currency` is used for the empty sum.
    pub fn sum<I: IntoIterator<Item = Self>>(
        currency: Currency,
        items: I,
    ) -> Result<Self, MoneyError> {
        items
            .into_iter()
            .try_fold(Self::zero(currency), Self::checked_add)
    }

    /// Parses a decimal string such as `"1500"`, `"1500.5"` or `"-3.25"` with at most two decimals.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
            return Err(MoneyError::NotANumber);
        }
        // Trailing zeros beyond two places carry no value ("1.500" is 1.50).
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 17 {
            return Err(MoneyError::Overflow);
        }
        let major: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::Overflow)?
        };
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| MoneyError::NotANumber)?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        let minor = major
            .checked_mul(currency.minor_per_major())
            .and_then(|m| m.checked_add(cents))
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(
            if negative { -minor } else { minor },
            currency,
        ))
    }

    /// Formats as a decimal string with exactly two places, e.g. `"1500.00"`.
    pub fn to_decimal_string(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = self.currency.minor_per_major();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let per = per.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / per, abs % per)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s, Currency::Pkr)
    }
}

/// JSON carries money as a two-place decimal string, as the front end expects.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Accepts a string or a JSON number with at most two decimals (PKR).
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(serde::de::Error::custom(MoneyError::NotANumber)),
        };
        Money::parse(&text, Currency::Pkr).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_with_two_places() {
        assert_eq!(Money::pkr(150_000).to_string(), "1500.00");
        assert_eq!(Money::pkr(29_166).to_string(), "291.66");
        assert_eq!(Money::pkr(5).to_string(), "0.05");
        assert_eq!(Money::pkr(-5).to_string(), "-0.05");
        assert_eq!(Money::pkr(0).to_string(), "0.00");
    }

    #[test]
    fn parses_decimal_text() {
        assert_eq!(Money::parse("1500", Currency::Pkr), Ok(Money::pkr(150_000)));
        assert_eq!(
            Money::parse("1500.5", Currency::Pkr),
            Ok(Money::pkr(150_050))
        );
        assert_eq!(Money::parse("0.05", Currency::Pkr), Ok(Money::pkr(5)));
        assert_eq!(Money::parse(".5", Currency::Pkr), Ok(Money::pkr(50)));
        assert_eq!(Money::parse("1.500", Currency::Pkr), Ok(Money::pkr(150)));
        assert_eq!(Money::parse("-3.25", Currency::Pkr), Ok(Money::pkr(-325)));
        assert_eq!(
            Money::parse("1.005", Currency::Pkr),
            Err(MoneyError::TooManyDecimals)
        );
        assert_eq!(
            Money::parse("abc", Currency::Pkr),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(Money::parse("", Currency::Pkr), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse("1e3", Currency::Pkr),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(
            Money::parse("99999999999999999999", Currency::Pkr),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn json_is_a_string_and_accepts_numbers() {
        assert_eq!(
            serde_json::to_string(&Money::pkr(120_000)).unwrap(),
            "\"1200.00\""
        );
        let m: Money = serde_json::from_str("\"12.30\"").unwrap();
        assert_eq!(m, Money::pkr(1230));
        let m: Money = serde_json::from_str("12.3").unwrap();
        assert_eq!(m, Money::pkr(1230));
        assert!(serde_json::from_str::<Money>("12.345").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
    }

    #[test]
    fn arithmetic_is_checked() {
        let big = Money::pkr(i64::MAX);
        assert_eq!(big.checked_add(Money::pkr(1)), Err(MoneyError::Overflow));
        assert_eq!(big.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(Money::pkr(29_166).checked_mul(3), Ok(Money::pkr(87_498)));
        assert_eq!(Money::pkr(5).checked_sub(Money::pkr(7)), Ok(Money::pkr(-2)));
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(minor in -MAX_MINOR..=MAX_MINOR) {
            let m = Money::pkr(minor);
            prop_assert_eq!(Money::parse(&m.to_string(), Currency::Pkr), Ok(m));
        }

        #[test]
        fn json_round_trips(minor in -MAX_MINOR..=MAX_MINOR) {
            let m = Money::pkr(minor);
            let json = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        }

        #[test]
        fn sum_is_exact(parts in proptest::collection::vec(0..MAX_MINOR, 0..50)) {
            let total = Money::sum(Currency::Pkr, parts.iter().map(|p| Money::pkr(*p))).unwrap();
            prop_assert_eq!(total.minor(), parts.iter().sum::<i64>());
        }

        #[test]
        fn add_then_sub_is_identity(a in -MAX_MINOR..MAX_MINOR, b in -MAX_MINOR..MAX_MINOR) {
            let x = Money::pkr(a).checked_add(Money::pkr(b)).unwrap();
            prop_assert_eq!(x.checked_sub(Money::pkr(b)).unwrap(), Money::pkr(a));
        }
    }
}
