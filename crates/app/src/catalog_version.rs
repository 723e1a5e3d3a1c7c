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
    /// Rounds running now.
    running: usize,
    /// The round the latest waiting reader needs.
    wanted: u64,
}

/// Rounds that may run at once: a reader arriving while one runs starts its own (up to this
/// many) instead of waiting for it to finish and then for a whole new one. Measured on the
/// catalogue benchmark: 1 gave 0.25–0.38 of `/healthz`'s req/s, 4 gave 0.35–0.45, 8 less again
/// (the queries themselves then take the cores).
const OVERLAP: usize = 4;

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
            // A round running now may have read before this reader arrived: it needs a newer one.
            let target = rounds.started + 1;
            if rounds.running < OVERLAP {
                rounds.running += 1;
                rounds.started = target;
                tokio::spawn(run_rounds(self.clone(), db.clone(), target));
            } else {
                rounds.wanted = rounds.wanted.max(target);
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

/// Tells the readers what `round` read. Rounds may finish out of order; a later round read
/// later, so it answers for earlier ones and is never replaced by them. Whether it was news.
fn publish(done: &watch::Sender<Outcome>, round: u64, version: Option<i64>) -> bool {
    done.send_if_modified(|last| {
        let newer = round > last.round;
        if newer {
            *last = Outcome { round, version };
        }
        newer
    })
}

/// Runs `round`, then the rounds readers wait for while none is free to start them.
async fn run_rounds(clock: Arc<VersionClock>, db: Db, mut round: u64) {
    loop {
        // Bounded, so a hung query cannot keep its slot: readers then read around the cache.
        let version = tokio::time::timeout(PATIENCE, db.catalog_version())
            .await
            .ok()
            .and_then(Result::ok);
        let mut rounds = clock.rounds.lock().unwrap_or_else(PoisonError::into_inner);
        publish(&clock.done, round, version);
        if rounds.wanted > rounds.started {
            rounds.started += 1;
            round = rounds.started;
        } else {
            rounds.running -= 1;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_rounds_never_move_the_answer_back() {
        let clock = VersionClock::default();
        assert!(publish(&clock.done, 2, Some(20)));
        assert!(
            !publish(&clock.done, 1, Some(10)),
            "an earlier round finishing late is ignored"
        );
        assert!(
            publish(&clock.done, 3, None),
            "a failed later round answers too"
        );
        let last = *clock.done.borrow();
        assert_eq!((last.round, last.version), (3, None));
    }
}
