//! Live auctions over WebSocket (`/ws/auction/{id}/?token=…`). Every instance LISTENs for the
//! auction events Postgres publishes (accepted bids, endings) and pushes them to its own sockets,
//! so watchers on any instance see every bid, whichever instance took it. Each socket has a
//! bounded queue: a client too slow to keep up is disconnected instead of stalling the others.

use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use futures_util::StreamExt;
use madeinpk_domain::auction::bid::BidError;
use madeinpk_domain::clock::Clock;
use madeinpk_domain::ids::AuctionId;
use madeinpk_postgres::auction::events::{AuctionEvent, AuctionListener};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::error::ApiError;
use crate::routes::auction::socket_messages::{
    PlaceBidType, Visibility, WsAuctionEnded, WsAuctionMissing, WsAuctionStatus, WsError, WsNewBid,
    WsPlaceBid, WsServerMessage,
};
use crate::state::AppState;

/// How often the server pings; a client silent for three intervals is dropped.
const PING_EVERY: Duration = Duration::from_secs(20);

/// Messages waiting for one socket, shared between all of an auction's sockets.
type Outgoing = Arc<str>;

struct Watcher {
    id: u64,
    tx: mpsc::Sender<Outgoing>,
}

/// The sockets of this instance, by auction.
pub struct Hub {
    rooms: Mutex<HashMap<i64, Vec<Watcher>>>,
    next: AtomicU64,
    queue: usize,
    /// Open sockets per client key (`token:…`, `ip:…`), bounded by [`SocketLimits`].
    clients: Mutex<HashMap<String, usize>>,
}

/// How many sockets one client may hold open on this instance (0: no bound).
#[derive(Debug, Clone, Copy)]
pub struct SocketLimits {
    /// Per token (`WS_MAX_PER_TOKEN`).
    pub per_token: usize,
    /// Per client address (`WS_MAX_PER_IP`).
    pub per_ip: usize,
}

impl SocketLimits {
    /// How many sockets one client may hold open, as configured.
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            per_token: config.ws.max_per_token,
            per_ip: config.ws.max_per_ip,
        }
    }
}

/// A socket's places in the per-client counts, given back when the socket ends.
pub struct ClientSlots {
    hub: Arc<Hub>,
    keys: Vec<String>,
}

impl Drop for ClientSlots {
    fn drop(&mut self) {
        let mut clients = self
            .hub
            .clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for key in &self.keys {
            if let Some(n) = clients.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    clients.remove(key);
                }
            }
        }
    }
}

