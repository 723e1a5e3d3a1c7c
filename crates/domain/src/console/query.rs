//! One list request: search, filters, sort, page and date drill-down, read from the query string
//! and checked against the entity's list (unknown or malformed parameters are ignored, as a
//! hand-edited URL should still show a list).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::console::columns::{Choices, SINCE, Spec};

/// Rows per list page.
pub const PER_PAGE: i64 = 50;

/// A filter's checked value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    /// One of a fixed set.
    Text(String),
    /// Yes or no.
    Bool(bool),
    /// From this instant on.
    Since(DateTime<Utc>),
    /// A row of another entity.
    Id(i64),
}

/// The date drill-down's position: nothing, a year, a month of it, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Drill {
    /// Year.
    pub year: Option<i32>,
    /// Month 1–12 (only with a year).
    pub month: Option<u32>,
    /// Day (only with a month).
    pub day: Option<u32>,
}

/// What the drill-down lists next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillLevel {
    /// The years with rows.
    Year,
    /// The months of the chosen year with rows.
    Month,
    /// The days of the chosen month with rows.
    Day,
}

impl Drill {
    /// The level below the current position, if any.
    pub fn next_level(&self) -> Option<DrillLevel> {
        match (self.year, self.month, self.day) {
            (None, _, _) => Some(DrillLevel::Year),
            (Some(_), None, _) => Some(DrillLevel::Month),
            (Some(_), Some(_), None) => Some(DrillLevel::Day),
            _ => None,
        }
    }

    /// `[start, end)` of the chosen period in the zone `tz`, if a period is chosen.
    pub fn window<Tz: TimeZone>(&self, tz: &Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let year = self.year?;
        let (start, end) = match (self.month, self.day) {
            (None, _) => (
                NaiveDate::from_ymd_opt(year, 1, 1)?,
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
            ),
            (Some(m), None) => {
                let start = NaiveDate::from_ymd_opt(year, m, 1)?;
                (start, start.checked_add_months(chrono::Months::new(1))?)
            }
            (Some(m), Some(d)) => {
                let start = NaiveDate::from_ymd_opt(year, m, d)?;
                (start, start.succ_opt()?)
            }
        };
        Some((local_midnight(tz, start)?, local_midnight(tz, end)?))
    }
}

/// The periods the drill-down may offer next, as bounds: each `(value, start)` ascending, and the
/// end of the last. The store counts the matching rows between consecutive bounds, so no row's
/// date needs converting to the zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periods {
    /// What the values are (years, months or days).
    pub level: DrillLevel,
    /// `(year, month or day, its local start)`, ascending.
    pub starts: Vec<(i32, DateTime<Utc>)>,
    /// Where the last period ends.
    pub end: DateTime<Utc>,
}

/// The first year the drill-down offers.
const FIRST_YEAR: i32 = 1970;

impl Drill {
    /// The periods below the current position in the zone `tz`: every year from 1970 to next
    /// year, the months of the chosen year, or the days of the chosen month.
    pub fn periods<Tz: TimeZone>(&self, tz: &Tz, now: DateTime<Utc>) -> Option<Periods> {
        let level = self.next_level()?;
        let dates: Vec<(i32, NaiveDate)> = match level {
            DrillLevel::Year => {
                let last = now.with_timezone(tz).year() + 1;
                (FIRST_YEAR..=last + 1)
                    .filter_map(|y| Some((y, NaiveDate::from_ymd_opt(y, 1, 1)?)))
                    .collect()
            }
            DrillLevel::Month => {
                let year = self.year?;
                (1..=13)
                    .filter_map(|m: u32| {
                        let date = if m == 13 {
                            NaiveDate::from_ymd_opt(year + 1, 1, 1)
                        } else {
                            NaiveDate::from_ymd_opt(year, m, 1)
                        };
                        Some((i32::try_from(m).ok()?, date?))
                    })
                    .collect()
            }
            DrillLevel::Day => {
                let first = NaiveDate::from_ymd_opt(self.year?, self.month?, 1)?;
                let next = first.checked_add_months(chrono::Months::new(1))?;
                first
                    .iter_days()
                    .take_while(|d| *d <= next)
                    .filter_map(|d| Some((i32::try_from(d.day()).ok()?, d)))
                    .collect()
            }
        };
        // The last date only closes the period before it.
        let mut starts: Vec<(i32, DateTime<Utc>)> = dates
            .into_iter()
            .filter_map(|(v, d)| Some((v, local_midnight(tz, d)?)))
            .collect();
        let (_, end) = starts.pop()?;
        Some(Periods { level, starts, end })
    }
}

