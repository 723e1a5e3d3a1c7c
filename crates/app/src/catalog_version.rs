//! The catalogue's version as the page cache reads it: one database query for every cached
//! read, shared by every reader that arrived before it started (single flight), so a popular
//! page costs one small query per round trip, not one per request, and no reader ever gets a
//! version older than its own arrival.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use madeinpk_postgres::Db;
use tokio::sync::watch;

/// How long a reader waits for a version before reading around the cache.
const PATIENCE: Duration = Duration::from_secs(1);

/// A finished query: its round and what it read (`None`: the database did not answer).
#[derive(Debug, Clone, Copy)]
struct Outcome {
    round: u64,
    version: Option<i64>,
}

/// Rounds of the shared query.
#[derive(Debug, Default)]
struct Rounds {
    /// The last round started.
    started: u64,
    /// A round is running.
    running: bool,
    /// The round the latest waiting reader needs.
    wanted: u64,
}

/// Reads the catalogue's version for many readers at once.
pub struct VersionClock {
    rounds: Mutex<Rounds>,
    done: watch::Sender<Outcome>,
}

impl Default for VersionClock {
    fn default() -> Self {
        Self {
            rounds: Mutex::new(Rounds::default()),
            done: watch::Sender::new(Outcome {
                round: 0,
                version: None,
            }),
        }
    }
}

impl VersionClock {
    /// The version as read by a query that started after this call began; `None` when the
    /// database does not answer in time (the caller then reads around the cache).
    pub async fn read(self: &Arc<Self>, db: &Db) -> Option<i64> {
        let mut finished = self.done.subscribe();
        let target = {
            let mut rounds = self.rounds.lock().unwrap_or_else(PoisonError::into_inner);
            // The round running now may have read before this reader arrived: wait for the next.
            let target = rounds.started + 1;
            if rounds.running {
                rounds.wanted = rounds.wanted.max(target);
            } else {
                rounds.running = true;
                rounds.started = target;
                tokio::spawn(run_rounds(self.clone(), db.clone()));
            }
            target
        };
        let wait = async {
            loop {
                let outcome = *finished.borrow_and_update();
                if outcome.round >= target {
                    return outcome.version;
                }
                if finished.changed().await.is_err() {
                    return None;
                }
            }
        };
        tokio::time::timeout(PATIENCE, wait).await.ok().flatten()
    }
}

/// Runs rounds while readers wait for them.
async fn run_rounds(clock: Arc<VersionClock>, db: Db) {
    loop {
        let version = db.catalog_version().await.ok();
        let mut rounds = clock.rounds.lock().unwrap_or_else(PoisonError::into_inner);
        clock.done.send_replace(Outcome {
            round: rounds.started,
            version,
        });
        if rounds.wanted > rounds.started {
            rounds.started = rounds.wanted;
        } else {
            rounds.running = false;
            return;
        }
    }
}
