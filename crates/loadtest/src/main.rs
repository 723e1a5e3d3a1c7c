//! A small HTTP and WebSocket load tool. Scenarios: `catalogue` (N connections GET paths for a
//! fixed time, then requests per second and latency percentiles), `flash-sale` (many buyers race
//! for a few units through cart, checkout and the dev payment page, then throughput, latencies
//! and the oversell counter), `checkout` (buyers looping over a two-seller cart, checkout and
//! payment: latencies per step and the stock counters), `bid-storm` (many bidders on one auction: accepted bids per second
//! and the ordering counters) and `ws-fanout` (many watchers of one auction: time for a bid to
//! reach them all, lost messages). Bounded in time and requests; meant for loopback targets.

mod api;
mod bid_storm;
mod checkout;
mod flash_sale;
mod report;
mod ws_fanout;

use std::time::{Duration, Instant};

use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "loadtest",
    about = "Drive GET requests and report req/s, p50, p99"
)]
struct Args {
    /// Base URL of the server; several, comma-separated, are used in turn (one app, several
    /// instances).
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    base: String,
    /// `catalogue` (GET `--path`s), `flash-sale`, `checkout`, `bid-storm` or `ws-fanout`.
    #[arg(long, default_value = "catalogue")]
    scenario: String,
    /// Paths to request, cycled per connection (e.g. `/api/listings/?page=7`).
    #[arg(long = "path")]
    paths: Vec<String>,
    /// Flash sale: buyers racing; checkout: buyers looping.
    #[arg(long, default_value_t = 1000)]
    buyers: usize,
    /// Flash sale: units on sale.
    #[arg(long, default_value_t = 10)]
    units: i64,
    /// Bid storm: bidders at once.
    #[arg(long, default_value_t = 50)]
    bidders: usize,
    /// WebSocket fan-out: watchers connected to the auction.
    #[arg(long, default_value_t = 10_000)]
    watchers: usize,
    /// WebSocket fan-out: bids placed while they watch.
    #[arg(long, default_value_t = 20)]
    bids: usize,
    /// WebSocket fan-out: milliseconds between bids.
    #[arg(long, default_value_t = 500)]
    gap_ms: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Append the run's figures as a Markdown table row to this file.
    #[arg(long)]
    markdown: Option<String>,
    /// Catalogue: the row's name in `--markdown`.
    #[arg(long, default_value = "")]
    label: String,
    /// Checkout: count failed connections (a server being restarted) and go on.
    #[arg(long)]
    keep_going: bool,
    /// `Authorization: Token <key>` to send, if any.
    #[arg(long)]
    token: Option<String>,
    /// A `Cookie:` header to send (a console session), if any.
    #[arg(long)]
    cookie: Option<String>,
}

/// Latencies in microseconds and the error count of one connection.
struct Tally {
    latencies: Vec<u64>,
    errors: u64,
}

async fn connection(
    client: reqwest::Client,
    urls: Vec<String>,
    offset: usize,
    until: Instant,
    token: Option<String>,
    cookie: Option<String>,
) -> Tally {
    let mut tally = Tally {
        latencies: Vec::new(),
        errors: 0,
    };
    let mut i = offset;
    while Instant::now() < until {
        let url = &urls[i % urls.len()];
        i += 1;
        let mut req = client.get(url);
        if let Some(t) = &token {
            req = req.header("Authorization", format!("Token {t}"));
        }
        if let Some(c) = &cookie {
            req = req.header("Cookie", c.as_str());
        }
        let started = Instant::now();
        match req.send().await {
            Ok(res) if res.status().is_success() => {
                // Read the body: a response is done when it has arrived.
                if res.bytes().await.is_ok() {
                    tally
                        .latencies
                        .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
                } else {
                    tally.errors += 1;
                }
            }
            _ => tally.errors += 1,
        }
    }
    tally
}

/// The `p`-th percentile (0–100) of sorted values.
pub(crate) fn percentile(sorted: &[u64], p: u64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let last = sorted.len() - 1;
    let rank = usize::try_from(p).unwrap_or(100).min(100) * last / 100;
    sorted[rank]
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match args.scenario.as_str() {
        "catalogue" if !args.paths.is_empty() => catalogue(args).await,
        "flash-sale" => {
            let ok = flash_sale::run(
                &args.base,
                args.buyers,
                args.units,
                args.connections,
                args.markdown.as_deref(),
            )
            .await;
            if !ok {
                std::process::exit(1);
            }
        }
        "checkout" => {
            let ok = checkout::run(
                &args.base,
                args.buyers,
                args.duration,
                args.keep_going,
                args.markdown.as_deref(),
            )
            .await;
            if !ok {
                std::process::exit(1);
            }
        }
        "bid-storm" => {
            if !bid_storm::run(
                &args.base,
                args.bidders,
                args.duration,
                args.markdown.as_deref(),
            )
            .await
            {
                std::process::exit(1);
            }
        }
        "ws-fanout" => {
            if !ws_fanout::run(
                &args.base,
                args.watchers,
                args.bids,
                args.gap_ms,
                args.markdown.as_deref(),
            )
            .await
            {
                std::process::exit(1);
            }
        }
        other => {
            eprintln!("unknown scenario {other:?} (or no --path for catalogue)");
            std::process::exit(2);
        }
    }
}

async fn catalogue(args: Args) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()
        .expect("HTTP client");
    let urls: Vec<String> = args
        .paths
        .iter()
        .map(|p| {
            format!(
                "{}{}",
                args.base
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('/'),
                p
            )
        })
        .collect();
    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration);
    let tasks: Vec<_> = (0..args.connections.max(1))
        .map(|c| {
            tokio::spawn(connection(
                client.clone(),
                urls.clone(),
                c,
                until,
                args.token.clone(),
                args.cookie.clone(),
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let tally = t.await.expect("connection task");
        latencies.extend(tally.latencies);
        errors += tally.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let ok = latencies.len();
    #[allow(clippy::cast_precision_loss)] // request counts are far below 2^52
    let rate = ok as f64 / elapsed;
    println!(
        "{ok} ok, {errors} errors in {elapsed:.1} s over {} connections: {rate:.0} req/s, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        args.connections,
        ms(percentile(&latencies, 50)),
        ms(percentile(&latencies, 95)),
        ms(percentile(&latencies, 99)),
        ms(latencies.last().copied().unwrap_or(0)),
    );
    report::row(
        args.markdown.as_deref(),
        &[
            args.label.clone(),
            format!("{rate:.0}"),
            report::ms2(percentile(&latencies, 50)),
            report::ms2(percentile(&latencies, 99)),
            errors.to_string(),
        ],
    );
    if ok == 0 {
        std::process::exit(1);
    }
}

pub(crate) fn ms(micros: u64) -> f64 {
    // Latencies in microseconds fit f64 exactly.
    #[allow(clippy::cast_precision_loss)]
    let v = micros as f64 / 1000.0;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), 50);
        assert_eq!(percentile(&v, 99), 99);
        assert_eq!(percentile(&v, 100), 100);
        assert_eq!(percentile(&[], 99), 0);
    }
}
