//! Datetime rendering: ISO-8601 in the configured zone, microseconds only when non-zero.

use std::sync::OnceLock;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;

static ZONE: OnceLock<Tz> = OnceLock::new();

/// Sets the rendering zone once per process (later calls keep the first value).
pub fn set_zone(tz: Tz) {
    let _ = ZONE.set(tz);
}

fn zone() -> Tz {
    *ZONE.get().unwrap_or(&chrono_tz::Asia::Karachi)
}

/// `2026-11-25T08:01:51.166280+05:00`, or `2020-01-01T05:00:00+05:00` without fraction.
pub fn render(dt: DateTime<Utc>) -> String {
    let local = dt.with_timezone(&zone());
    if local.nanosecond() / 1000 == 0 {
        local.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    } else {
        local.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string()
    }
}

/// Like [`render`] for optional values.
pub fn render_opt(dt: Option<DateTime<Utc>>) -> Option<String> {
    dt.map(render)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn renders_in_karachi_time() {
        let dt = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(render(dt), "2020-01-01T05:00:00+05:00");
        let dt = Utc.with_ymd_and_hms(2026, 11, 25, 3, 1, 51).unwrap()
            + chrono::Duration::microseconds(166_280);
        assert_eq!(render(dt), "2026-11-25T08:01:51.166280+05:00");
    }
}

/// DRF's message for a datetime it cannot read.
pub const BAD_DATETIME: &str = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

/// Reads ISO-8601 with any offset; a naive value is read in the configured zone.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    // Years the database (and the contract's format) can hold.
    parse_any(text).filter(|dt| (1..=9999).contains(&dt.year()))
}

fn parse_any(text: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(text, format) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return zone()
                .from_local_datetime(&naive)
                .earliest()
                .map(|dt| dt.with_timezone(&Utc));
        }
    }
    None
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn offsets_and_naive_values() {
        let want = Utc.with_ymd_and_hms(2026, 12, 1, 5, 0, 0).unwrap();
        assert_eq!(parse("2026-12-01T05:00:00Z"), Some(want));
        assert_eq!(parse("2026-12-01T10:00:00+05:00"), Some(want));
        assert_eq!(
            parse("2026-12-01T10:00"),
            Some(want),
            "naive is Asia/Karachi"
        );
        assert_eq!(parse("2026-12-01T10:00:00.000000"), Some(want));
        assert_eq!(parse("tomorrow"), None);
        assert_eq!(parse("-5000-01-01T00:00"), None);
        assert_eq!(parse("+12000-01-01T00:00:00Z"), None);
        assert_eq!(parse("2026-13-01T00:00:00Z"), None);
    }
}
