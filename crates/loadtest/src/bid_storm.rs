//! Bid storm: many bidders hammer one hot auction over REST for a fixed time, each bidding the
//! next amount from a shared counter (so bids arrive out of order and the lower ones are
//! refused, as in a real storm). Reports accepted bids per second, latencies, and the
//! correctness counters: accepted bids missing from the auction's history, history entries out
//! of order, and whether the final price is the highest accepted bid.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::task::JoinSet;

use crate::api::Api;
use crate::{ms, percentile};

/// One bidder's tally.
#[derive(Default)]
struct Tally {
    accepted: Vec<i64>,
    latencies: Vec<u64>,
    accepted_latencies: Vec<u64>,
    refused: u64,
    errors: u64,
}

/// Paisa from a `"1234.56"` string.
fn paisa(v: &serde_json::Value) -> Option<i64> {
    let (whole, frac) = v.as_str()?.split_once('.')?;
    Some(whole.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?)
}

/// Runs the scenario; false when a correctness counter is not 0.
pub async fn run(base: &str, bidders: usize, seconds: u64, md: Option<&str>) -> bool {
    let api = Arc::new(Api::new(base, bidders));
    let run_id = std::process::id();
    let seller = api
        .register(&format!("storm_seller_{run_id}"), "seller")
        .await
        .expect("seller registers");
    let auction = api
        .auction(&seller, "1000.00", 120)
        .await
        .expect("auction created");
    let setup = Instant::now();
    let tokens = api.register_many(&format!("storm_{run_id}"), bidders).await;
    println!(
        "== bid storm: {} bidders on auction {auction} for {seconds} s (setup {:.1} s)",
        tokens.len(),
        setup.elapsed().as_secs_f64()
    );

    // Amounts from Rs. 1,000.01 up, one paisa apart, handed out in order of asking.
    let next = Arc::new(AtomicI64::new(100_001));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let path = format!("/api/auctions/{auction}/place_bid/");
    let mut set = JoinSet::new();
    for token in tokens {
        let (api, next, path) = (api.clone(), next.clone(), path.clone());
        set.spawn(async move {
            let mut t = Tally::default();
            while Instant::now() < until {
                let amount = next.fetch_add(1, Ordering::Relaxed);
                let body = json!({"amount": format!("{}.{:02}", amount / 100, amount % 100)});
                let (status, _, micros) = api
                    .call(reqwest::Method::POST, &path, Some(&token), Some(body))
                    .await;
                t.latencies.push(micros);
                match status {
                    201 => {
                        t.accepted.push(amount);
                        t.accepted_latencies.push(micros);
                    }
                    400 => t.refused += 1,
                    _ => t.errors += 1,
                }
            }
            t
        });
    }
    let tallies = set.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut accepted: Vec<i64> = tallies.iter().flat_map(|t| t.accepted.clone()).collect();
    let mut latencies: Vec<u64> = tallies.iter().flat_map(|t| t.latencies.clone()).collect();
    let mut accepted_latencies: Vec<u64> = tallies
        .iter()
        .flat_map(|t| t.accepted_latencies.clone())
        .collect();
    let refused: u64 = tallies.iter().map(|t| t.refused).sum();
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    latencies.sort_unstable();
    accepted_latencies.sort_unstable();
    accepted.sort_unstable();
    #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
    let (rate, accepted_rate) = (
        latencies.len() as f64 / elapsed,
        accepted.len() as f64 / elapsed,
    );
    println!(
        "  {} bids in {elapsed:.1} s ({rate:.0}/s): {} accepted ({accepted_rate:.0}/s), {refused} refused as too low, {errors} errors",
        latencies.len(),
        accepted.len()
    );
    println!(
        "  every bid: p50 {:.2} ms, p99 {:.2} ms; accepted: p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&latencies, 50)),
        ms(percentile(&latencies, 99)),
        ms(percentile(&accepted_latencies, 50)),
        ms(percentile(&accepted_latencies, 99)),
    );

    // The auction's own record: its history newest first, its price.
    let (_, history, _) = api
        .call(
            reqwest::Method::GET,
            &format!("/api/auctions/{auction}/bids/"),
            None,
            None,
        )
        .await;
    let amounts: Vec<i64> = history
        .as_array()
        .map(|a| a.iter().filter_map(|b| paisa(&b["amount"])).collect())
        .unwrap_or_default();
    // Newest first: every entry must be below the one before it.
    let out_of_order = amounts.windows(2).filter(|w| w[0] <= w[1]).count();
    let mut recorded = amounts.clone();
    recorded.sort_unstable();
    // Accepted but not recorded, or recorded but never accepted (amounts are unique).
    let missing = accepted
        .iter()
        .filter(|a| recorded.binary_search(a).is_err())
        .count()
        + recorded
            .iter()
            .filter(|r| accepted.binary_search(r).is_err())
            .count();
    let (_, state, _) = api
        .call(
            reqwest::Method::GET,
            &format!("/api/auctions/{auction}/"),
            None,
            None,
        )
        .await;
    let price = paisa(&state["current_price"]).unwrap_or(-1);
    let highest = accepted.last().copied().unwrap_or(100_000);
    let wrong_price = u64::from(price != highest);
    println!(
        "  out-of-order bids {out_of_order}, accepted bids missing {missing}, final price {} (highest accepted {}): wrong {wrong_price}, server errors {errors}",
        state["current_price"],
        json!(format!("{}.{:02}", highest / 100, highest % 100)),
    );
    crate::report::row(
        md,
        &[
            bidders.to_string(),
            format!("{} ({rate:.0}/s)", latencies.len()),
            accepted.len().to_string(),
            format!("**{accepted_rate:.0}**"),
            refused.to_string(),
            errors.to_string(),
            crate::report::ms2(percentile(&latencies, 50)),
            crate::report::ms2(percentile(&latencies, 99)),
            out_of_order.to_string(),
            missing.to_string(),
            wrong_price.to_string(),
        ],
    );
    out_of_order == 0 && missing == 0 && wrong_price == 0 && errors == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_strings_read_as_paisa() {
        assert_eq!(super::paisa(&serde_json::json!("1000.01")), Some(100_001));
        assert_eq!(super::paisa(&serde_json::json!("12.50")), Some(1_250));
        assert_eq!(super::paisa(&serde_json::json!(12)), None);
    }
}
