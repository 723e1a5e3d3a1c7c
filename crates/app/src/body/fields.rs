//! Typed reads of a body's fields, collecting DRF-style errors with the contract's messages.

use madeinpk_domain::validation::{FieldErrors, msg};
use serde_json::{Map, Value};

use super::type_name;
use crate::error::ApiError;

/// Typed reads of body fields that collect DRF-style errors.
pub struct Fields<'a> {
    pub(super) map: &'a Map<String, Value>,
    pub(super) textual: bool,
    pub(super) errors: FieldErrors,
}

/// True when a NUL character hides anywhere in a JSON value, keys included.
fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Whether a field must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Absent → "This field is required."
    Required,
    /// Absent → `None`.
    Optional,
}

impl Fields<'_> {
    fn get(&mut self, name: &str, need: Need) -> Option<&Value> {
        match self.map.get(name) {
            None => {
                if need == Need::Required {
                    self.errors.add(name, msg::REQUIRED);
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A text field; numbers are accepted as their text (as DRF does). Blank is refused for
    /// required fields.
    pub fn string(&mut self, name: &str, need: Need) -> Option<String> {
        let value = self.get(name, need)?.clone();
        let text = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Null => {
                self.errors.add(name, msg::NULL);
                return None;
            }
            _ => {
                self.errors.add(name, msg::STRING);
                return None;
            }
        };
        self.checked_text(name, need, text.trim().to_owned())
    }

    /// A secret (password): like [`Fields::string`] but never trimmed.
    pub fn secret(&mut self, name: &str, need: Need) -> Option<String> {
        match self.get(name, need)?.clone() {
            Value::String(s) => self.checked_text(name, need, s),
            Value::Null => {
                self.errors.add(name, msg::NULL);
                None
            }
            _ => {
                self.errors.add(name, msg::STRING);
                None
            }
        }
    }

    fn checked_text(&mut self, name: &str, need: Need, text: String) -> Option<String> {
        // Postgres cannot store NUL; refuse it here rather than fail in the database.
        if text.contains('\0') {
            self.errors.add(name, msg::NUL);
            return None;
        }
        if need == Need::Required && text.trim().is_empty() {
            self.errors.add(name, msg::BLANK);
            return None;
        }
        Some(text)
    }

    /// Optional text with a default of `""` when absent.
    pub fn text_or_empty(&mut self, name: &str) -> String {
        self.string(name, Need::Optional).unwrap_or_default()
    }

    /// An integer, from a JSON integer or a numeric string.
    pub fn int(&mut self, name: &str, need: Need) -> Option<i64> {
        let value = self.get(name, need)?.clone();
        let parsed = match &value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| {
                        // Exactly integral and in range, so the cast is exact.
                        #[allow(clippy::cast_possible_truncation)]
                        let i = f as i64;
                        i
                    })
            }),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.errors.add(
                name,
                if value.is_null() {
                    msg::NULL
                } else {
                    msg::INTEGER
                },
            );
        }
        parsed
    }

    /// A primary key; `Some(None)` when `null` (or `""` from a form) was sent and `nullable`.
    pub fn pk(&mut self, name: &str, need: Need, nullable: bool) -> Option<Option<i64>> {
        let value = self.get(name, need)?.clone();
        let parsed = match &value {
            Value::Null if nullable => return Some(None),
            Value::String(s) if nullable && s.is_empty() => return Some(None),
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            let message = match &value {
                Value::Null => msg::NULL.to_owned(),
                other => format!(
                    "Incorrect type. Expected pk value, received {}.",
                    type_name(other)
                ),
            };
            self.errors.add(name, message);
        }
        parsed.map(Some)
    }

    /// Money: a string or number with at most two decimals, within the column's 10 digits.
    pub fn money(&mut self, name: &str, need: Need) -> Option<madeinpk_domain::money::Money> {
        use madeinpk_domain::money::{Money, MoneyError};
        let value = self.get(name, need)?.clone();
        let text = match &value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Null => {
                self.errors.add(name, msg::NULL);
                return None;
            }
            _ => {
                self.errors.add(name, "A valid number is required.");
                return None;
            }
        };
        match Money::parse(&text, madeinpk_domain::money::Currency::Pkr) {
            Ok(m) if m.minor().abs() > madeinpk_domain::money::MAX_MINOR => {
                self.errors.add(
                    name,
                    "Ensure that there are no more than 10 digits in total.",
                );
                None
            }
            Ok(m) => Some(m),
            Err(MoneyError::TooManyDecimals) => {
                self.errors
                    .add(name, "Ensure that there are no more than 2 decimal places.");
                None
            }
            Err(MoneyError::Overflow) => {
                self.errors.add(
                    name,
                    "Ensure that there are no more than 10 digits in total.",
                );
                None
            }
            Err(_) => {
                self.errors.add(name, "A valid number is required.");
                None
            }
        }
    }

    /// A nullable datetime: `Some(None)` for null; naive values are read in the configured zone.
    pub fn datetime(
        &mut self,
        name: &str,
        need: Need,
    ) -> Option<Option<chrono::DateTime<chrono::Utc>>> {
        match self.get(name, need)?.clone() {
            Value::Null => Some(None),
            Value::String(s) if s.trim().is_empty() && self.textual => Some(None),
            Value::String(s) => {
                let parsed = crate::time::parse(&s);
                if parsed.is_none() {
                    self.errors.add(name, crate::time::BAD_DATETIME);
                }
                parsed.map(Some)
            }
            _ => {
                self.errors.add(name, crate::time::BAD_DATETIME);
                None
            }
        }
    }

    /// One of `choices` (by wire value).
    pub fn choice<T: Copy>(
        &mut self,
        name: &str,
        need: Need,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.string(name, need)?;
        let parsed = parse(&text);
        if parsed.is_none() {
            self.errors.add(name, msg::invalid_choice(&text));
        }
        parsed
    }

    /// A boolean: JSON bool, or the usual text/number spellings.
    pub fn bool(&mut self, name: &str, need: Need) -> Option<bool> {
        let value = self.get(name, need)?.clone();
        let parsed = match &value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
                "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.errors.add(
                name,
                if value.is_null() {
                    msg::NULL
                } else {
                    msg::BOOLEAN
                },
            );
        }
        parsed
    }

    /// Any JSON value (objects sent as form text are parsed as JSON).
    pub fn json(&mut self, name: &str) -> Option<Value> {
        let value = self.get(name, Need::Optional)?.clone();
        let parsed = match value {
            // Form and multipart values are text; JSON bodies carry the value itself.
            Value::String(s) if self.textual => serde_json::from_str(&s).ok(),
            v => Some(v),
        };
        match parsed {
            None => self.errors.add(name, "Value must be valid JSON."),
            Some(ref v) if has_nul(v) => self.errors.add(name, msg::NUL),
            Some(_) => return parsed,
        }
        None
    }

    /// Adds an error of the caller's own.
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        self.errors.add(name, message);
    }

    /// The field errors so far, for a service that reports them in its own order.
    pub fn into_errors(self) -> Result<(), madeinpk_domain::validation::FieldErrors> {
        self.errors.into_result()
    }

    /// `Ok(())` when every read succeeded.
    pub fn finish(self) -> Result<(), ApiError> {
        self.errors.into_result().map_err(ApiError::Validation)
    }
}
