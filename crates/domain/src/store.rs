//! The one error every storage port may return for infrastructure failures.

/// A storage failure that is not the caller's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or timed out.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A constraint refused the write (typically a concurrent change won a race).
    #[error("conflicting change: {0}")]
    Conflict(String),
    /// Anything else the adapter could not handle: a fault of ours (a SQL bug, say), not an
    /// outage, so retrying will not help.
    #[error("storage failure: {0}")]
    Other(String),
}
