//! The webhook's `Stripe-Signature` check on arbitrary headers, payloads and clocks: it never
//! panics, accepts only a header carrying the payload's own signature within the tolerance,
//! and always accepts what `sign` produced for the same secret and time.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/stripe/src/signature.rs"]
#[allow(dead_code)]
mod signature;

use signature::{TOLERANCE_SECS, sign, verify};

fuzz_target!(|input: (&str, &str, &[u8], i64, i64)| {
    let (secret, header, payload, now, skew) = input;
    if verify(secret, header, payload, now, TOLERANCE_SECS).is_ok() {
        // Accepted: the header must hold the payload's signature for its own timestamp.
        let t = header
            .split(',')
            .find_map(|p| p.trim().strip_prefix("t="))
            .and_then(|t| t.parse::<i64>().ok())
            .expect("an accepted header has a timestamp");
        assert!(now.abs_diff(t) <= TOLERANCE_SECS.unsigned_abs());
        let expected = sign(secret, t, payload);
        let v1 = &expected[expected.find("v1=").expect("v1") + 3..];
        assert!(header.contains(v1), "accepted without the payload's signature");
    }
    // Signed near `now`, or at any time at all (the clock and the header may be far apart).
    let t = if skew % 2 == 0 {
        now.saturating_sub(skew % (2 * TOLERANCE_SECS))
    } else {
        skew
    };
    let signed = sign(secret, t, payload);
    let fresh = now.abs_diff(t) <= TOLERANCE_SECS.unsigned_abs();
    assert_eq!(verify(secret, &signed, payload, now, TOLERANCE_SECS).is_ok(), fresh);
});
