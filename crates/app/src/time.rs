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
