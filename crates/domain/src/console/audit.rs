//! The audit log: one entry per change an operator makes.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::ids::UserId;

/// Where a change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The web console.
    Console,
    /// The admin API.
    Api,
}

impl Source {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Console => "console",
            Source::Api => "api",
        }
    }
}

/// A change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Who.
    pub operator: UserId,
    /// Their username at the time.
    pub operator_name: String,
    /// From where.
    pub source: Source,
    /// The entity's slug (`users`, `orders`, …).
    pub entity: String,
    /// The row, when one.
    pub entity_id: Option<i64>,
    /// What the row was called then ("User #3: amna").
    pub label: String,
    /// What was done (`block`, `edit`, …).
    pub action: String,
    /// The changed fields before.
    pub before: Option<Value>,
    /// The changed fields after.
    pub after: Option<Value>,
    /// `done` or `refused: <reason>`.
    pub outcome: String,
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Its id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub entry: AuditEntry,
}

/// Which entries to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// One operator's.
    pub operator: Option<UserId>,
    /// One entity's.
    pub entity: Option<String>,
}

/// The fields that differ between two snapshots, as `(before, after)` objects holding only
/// those keys; `None` on a side that had no snapshot.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> (Option<Value>, Option<Value>) {
    let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) else {
        return (before.cloned(), after.cloned());
    };
    let mut old = Map::new();
    let mut new = Map::new();
    for (k, v) in a {
        let was = b.get(k).unwrap_or(&Value::Null);
        if was != v {
            old.insert(k.clone(), was.clone());
            new.insert(k.clone(), v.clone());
        }
    }
    (Some(Value::Object(old)), Some(Value::Object(new)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_kept() {
        let (b, a) = changes(
            Some(&json!({"id": 1, "is_blocked": "false", "email": "a@x.pk"})),
            Some(&json!({"id": 1, "is_blocked": "true", "email": "a@x.pk"})),
        );
        assert_eq!(b, Some(json!({"is_blocked": "false"})));
        assert_eq!(a, Some(json!({"is_blocked": "true"})));
        let (b, a) = changes(None, Some(&json!({"id": 2})));
        assert_eq!((b, a), (None, Some(json!({"id": 2}))));
    }
}
