//! Money parsing on arbitrary text: it never panics, and whatever it accepts prints back as
//! a two-decimal string that parses to the same amount (exact to the paisa).
#![no_main]

use libfuzzer_sys::fuzz_target;
use madeinpk_domain::money::{Currency, Money};

fuzz_target!(|text: &str| {
    if let Ok(m) = Money::parse(text, Currency::Pkr) {
        let printed = m.to_decimal_string();
        let (_, decimals) = printed.split_once('.').expect("two decimals");
        assert_eq!(decimals.len(), 2, "{printed}");
        assert_eq!(Money::parse(&printed, Currency::Pkr), Ok(m), "{text:?} -> {printed}");
    }
});
