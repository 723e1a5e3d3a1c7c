//! Flash sale: a seller lists a few units; many buyers add one to their cart, check out and pay
//! on the dev gateway's page, all at once. Reports throughput and latencies per step and the
//! correctness counters: units sold against units listed (oversold must be 0) and server errors.

use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use tokio::task::JoinSet;

use crate::api::{Api, app_path};
use crate::{ms, percentile};

#[derive(Default)]
struct Outcome {
    add: Option<(u16, u64)>,
    checkout: Option<(u16, u64)>,
    pay: Option<(u16, u64)>,
}

fn report(name: &str, samples: &mut [u64], total: usize) {
    samples.sort_unstable();
    println!(
        "  {name}: {} of {total} succeeded; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        samples.len(),
        ms(percentile(samples, 50)),
        ms(percentile(samples, 95)),
        ms(percentile(samples, 99)),
    );
}

/// Runs the scenario; false when a correctness counter is not 0.
pub async fn run(
    base: &str,
    buyers: usize,
    units: i64,
    connections: usize,
    md: Option<&str>,
) -> bool {
    let api = Arc::new(Api::new(base, connections.max(buyers)));
    let run_id = std::process::id();
    let seller = api
        .register(&format!("flash_seller_{run_id}"), "seller")
        .await
        .expect("seller registers");
    let listing = api
        .listing(&seller, "Flash sale shawl", "2500.00", units)
        .await
        .expect("listing created");
    let setup = Instant::now();
    let ready = api
        .buyers_with_addresses(&format!("flash_{run_id}"), buyers)
        .await;
    println!(
        "== flash sale: {} buyers for {units} units (setup {:.1} s)",
        ready.len(),
        setup.elapsed().as_secs_f64()
    );

    // The race: every buyer at once, each add → checkout → pay.
    let started = Instant::now();
    let mut set = JoinSet::new();
    for (token, address) in ready.clone() {
        let api = api.clone();
        set.spawn(async move {
            let mut out = Outcome::default();
            let (status, _, micros) = api
                .call(
                    reqwest::Method::POST,
                    "/api/cart/add_item/",
                    Some(&token),
                    Some(json!({"listing_id": listing, "quantity": 1})),
                )
                .await;
            out.add = Some((status, micros));
            if status != 201 {
                return out;
            }
            let (status, order, micros) = api
                .call(
                    reqwest::Method::POST,
                    "/api/cart/checkout/",
                    Some(&token),
                    Some(json!({"shipping_address_id": address})),
                )
                .await;
            out.checkout = Some((status, micros));
            if status != 201 {
                return out;
            }
            if let Some(path) = order["payment_url"]
                .as_str()
                .and_then(|u| app_path(u, "pay/"))
            {
                let (status, _, micros) = api.call(reqwest::Method::POST, &path, None, None).await;
                out.pay = Some((status, micros));
            }
            out
        });
    }
    let outcomes = set.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();
    let requests: usize = outcomes
        .iter()
        .map(|o| {
            usize::from(o.add.is_some())
                + usize::from(o.checkout.is_some())
                + usize::from(o.pay.is_some())
        })
        .sum();
    let server_errors = outcomes
        .iter()
        .flat_map(|o| [o.add, o.checkout, o.pay])
        .flatten()
        .filter(|(s, _)| *s == 0 || *s >= 500)
        .count();
    let ok = |pick: fn(&Outcome) -> Option<(u16, u64)>, want: u16| -> Vec<u64> {
        outcomes
            .iter()
            .filter_map(pick)
            .filter(|(s, _)| *s == want)
            .map(|(_, m)| m)
            .collect()
    };
    let mut adds = ok(|o| o.add, 201);
    let mut checkouts = ok(|o| o.checkout, 201);
    let mut pays = ok(|o| o.pay, 303);
    #[allow(clippy::cast_precision_loss)] // request counts are far below 2^52
    let rate = requests as f64 / elapsed;
    println!("  {requests} requests in {elapsed:.2} s: {rate:.0} req/s");
    report("add to cart (201)", &mut adds, ready.len());
    let added = adds.len();
    report("checkout (201)", &mut checkouts, added);
    report("pay on the dev page (303)", &mut pays, checkouts.len());

    let (_, after, _) = api
        .call(
            reqwest::Method::GET,
            &format!("/api/listings/{listing}/"),
            None,
            None,
        )
        .await;
    let left = after["quantity"].as_i64().unwrap_or(-1);
    let sold = i64::try_from(pays.len()).unwrap_or(i64::MAX);
    let oversold = (sold - units).max(0) + i64::from(left < 0);
    let unaccounted = units - left - sold;
    println!(
        "  units listed {units}, sold {sold}, left {left}; oversold {oversold}, unaccounted {unaccounted}, server errors {server_errors}"
    );
    let p = |v: &[u64], q| crate::report::ms2(percentile(v, q));
    crate::report::row(
        md,
        &[
            format!("{} × {units}", ready.len()),
            format!("{} (p99 {})", adds.len(), p(&adds, 99)),
            format!("{} (p95 {})", checkouts.len(), p(&checkouts, 95)),
            format!("{} (p95 {})", pays.len(), p(&pays, 95)),
            format!("{rate:.0}"),
            oversold.to_string(),
            unaccounted.to_string(),
            server_errors.to_string(),
        ],
    );
    oversold == 0 && unaccounted == 0 && server_errors == 0
}
