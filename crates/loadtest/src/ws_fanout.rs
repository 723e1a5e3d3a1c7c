//! WebSocket fan-out: many watchers connect to one auction, then one bidder places a series of
//! bids over REST; each watcher times every `new_bid` from the moment its bid was sent. Reports
//! the delivery latency per message, the time for each bid to reach every watcher, and the
//! correctness counter: messages lost (watchers × bids − deliveries).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::{Barrier, Semaphore};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

use crate::api::Api;
use crate::{ms, percentile};

/// When each bid was sent (bid `i` is Rs. 1,001 + i), in microseconds after `Clock::start`
/// (0: not yet). Lock-free: ten thousand readers per message must not queue on a mutex.
struct Clock {
    start: Instant,
    sent: Vec<AtomicU64>,
}

impl Clock {
    fn mark(&self, bid: usize) {
        let micros = u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.sent[bid].store(micros.max(1), Ordering::Release);
    }

    /// When the bid of this amount string was sent.
    fn sent_at(&self, amount: &str) -> Option<Instant> {
        let rupees: usize = amount.strip_suffix(".00")?.parse().ok()?;
        let micros = self
            .sent
            .get(rupees.checked_sub(1_001)?)?
            .load(Ordering::Acquire);
        (micros > 0).then(|| self.start + Duration::from_micros(micros))
    }
}

type Sent = Arc<Clock>;

/// The amount of a `new_bid` message, found without parsing the whole message (the watchers
/// share the server's two cores, so their work is kept small).
fn new_bid_amount(text: &str) -> Option<&str> {
    if !text.contains("\"new_bid\"") {
        return None;
    }
    let rest = &text[text.find("\"amount\":\"")? + 10..];
    Some(&rest[..rest.find('"')?])
}

/// What one watcher saw: (amount, microseconds from the bid's sending to its arrival).
type Seen = Vec<(String, u64)>;

async fn watch(
    url: String,
    bids: usize,
    gate: Arc<Semaphore>,
    connected: Arc<Barrier>,
    sent: Sent,
) -> Option<Seen> {
    let opened = {
        // A bounded number of handshakes at once, as a real crowd trickles in.
        let _permit = gate.acquire_owned().await.ok()?;
        tokio_tungstenite::connect_async(&url).await.ok()
    };
    let Some((mut socket, _)) = opened else {
        connected.wait().await;
        return None;
    };
    // The status on connect comes first.
    let status = tokio::time::timeout(Duration::from_secs(30), socket.next()).await;
    let ok = matches!(status, Ok(Some(Ok(Message::Text(_)))));
    connected.wait().await;
    if !ok {
        return None;
    }
    let mut seen = Vec::with_capacity(bids);
    while seen.len() < bids {
        let Ok(Some(Ok(frame))) =
            tokio::time::timeout(Duration::from_secs(20), socket.next()).await
        else {
            break;
        };
        let Message::Text(text) = frame else { continue };
        let arrived = Instant::now();
        let Some(amount) = new_bid_amount(&text) else {
            continue;
        };
        if let Some(at) = sent.sent_at(amount) {
            let micros = u64::try_from(arrived.saturating_duration_since(at).as_micros())
                .unwrap_or(u64::MAX);
            seen.push((amount.to_owned(), micros));
        }
    }
    Some(seen)
}

/// Runs the scenario; false when a message was lost or a watcher could not connect.
pub async fn run(base: &str, watchers: usize, bids: usize, gap_ms: u64, md: Option<&str>) -> bool {
    let api = Arc::new(Api::new(base, 4));
    let run_id = std::process::id();
    let seller = api
        .register(&format!("fanout_seller_{run_id}"), "seller")
        .await
        .expect("seller registers");
    let bidder = api
        .register(&format!("fanout_bidder_{run_id}"), "buyer")
        .await
        .expect("bidder registers");
    let auction = api
        .auction(&seller, "1000.00", 120)
        .await
        .expect("auction created");
    let url = format!(
        "{}/ws/auction/{auction}/",
        api.base().replacen("http://", "ws://", 1)
    );
    let sent: Sent = Arc::new(Clock {
        start: Instant::now(),
        sent: (0..bids).map(|_| AtomicU64::new(0)).collect(),
    });
    let gate = Arc::new(Semaphore::new(256));
    let connected = Arc::new(Barrier::new(watchers + 1));
    let setup = Instant::now();
    let mut set = JoinSet::new();
    for _ in 0..watchers {
        set.spawn(watch(
            url.clone(),
            bids,
            gate.clone(),
            connected.clone(),
            sent.clone(),
        ));
    }
    connected.wait().await;
    println!(
        "== ws fan-out: {watchers} watchers on auction {auction} (connected in {:.1} s), {bids} bids {gap_ms} ms apart",
        setup.elapsed().as_secs_f64()
    );
    let path = format!("/api/auctions/{auction}/place_bid/");
    let mut refused = 0;
    for i in 0..bids {
        let amount = format!("{}.00", 1_001 + i);
        sent.mark(i);
        let (status, _, _) = api
            .call(
                reqwest::Method::POST,
                &path,
                Some(&bidder),
                Some(json!({ "amount": amount })),
            )
            .await;
        if status != 201 {
            refused += 1;
        }
        tokio::time::sleep(Duration::from_millis(gap_ms)).await;
    }
    let results = set.join_all().await;
    let failed_to_connect = results.iter().filter(|r| r.is_none()).count();
    let seen: Vec<Seen> = results.into_iter().flatten().collect();
    let mut deliveries: Vec<u64> = seen.iter().flatten().map(|(_, m)| *m).collect();
    deliveries.sort_unstable();
    // Per bid: when the last watcher had it.
    let mut reach_all: HashMap<&str, u64> = HashMap::new();
    for (amount, micros) in seen.iter().flatten() {
        let e = reach_all.entry(amount.as_str()).or_default();
        *e = (*e).max(*micros);
    }
    let mut reach_all: Vec<u64> = reach_all.into_values().collect();
    reach_all.sort_unstable();
    // Messages lost by watchers that were connected (the others are counted apart).
    let lost = (seen.len() * bids).saturating_sub(deliveries.len());
    println!(
        "  deliveries {} of {}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        deliveries.len(),
        watchers * bids,
        ms(percentile(&deliveries, 50)),
        ms(percentile(&deliveries, 99)),
        ms(deliveries.last().copied().unwrap_or(0)),
    );
    println!(
        "  time for a bid to reach every watcher: p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&reach_all, 50)),
        ms(percentile(&reach_all, 99)),
    );
    println!(
        "  lost messages {lost}, watchers that failed to connect {failed_to_connect}, bids refused {refused}"
    );
    let p = |v: &[u64], q| crate::report::ms2(percentile(v, q));
    crate::report::row(
        md,
        &[
            format!("{watchers} × {bids}"),
            deliveries.len().to_string(),
            lost.to_string(),
            failed_to_connect.to_string(),
            p(&deliveries, 50),
            p(&deliveries, 99),
            p(&reach_all, 50),
            format!("**{}**", p(&reach_all, 99)),
        ],
    );
    lost == 0 && failed_to_connect == 0 && refused == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_amount_of_a_new_bid_message_is_read_without_parsing_it() {
        let m = r#"{"type":"new_bid","data":{"bidder":"b***2","amount":"1005.00","time":"t"}}"#;
        assert_eq!(super::new_bid_amount(m), Some("1005.00"));
        assert_eq!(super::new_bid_amount(r#"{"type":"auction_ended"}"#), None);
    }
}
