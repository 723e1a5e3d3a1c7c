//! Ports of the console: its read models, its sessions and the audit log.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::console::audit::{AuditEntry, AuditFilter, AuditRecord};
use crate::console::entity::Entity;
use crate::console::query::{ListQuery, Periods};
use crate::console::record::{ListPage, Record, Row};
use crate::console::session::ConsoleSession;
use crate::ids::UserId;
use crate::store::StoreError;

/// The console's read models: lists, records and the options of lookup filters.
#[cfg_attr(test, mockall::automock)]
pub trait ConsoleReads: Send + Sync {
    /// One page of `entity` as `query` asks; with `periods`, also which of them hold matching
    /// rows, from the same pass as the count.
    fn list(
        &self,
        entity: Entity,
        query: ListQuery,
        periods: Option<Periods>,
    ) -> impl Future<Output = Result<ListPage, StoreError>> + Send;
    /// Up to `limit` rows matching `query` with ids above `after`, by id (CSV export).
    fn export_batch(
        &self,
        entity: Entity,
        query: ListQuery,
        after: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Row>, StoreError>> + Send;
    /// One record.
    fn record(
        &self,
        entity: Entity,
        id: i64,
    ) -> impl Future<Output = Result<Option<Record>, StoreError>> + Send;
    /// `(id, name)` of every row of a lookup entity (provinces, categories).
    fn lookup(
        &self,
        entity: Entity,
    ) -> impl Future<Output = Result<Vec<(i64, String)>, StoreError>> + Send;
}

/// Console sessions.
#[cfg_attr(test, mockall::automock)]
pub trait SessionStore: Send + Sync {
    /// Stores a new session and writes `outbox` (the sign-in email), in one transaction.
    fn open_session(
        &self,
        user: UserId,
        token_hash: Vec<u8>,
        csrf_token: String,
        now: DateTime<Utc>,
        outbox: crate::outbox::Outbox,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The session with this token hash.
    fn session(
        &self,
        token_hash: Vec<u8>,
    ) -> impl Future<Output = Result<Option<ConsoleSession>, StoreError>> + Send;
    /// Records a request at `now`.
    fn touch_session(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Ends one session.
    fn end_session(&self, id: i64) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The append-only audit log.
#[cfg_attr(test, mockall::automock)]
pub trait AuditLog: Send + Sync {
    /// Appends an entry.
    fn append(&self, entry: AuditEntry) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// `(total, page)` of entries matching `filter`, newest first.
    fn audit_page(
        &self,
        filter: AuditFilter,
        offset: i64,
        limit: i64,
    ) -> impl Future<Output = Result<(i64, Vec<AuditRecord>), StoreError>> + Send;
}