impl Hub {
    /// An empty hub whose sockets queue at most `queue` messages.
    pub fn new(queue: usize) -> Self {
        Self {
            rooms: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            queue: queue.max(1),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a place for a new socket of this token and address, or `None` when either
    /// already has its share open.
    pub fn admit(
        self: &Arc<Self>,
        token: Option<&str>,
        ip: &str,
        limits: SocketLimits,
    ) -> Option<ClientSlots> {
        let mut wanted = vec![(format!("ip:{ip}"), limits.per_ip)];
        if let Some(token) = token {
            wanted.push((format!("token:{token}"), limits.per_token));
        }
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        let full = wanted
            .iter()
            .any(|(key, max)| *max > 0 && clients.get(key).copied().unwrap_or(0) >= *max);
        if full {
            return None;
        }
        for (key, _) in &wanted {
            *clients.entry(key.clone()).or_default() += 1;
        }
        Some(ClientSlots {
            hub: self.clone(),
            keys: wanted.into_iter().map(|(key, _)| key).collect(),
        })
    }

    /// Subscribes a socket to an auction.
    fn join(&self, auction: i64) -> (u64, mpsc::Receiver<Outgoing>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(self.queue);
        self.rooms
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(auction)
            .or_default()
            .push(Watcher { id, tx });
        (id, rx)
    }

    /// Unsubscribes a socket.
    fn leave(&self, auction: i64, id: u64) {
        let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(room) = rooms.get_mut(&auction) {
            room.retain(|w| w.id != id);
            if room.is_empty() {
                rooms.remove(&auction);
            }
        }
    }

    /// Sockets watching an auction.
    pub fn watchers(&self, auction: i64) -> usize {
        self.rooms
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&auction)
            .map_or(0, Vec::len)
    }

    /// Queues a message for every socket of an auction; a socket whose queue is full (or that
    /// is gone) is dropped from the room, and its task closes it. How many got it.
    pub fn publish(&self, auction: i64, message: &str) -> usize {
        let text: Outgoing = Arc::from(message);
        let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(room) = rooms.get_mut(&auction) else {
            return 0;
        };
        room.retain(|w| w.tx.try_send(text.clone()).is_ok());
        let sent = room.len();
        if room.is_empty() {
            rooms.remove(&auction);
        }
        sent
    }
}

impl Visibility {
    fn of(state: &AppState) -> Self {
        Self {
            bidders: state.config.auctions.bidder_privacy,
            seller_email: state.config.ws.seller_email,
        }
    }
}

/// Renders one published event for the watchers (`None`: nothing to send).
async fn render(state: &AppState, event: &AuctionEvent) -> Option<String> {
    match event {
        AuctionEvent::Bid {
            bidder,
            amount,
            time,
            end_time,
            ..
        } => Some(
            WsServerMessage::NewBid(WsNewBid::new(
                state.config.auctions.bidder_privacy.broadcast_name(bidder),
                amount,
                time,
                end_time,
            ))
            .text(),
        ),
        AuctionEvent::Ended { auction } => {
            let a = state.auctions.get(AuctionId(*auction), None).await.ok()?;
            let ended = WsAuctionEnded::new(&a, state.config.auctions.bidder_privacy);
            Some(WsServerMessage::AuctionEnded(ended).text())
        }
        // Bids were withdrawn: every watcher gets the auction's state anew, as on connect.
        AuctionEvent::Changed { auction } => {
            let a = state.auctions.get(AuctionId(*auction), None).await.ok()?;
            let status = WsAuctionStatus::new(&a, None, Visibility::of(state), state.clock.now());
            Some(WsServerMessage::AuctionStatus(Box::new(status)).text())
        }
    }
}

/// Forwards published auction events to this instance's sockets, reconnecting after failures.
pub async fn listen(state: web::Data<AppState>, hub: Arc<Hub>) {
    let url = state.config.database.url.expose_secret().to_owned();
    loop {
        match AuctionListener::connect(&url).await {
            Ok(mut listener) => {
                while let Some(event) = listener.next().await {
                    let auction = event.auction();
                    if hub.watchers(auction) == 0 {
                        continue;
                    }
                    if let Some(text) = render(&state, &event).await {
                        hub.publish(auction, &text);
                    }
                }
                tracing::warn!("auction listener lost its connection; reconnecting");
            }
            Err(e) => tracing::warn!(error = %e, "auction listener cannot connect"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn origin_allowed(req: &HttpRequest, state: &AppState) -> bool {
    match req
        .headers()
        .get(actix_web::http::header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    {
        None => state.config.ws.allow_no_origin,
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            state
                .config
                .ws_origins()
                .iter()
                .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
        }
    }
}

fn error(message: &str) -> String {
    WsServerMessage::Error(WsError::new(message)).text()
}

/// What a refused bid tells its bidder.
fn refusal(e: &BidError) -> String {
    match e {
        BidError::TooLow { stepped: true, .. } => e.amount_message().unwrap_or_default(),
        BidError::Invalid(_) => "Invalid bid amount".into(),
        BidError::Store(_) => "The bid could not be placed; please try again".into(),
        other => other.to_string(),
    }
}

/// Handles one client message; the reply for the sender, if any.
async fn on_text(
    state: &AppState,
    auction: AuctionId,
    token: Option<&str>,
    text: &str,
) -> Option<String> {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Some(error("Invalid JSON"));
    };
    // Messages of other types are ignored.
    let bid = WsPlaceBid::parse(&v)?;
    let PlaceBidType::PlaceBid = bid.kind;
    // The bidder is read afresh for every bid, so a block takes effect at once.
    let user = match token {
        Some(t) => state.accounts.authenticate(t).await.ok().flatten(),
        None => None,
    };
    let amount = bid
        .amount
        .filter(|m| (1..=madeinpk_domain::money::MAX_MINOR).contains(&m.minor()))
        .ok_or_else(|| {
            madeinpk_domain::validation::FieldErrors::single(
                "amount",
                "A valid number is required.",
            )
        });
    let max = bid.max_amount.filter(|_| state.bidding.rules().proxy);
    match state
        .bidding
        .place_up_to(user.as_ref(), auction, amount, max)
        .await
    {
        // The accepted bid reaches every watcher (the bidder too) as `new_bid`.
        Ok(_) => None,
        Err(e) => Some(error(&refusal(&e))),
    }
}

/// One socket's life: status, then pushes and the client's bids until either side closes.
async fn run(
    state: web::Data<AppState>,
    hub: Arc<Hub>,
    mut session: actix_ws::Session,
    mut stream: actix_ws::AggregatedMessageStream,
    auction: AuctionId,
    token: Option<String>,
) {
    let viewer = match &token {
        Some(t) => state.accounts.authenticate(t).await.ok().flatten(),
        None => None,
    };
    // Subscribe before reading the status, so no bid falls between the two.
    let (id, mut rx) = hub.join(auction.get());
    let status = match state.auctions.get(auction, None).await {
        Ok(a) => Some(WsServerMessage::AuctionStatus(Box::new(
            WsAuctionStatus::new(
                &a,
                viewer.as_ref(),
                Visibility::of(&state),
                state.clock.now(),
            ),
        ))),
        Err(_) => None,
    };
    let Some(status) = status else {
        // Nothing to watch: say so, as the contract does, then close rather than hold the socket.
        let missing = WsServerMessage::AuctionMissing(WsAuctionMissing::new());
        if session.text(missing.text()).await.is_ok() {
            let _ = session
                .close(Some(CloseReason {
                    code: CloseCode::Policy,
                    description: Some("Auction not found".into()),
                }))
                .await;
        }
        hub.leave(auction.get(), id);
        return;
    };
    let mut open = session.text(status.text()).await.is_ok();
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut heard = Instant::now();
    while open {
        tokio::select! {
            pushed = rx.recv() => if let Some(text) = pushed {
                open = session.text(&*text).await.is_ok();
            } else {
                // Dropped by the hub: this client could not keep up.
                let _ = session.clone().close(Some(CloseReason {
                    code: CloseCode::Policy,
                    description: Some("too slow".into()),
                })).await;
                open = false;
            },
            frame = stream.next() => match frame {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    heard = Instant::now();
                    if let Some(reply) = on_text(&state, auction, token.as_deref(), &text).await {
                        open = session.text(reply).await.is_ok();
                    }
                }
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    heard = Instant::now();
                    open = session.pong(&bytes).await.is_ok();
                }
                Some(Ok(AggregatedMessage::Pong(_) | AggregatedMessage::Binary(_))) => {
                    heard = Instant::now();
                }
                Some(Ok(AggregatedMessage::Close(reason))) => {
                    let _ = session.clone().close(reason).await;
                    open = false;
                }
                Some(Err(_)) | None => open = false,
            },
            _ = ping.tick() => {
                if heard.elapsed() > PING_EVERY * 3 {
                    let _ = session.clone().close(None).await;
                    open = false;
                } else {
                    open = session.ping(b"").await.is_ok();
                }
            }
        }
    }
    hub.leave(auction.get(), id);
}

/// Opens a live-auction socket: `auction_status` at once, `new_bid` and `auction_ended` as
/// they happen, `place_bid` from the client (signed-in users; an unknown token watches).
pub async fn socket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    hub: web::Data<Hub>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !origin_allowed(&req, &state) {
        return Err(ApiError::Detail(
            actix_web::http::StatusCode::FORBIDDEN,
            "Origin not allowed".into(),
        ));
    }
    let auction = crate::query::path_id(&path).map(AuctionId)?;
    let token = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("token").cloned())
        .filter(|t| !t.is_empty());
    let hub = hub.into_inner();
    // As login throttling counts: an IPv6 client's whole /64 is one address.
    let ip = madeinpk_domain::account::rules::throttle_subject(&crate::client::ip(
        &req,
        state.config.http.trust_proxy_headers,
    ));
    let slots = hub
        .admit(token.as_deref(), &ip, SocketLimits::of(&state.config))
        .ok_or_else(|| {
            ApiError::Detail(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                "Too many sockets".into(),
            )
        })?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::Detail(actix_web::http::StatusCode::BAD_REQUEST, e.to_string()))?;
    let stream = stream
        .max_frame_size(16 * 1024)
        .aggregate_continuations()
        .max_continuation_size(16 * 1024);
    actix_web::rt::spawn(async move {
        run(state, hub, session, stream, auction, token).await;
        drop(slots);
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::Hub;

    #[test]
    fn a_socket_that_stops_reading_is_dropped_and_the_others_keep_getting_everything() {
        let hub = Hub::new(2);
        let (_, mut stalled) = hub.join(7);
        let (_, mut reading) = hub.join(7);
        let mut got = Vec::new();
        for i in 0..5 {
            let reached = hub.publish(7, &format!("bid {i}"));
            while let Ok(m) = reading.try_recv() {
                got.push(m.to_string());
            }
            // The stalled socket's queue (2) is full after two messages: then it is dropped.
            assert_eq!(reached, if i < 2 { 2 } else { 1 }, "publish {i}");
        }
        assert_eq!(got, ["bid 0", "bid 1", "bid 2", "bid 3", "bid 4"]);
        assert_eq!(hub.watchers(7), 1);
        // What the stalled socket had queued is still delivered before its task closes it.
        assert_eq!(stalled.try_recv().unwrap().as_ref(), "bid 0");
        assert_eq!(stalled.try_recv().unwrap().as_ref(), "bid 1");
        assert!(
            stalled.try_recv().is_err(),
            "then nothing: its sender is gone"
        );
    }

    #[test]
    fn leaving_empties_the_room() {
        let hub = Hub::new(4);
        let (a, _rx_a) = hub.join(3);
        let (b, _rx_b) = hub.join(3);
        hub.leave(3, a);
        assert_eq!(hub.watchers(3), 1);
        hub.leave(3, b);
        assert_eq!(hub.watchers(3), 0);
        assert_eq!(hub.publish(3, "x"), 0);
    }
}
