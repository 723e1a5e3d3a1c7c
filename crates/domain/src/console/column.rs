//! What a list column and a list filter are.

use crate::console::entity::Entity;

/// How a column's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text.
    Text,
    /// A count or other integer.
    Number,
    /// Rupees, exact to the paisa.
    Money,
    /// Yes or no.
    Bool,
    /// A point in time.
    Time,
    /// A status shown as a badge.
    Badge,
    /// Another record: `[id, label]`, linked to its page.
    Ref(Entity),
}

/// One list column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its key (`?o=<key>` sorts by it).
    pub key: &'static str,
    /// Its header.
    pub label: &'static str,
    /// How its value reads.
    pub kind: Kind,
}

/// The values a filter offers.
#[derive(Debug, Clone, Copy)]
pub enum Choices {
    /// Fixed `(value, label)` pairs.
    Fixed(&'static [(&'static str, &'static str)]),
    /// `yes` / `no`.
    YesNo,
    /// A time window back from now: `today`, `7d`, `30d`, `365d`.
    Since,
    /// Rows of another entity (provinces, categories), by id.
    Lookup(Entity),
}

/// The windows a `Since` filter offers, `(value, label, days back)`; `today` is 0.
pub const SINCE: &[(&str, &str, i64)] = &[
    ("today", "Today", 0),
    ("7d", "Past 7 days", 7),
    ("30d", "This month", 30),
    ("365d", "This year", 365),
];

/// One list filter (`?<key>=<value>`).
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    /// Its query parameter.
    pub key: &'static str,
    /// Its heading.
    pub label: &'static str,
    /// What it offers.
    pub choices: Choices,
}