fn local_midnight<Tz: TimeZone>(tz: &Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A checked list request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    /// Search text (trimmed, non-empty).
    pub q: Option<String>,
    /// `(filter key, raw value, checked value)`.
    pub filters: Vec<(&'static str, String, FilterValue)>,
    /// `(column key, descending)`.
    pub sort: Option<(&'static str, bool)>,
    /// 1-based page.
    pub page: i64,
    /// Drill-down position.
    pub drill: Drill,
    /// The drill-down's window, resolved in the operator's zone.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl ListQuery {
    /// Reads `pairs` (the query string) against `spec`, at `now` in zone `tz`.
    pub fn parse<Tz: TimeZone>(
        spec: &Spec,
        pairs: &[(String, String)],
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> ListQuery {
        let mut out = ListQuery {
            page: 1,
            ..ListQuery::default()
        };
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "q" if !value.is_empty() && value.len() <= 200 && !value.contains('\0') => {
                    out.q = Some(value.to_owned());
                }
                "o" => {
                    let (desc, name) = match value.strip_prefix('-') {
                        Some(rest) => (true, rest),
                        None => (false, value),
                    };
                    if let Some(c) = spec.column(name) {
                        out.sort = Some((c.key, desc));
                    }
                }
                "p" => {
                    if let Ok(p) = value.parse::<i64>() {
                        out.page = p.clamp(1, 1_000_000);
                    }
                }
                "year" => out.drill.year = value.parse().ok().filter(|y| (1970..=9999).contains(y)),
                "month" => out.drill.month = value.parse().ok().filter(|m| (1..=12).contains(m)),
                "day" => out.drill.day = value.parse().ok().filter(|d| (1..=31).contains(d)),
                _ => {
                    if let Some(f) = spec.filter(key)
                        && !out.filters.iter().any(|(k, _, _)| *k == f.key)
                        && let Some(v) = check(f.choices, value, now, tz)
                    {
                        out.filters.push((f.key, value.to_owned(), v));
                    }
                }
            }
        }
        if spec.drill.is_none() || out.drill.year.is_none() {
            out.drill = Drill::default();
        } else if out.drill.month.is_none() {
            out.drill.day = None;
        }
        out.window = out.drill.window(tz);
        if out.window.is_none() {
            out.drill = Drill::default();
        }
        out
    }

    /// The first row of the page.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * PER_PAGE
    }

    /// The raw value of filter `key`, if set.
    pub fn filter_value(&self, key: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, raw, _)| raw.as_str())
    }
}

fn check<Tz: TimeZone>(
    choices: Choices,
    value: &str,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Option<FilterValue> {
    match choices {
        Choices::Fixed(options) => options
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(v, _)| FilterValue::Text((*v).to_owned())),
        Choices::YesNo => match value {
            "yes" => Some(FilterValue::Bool(true)),
            "no" => Some(FilterValue::Bool(false)),
            _ => None,
        },
        Choices::Since => {
            let (_, _, days) = SINCE.iter().find(|(v, _, _)| *v == value)?;
            let start = if *days == 0 {
                local_midnight(tz, now.with_timezone(tz).date_naive())?
            } else {
                now - Duration::days(*days)
            };
            Some(FilterValue::Since(start))
        }
        Choices::Lookup(_) => value
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(FilterValue::Id),
    }
}

/// A month's English name ("March"), for the drill-down.
pub fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES[(month.clamp(1, 12) - 1) as usize]
}

