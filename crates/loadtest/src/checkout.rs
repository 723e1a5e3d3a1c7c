//! Checkout, steady state: buyers loop over a two-seller cart (one unit from each of two
//! sellers' listings, a different pair each round, from as many sellers as buyers), checkout
//! and payment on the dev gateway's page for a fixed time.
//! Reports each step's latencies and the correctness counters: units taken from stock against
//! units in created orders (oversold / unaccounted must be 0), orders paid against payments
//! accepted, and server errors. With `keep_going`, failed connections (a server being killed
//! and restarted) are counted and retried instead of failing the run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::task::JoinSet;

use crate::api::{Api, app_path};
use crate::{ms, percentile};

/// How long past the run's end an unanswered checkout is still retried (a restart).
const GRACE: Duration = Duration::from_secs(30);

/// Units each listing starts with: enough for any bounded run, so no buyer meets a stock-out.
const STOCK: i64 = 1_000_000;

/// One buyer's tally.
#[derive(Default)]
struct Tally {
    add: Vec<u64>,
    checkout: Vec<u64>,
    pay: Vec<u64>,
    /// Orders this buyer created (each holds one unit of each of its two listings).
    orders: Vec<i64>,
    /// Units of each listing in the orders created.
    taken: std::collections::HashMap<i64, i64>,
    /// Orders whose payment the dev page accepted.
    paid: Vec<i64>,
    server_errors: u64,
    /// Requests that got no answer (server down).
    unanswered: u64,
}

impl Tally {
    /// Records a call's outcome; true when it had the wanted status.
    fn record(&mut self, step: Step, status: u16, want: u16, micros: u64) -> bool {
        match status {
            0 => self.unanswered += 1,
            s if s >= 500 => self.server_errors += 1,
            _ => {}
        }
        if status == want {
            match step {
                Step::Add => self.add.push(micros),
                Step::Checkout => self.checkout.push(micros),
                Step::Pay => self.pay.push(micros),
            }
        }
        status == want
    }
}

#[derive(Clone, Copy)]
enum Step {
    Add,
    Checkout,
    Pay,
}

fn report(name: &str, samples: &mut [u64]) {
    samples.sort_unstable();
    println!(
        "  {name}: {} ok; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        samples.len(),
        ms(percentile(samples, 50)),
        ms(percentile(samples, 95)),
        ms(percentile(samples, 99)),
    );
}

/// A seller with one listing of [`STOCK`] units; the listing's id.
async fn seller_listing(api: &Api, name: &str, price: &str) -> Option<i64> {
    let seller = api.register(name, "seller").await?;
    if !api.onboard(&seller).await {
        return None;
    }
    api.listing(&seller, &format!("{name} rug"), price, STOCK)
        .await
}

