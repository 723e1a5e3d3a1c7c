//! What the console reads: list pages, one record, lookup options.

use serde_json::Value;

/// One list row: its id and one value per column (see `columns::Kind` for each shape).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row's id.
    pub id: i64,
    /// Values in column order.
    pub cells: Vec<Value>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    /// Rows matching the search and filters, on every page.
    pub total: i64,
    /// This page's rows.
    pub rows: Vec<Row>,
    /// The periods below the drill-down's position that have matching rows (years, months or
    /// days, ascending), when asked for.
    pub periods: Vec<i32>,
}

/// One record for its detail page.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Every stored field, `(name, text)` (`None` for NULL), secrets left out.
    pub fields: Vec<(String, Option<String>)>,
    /// Its list row (the computed columns).
    pub row: Row,
    /// Image paths (products).
    pub images: Vec<String>,
}

impl Record {
    /// The stored fields as one JSON object, the audit log's before/after snapshot.
    pub fn snapshot(&self) -> Value {
        Value::Object(
            self.fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().map_or(Value::Null, Value::String)))
                .collect(),
        )
    }
}
