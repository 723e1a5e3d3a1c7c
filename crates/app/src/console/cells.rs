//! How a list value reads on a page and in CSV: money with thousands separators, times in the
//! operator's zone, statuses as badges with a tone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use madeinpk_domain::console::columns::{Column, Kind};
use serde::Serialize;
use serde_json::Value;

/// One rendered cell.
#[derive(Serialize, Clone, Debug)]
pub struct Cell {
    /// Its text.
    pub text: String,
    /// `text`, `money`, `number`, `badge`, `bool`, `date` or `link`.
    pub kind: &'static str,
    /// Its link.
    pub href: Option<String>,
    /// A badge's tone: `ok`, `warn`, `bad`, `info`, `muted`.
    pub tone: Option<&'static str>,
}

/// `1234567.50` → `1,234,567.50`.
pub fn grouped(decimal: &str) -> String {
    let (sign, rest) = decimal
        .strip_prefix('-')
        .map_or(("", decimal), |r| ("-", r));
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

/// An RFC 3339 instant as `YYYY-MM-DD HH:MM` in `tz`.
pub fn local_time(value: &str, tz: Tz) -> String {
    DateTime::parse_from_rfc3339(value).map_or_else(
        |_| value.to_owned(),
        |t| {
            t.with_timezone(&Utc)
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        },
    )
}

/// A status's tone.
pub fn tone(status: &str) -> &'static str {
    match status {
        "active" | "paid" | "succeeded" | "delivered" | "resolved" | "completed" | "new"
        | "admin" => "ok",
        "pending" | "pending_payment" | "processing" | "in_progress" | "open"
        | "partially_refunded" | "ending" => "warn",
        "failed" | "payment_failed" | "cancelled" | "reversed" | "out_of_stock" | "dead" => "bad",
        "shipped" | "ended" | "auction" | "seller" | "both" | "cart" => "info",
        _ => "muted",
    }
}

/// "pending_payment" → "Pending payment".
pub fn humanised(s: &str) -> String {
    crate::console::page::capitalised(&s.replace('_', " "))
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The cell of `value` in `column`.
pub fn cell(column: &Column, value: &Value, tz: Tz) -> Cell {
    let mut c = Cell {
        text: String::new(),
        kind: "text",
        href: None,
        tone: None,
    };
    match column.kind {
        Kind::Text => c.text = plain(value),
        Kind::Number => {
            c.kind = "number";
            c.text = plain(value);
        }
        Kind::Money => {
            c.kind = "money";
            c.text = match value {
                Value::Null => String::new(),
                v => format!("Rs {}", grouped(&plain(v))),
            };
        }
        Kind::Bool => {
            c.kind = "bool";
            c.text = if value.as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            }
            .into();
        }
        Kind::Time => {
            c.kind = "date";
            c.text = value
                .as_str()
                .map(|s| local_time(s, tz))
                .unwrap_or_default();
        }
        Kind::Badge => {
            let raw = plain(value);
            c.kind = "badge";
            c.tone = Some(tone(&raw));
            c.text = humanised(&raw);
        }
        Kind::Ref(entity) => {
            if let Some(pair) = value.as_array() {
                c.kind = "link";
                c.text = pair.get(1).map(plain).unwrap_or_default();
                c.href = pair
                    .first()
                    .and_then(Value::as_i64)
                    .map(|id| format!("/admin/{}/{id}/", entity.slug()));
            }
        }
    }
    c
}

/// The value of `value` in `column` as a CSV field: exact decimals, local times, raw statuses.
pub fn csv_text(column: &Column, value: &Value, tz: Tz) -> String {
    match column.kind {
        Kind::Time => value
            .as_str()
            .map(|s| local_time(s, tz))
            .unwrap_or_default(),
        Kind::Ref(_) => value
            .as_array()
            .and_then(|p| p.get(1))
            .map(plain)
            .unwrap_or_default(),
        Kind::Bool => if value.as_bool() == Some(true) {
            "yes"
        } else {
            "no"
        }
        .into(),
        _ => plain(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_by_thousands() {
        assert_eq!(grouped("1234567.50"), "1,234,567.50");
        assert_eq!(grouped("999.00"), "999.00");
        assert_eq!(grouped("-1000.05"), "-1,000.05");
        assert_eq!(grouped("0.01"), "0.01");
    }

    #[test]
    fn times_read_in_the_operators_zone() {
        assert_eq!(
            local_time("2026-12-07T20:30:00+00:00", chrono_tz::Asia::Karachi),
            "2026-12-08 01:30"
        );
    }
}