/// One buyer's loop until `until`.
async fn buyer(
    api: Arc<Api>,
    token: String,
    address: i64,
    all: Arc<Vec<i64>>,
    first: usize,
    until: Instant,
    keep_going: bool,
) -> Tally {
    let mut t = Tally::default();
    let mut attempt = 0u64;
    let mut round = first;
    while Instant::now() < until {
        // Two neighbouring sellers' listings, moving on each round.
        let listings = [all[round % all.len()], all[(round + 1) % all.len()]];
        round += 1;
        let mut added = true;
        for listing in listings {
            let (status, _, micros) = api
                .call(
                    reqwest::Method::POST,
                    "/api/cart/add_item/",
                    Some(&token),
                    Some(json!({"listing_id": listing, "quantity": 1})),
                )
                .await;
            added &= t.record(Step::Add, status, 201, micros);
        }
        if !added {
            // Start again from an empty cart (a line may have been added before a failure).
            let _ = api
                .call(
                    reqwest::Method::POST,
                    "/api/cart/clear/",
                    Some(&token),
                    None,
                )
                .await;
            if keep_going {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            break;
        }
        // A checkout that got no answer is retried under its key: the server may have placed
        // the order before it died, and the retry must return that order, not a second one.
        let key = format!("{token}-{attempt}");
        let (status, order, micros) = loop {
            let answer = api
                .call_with(
                    reqwest::Method::POST,
                    "/api/cart/checkout/",
                    Some(&token),
                    Some(json!({"shipping_address_id": address})),
                    &[("Idempotency-Key", key.as_str())],
                )
                .await;
            if answer.0 != 0 || !keep_going || Instant::now() >= until + GRACE {
                break answer;
            }
            t.unanswered += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        attempt += 1;
        if !t.record(Step::Checkout, status, 201, micros) {
            if keep_going {
                let _ = api
                    .call(
                        reqwest::Method::POST,
                        "/api/cart/clear/",
                        Some(&token),
                        None,
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            break;
        }
        let id = order["id"].as_i64().unwrap_or(0);
        t.orders.push(id);
        for listing in listings {
            *t.taken.entry(listing).or_default() += 1;
        }
        let Some(path) = order["payment_url"]
            .as_str()
            .and_then(|u| app_path(u, "pay/"))
        else {
            t.server_errors += 1;
            break;
        };
        let (status, _, micros) = loop {
            let answer = api.call(reqwest::Method::POST, &path, None, None).await;
            if answer.0 != 0 || !keep_going || Instant::now() >= until + GRACE {
                break answer;
            }
            // No answer: paid or not, the page tells on the retry (410 once it is paid).
            t.unanswered += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        if t.record(Step::Pay, status, 303, micros) {
            t.paid.push(id);
        } else if !keep_going {
            break;
        }
    }
    t
}

/// Runs the scenario; false when a correctness counter is not 0.
pub async fn run(
    base: &str,
    buyers: usize,
    seconds: u64,
    keep_going: bool,
    md: Option<&str>,
) -> bool {
    let api = Arc::new(Api::new(base, buyers * 2));
    let run_id = std::process::id();
    let mut listings = Vec::new();
    for i in 0..buyers.max(2) {
        let price = if i % 2 == 0 { "1500.00" } else { "999.99" };
        let listing = seller_listing(&api, &format!("co_seller_{i}_{run_id}"), price).await;
        listings.push(listing.expect("a seller's listing"));
    }
    let listings = Arc::new(listings);
    let setup = Instant::now();
    let ready = api
        .buyers_with_addresses(&format!("co_{run_id}"), buyers)
        .await;
    println!(
        "== checkout: {} buyers, two sellers' items per order, for {seconds} s (setup {:.1} s)",
        ready.len(),
        setup.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut set = JoinSet::new();
    for (i, (token, address)) in ready.into_iter().enumerate() {
        set.spawn(buyer(
            api.clone(),
            token,
            address,
            listings.clone(),
            i,
            until,
            keep_going,
        ));
    }
    let tallies = set.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();
    let gather = |pick: fn(&Tally) -> &Vec<u64>| -> Vec<u64> {
        tallies.iter().flat_map(|t| pick(t).clone()).collect()
    };
    let (mut adds, mut checkouts, mut pays) = (
        gather(|t| &t.add),
        gather(|t| &t.checkout),
        gather(|t| &t.pay),
    );
    let orders: Vec<i64> = tallies.iter().flat_map(|t| t.orders.clone()).collect();
    let paid: usize = tallies.iter().map(|t| t.paid.len()).sum();
    let server_errors: u64 = tallies.iter().map(|t| t.server_errors).sum();
    let unanswered: u64 = tallies.iter().map(|t| t.unanswered).sum();
    #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
    let rate = orders.len() as f64 / elapsed;
    println!(
        "  {} orders in {elapsed:.1} s ({rate:.0} checkouts/s), {paid} paid, {unanswered} requests unanswered",
        orders.len()
    );
    report("add to cart (201)", &mut adds);
    report("checkout of two sellers' items (201)", &mut checkouts);
    report("pay on the dev page (303)", &mut pays);

    // Stock: each created order holds its units until it is paid or expires.
    let mut oversold = 0;
    let mut unaccounted = 0;
    let mut taken = std::collections::HashMap::<i64, i64>::new();
    for t in &tallies {
        for (listing, units) in &t.taken {
            *taken.entry(*listing).or_default() += units;
        }
    }
    for &listing in listings.iter() {
        let created = taken.get(&listing).copied().unwrap_or(0);
        let (_, after, _) = api
            .call(
                reqwest::Method::GET,
                &format!("/api/listings/{listing}/"),
                None,
                None,
            )
            .await;
        let left = after["quantity"].as_i64().unwrap_or(-1);
        oversold += i64::from(left < 0);
        if !keep_going {
            // Without restarts every order the server created was answered, so it is counted.
            unaccounted += (STOCK - left - created).abs();
        }
    }
    println!(
        "  oversold {oversold}, unaccounted units {unaccounted}, server errors {server_errors}"
    );
    let p = |v: &[u64], q| crate::report::ms2(percentile(v, q));
    crate::report::row(
        md,
        &[
            buyers.to_string(),
            format!("{} ({rate:.0}/s)", orders.len()),
            p(&adds, 95),
            p(&checkouts, 50),
            format!("**{}**", p(&checkouts, 95)),
            p(&checkouts, 99),
            p(&pays, 95),
            oversold.to_string(),
            unaccounted.to_string(),
            server_errors.to_string(),
        ],
    );
    oversold == 0 && unaccounted == 0 && server_errors == 0
}