/// The local date `now` falls on (used for "today").
pub fn local_date<Tz: TimeZone>(now: DateTime<Utc>, tz: &Tz) -> (i32, u32, u32) {
    let d = now.with_timezone(tz).date_naive();
    (d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::columns::spec;
    use crate::console::entity::Entity;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn karachi() -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(5 * 3600).unwrap()
    }

    #[test]
    fn known_parameters_are_checked_and_the_rest_ignored() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let q = ListQuery::parse(
            &spec(Entity::Orders),
            &pairs(&[
                ("q", "  ORD-1 "),
                ("status", "paid"),
                ("type", "barter"),
                ("o", "-total"),
                ("p", "3"),
                ("created", "7d"),
                ("nonsense", "1"),
            ]),
            now,
            &karachi(),
        );
        assert_eq!(q.q.as_deref(), Some("ORD-1"));
        assert_eq!(q.sort, Some(("total", true)));
        assert_eq!(q.page, 3);
        assert_eq!(q.offset(), 100);
        assert_eq!(q.filter_value("status"), Some("paid"));
        assert_eq!(q.filter_value("type"), None, "not one of the choices");
        assert_eq!(q.filters[1].2, FilterValue::Since(now - Duration::days(7)));
    }

    #[test]
    fn the_drill_down_is_a_local_calendar_period() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let q = ListQuery::parse(
            &spec(Entity::Orders),
            &pairs(&[("year", "2026"), ("month", "3")]),
            now,
            &karachi(),
        );
        let (start, end) = q.window.unwrap();
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 2, 28, 19, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 3, 31, 19, 0, 0).unwrap());
        assert_eq!(q.drill.next_level(), Some(DrillLevel::Day));
        // An entity without a drilled date ignores it; a bad day is no window.
        let none = ListQuery::parse(
            &spec(Entity::Users),
            &pairs(&[("year", "2026")]),
            now,
            &karachi(),
        );
        assert_eq!(none.window, None);
        let bad = ListQuery::parse(
            &spec(Entity::Orders),
            &pairs(&[("year", "2026"), ("month", "2"), ("day", "30")]),
            now,
            &karachi(),
        );
        assert_eq!(bad.window, None);
        assert_eq!(bad.drill, Drill::default());
    }

    #[test]
    fn today_starts_at_local_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        let q = ListQuery::parse(
            &spec(Entity::Users),
            &pairs(&[("joined", "today")]),
            now,
            &karachi(),
        );
        assert_eq!(
            q.filters[0].2,
            FilterValue::Since(Utc.with_ymd_and_hms(2026, 12, 6, 19, 0, 0).unwrap())
        );
    }

    #[test]
    fn the_periods_below_are_bounded_by_local_midnights() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let years = Drill::default().periods(&karachi(), now).unwrap();
        assert_eq!(years.level, DrillLevel::Year);
        assert_eq!(years.starts.first().map(|p| p.0), Some(1970));
        assert_eq!(years.starts.last().map(|p| p.0), Some(2027));
        assert_eq!(
            years.end,
            Utc.with_ymd_and_hms(2027, 12, 31, 19, 0, 0).unwrap()
        );
        let feb = Drill {
            year: Some(2024),
            month: Some(2),
            day: None,
        }
        .periods(&karachi(), now)
        .unwrap();
        assert_eq!(feb.level, DrillLevel::Day);
        assert_eq!(feb.starts.len(), 29, "a leap February");
        assert_eq!(
            feb.starts[0],
            (1, Utc.with_ymd_and_hms(2024, 1, 31, 19, 0, 0).unwrap())
        );
        assert_eq!(
            feb.end,
            Utc.with_ymd_and_hms(2024, 2, 29, 19, 0, 0).unwrap()
        );
        let months = Drill {
            year: Some(2025),
            month: None,
            day: None,
        }
        .periods(&karachi(), now)
        .unwrap();
        assert_eq!(
            months.starts.iter().map(|p| p.0).collect::<Vec<_>>(),
            (1..=12).collect::<Vec<_>>()
        );
        let day = Drill {
            year: Some(2025),
            month: Some(3),
            day: Some(4),
        };
        assert_eq!(
            day.periods(&karachi(), now),
            None,
            "a day has nothing below"
        );
    }
}
