//! Field-level validation errors in the contract's `{field: [messages]}` shape.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Key for object-level errors.
pub const NON_FIELD: &str = "non_field_errors";

/// Messages shared by many fields (DRF's exact texts).
pub mod msg {
    /// A required field is absent.
    pub const REQUIRED: &str = "This field is required.";
    /// A required text is empty.
    pub const BLANK: &str = "This field may not be blank.";
    /// A null was sent where a value is needed.
    pub const NULL: &str = "This field may not be null.";
    /// Not an integer.
    pub const INTEGER: &str = "A valid integer is required.";
    /// Not a boolean.
    pub const BOOLEAN: &str = "Must be a valid boolean.";
    /// Not a string.
    pub const STRING: &str = "Not a valid string.";
    /// Not a valid email.
    pub const EMAIL: &str = "Enter a valid email address.";
    /// Not a valid URL.
    pub const URL: &str = "Enter a valid URL.";
    /// Text with a NUL character (Postgres cannot store it).
    pub const NUL: &str = "Null characters are not allowed.";
    /// A file that is not an image.
    pub const IMAGE: &str =
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image.";

    /// Text longer than `n` characters.
    pub fn max_length(n: usize) -> String {
        format!("Ensure this field has no more than {n} characters.")
    }

    /// Text shorter than `n` characters.
    pub fn min_length(n: usize) -> String {
        format!("Ensure this field has at least {n} characters.")
    }

    /// A value outside the allowed set.
    pub fn invalid_choice(value: &str) -> String {
        format!("\"{value}\" is not a valid choice.")
    }

    /// A reference to a missing object.
    pub fn invalid_pk(value: impl std::fmt::Display) -> String {
        format!("Invalid pk \"{value}\" - object does not exist.")
    }
}

/// Errors per field, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, Vec<String>)>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One error for one field.
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    /// An object-level error.
    pub fn non_field(message: impl Into<String>) -> Self {
        Self::single(NON_FIELD, message)
    }

    /// Records a message for a field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.0.iter_mut().find(|(f, _)| f == field) {
            Some((_, list)) => list.push(message),
            None => self.0.push((field.to_owned(), vec![message])),
        }
    }

    /// Adds every error of `other`.
    pub fn merge(&mut self, other: Self) {
        for (field, messages) in other.0 {
            for m in messages {
                self.add(&field, m);
            }
        }
    }

    /// Every `(field, messages)` pair, in the order added.
    pub fn entries(&self) -> &[(String, Vec<String>)] {
        &self.0
    }

    /// True when `field` has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when empty, else `Err(self)`.
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The messages of one field.
    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_slice())
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (field, messages)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{field}: {}", messages.join(" "))?;
        }
        Ok(())
    }
}

impl Serialize for FieldErrors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in &self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

/// Checks a text's length in characters, recording the contract's message.
pub fn check_max_len(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, msg::max_length(max));
    }
}

/// A loose but safe email check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 255
        && !email.chars().any(char::is_whitespace)
        && !local.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// An http(s) URL with a host and no spaces.
pub fn is_valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && !url.chars().any(char::is_whitespace)
                && (host.contains('.') || host.starts_with("localhost"))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_insertion_order() {
        let mut e = FieldErrors::new();
        e.add("username", "a");
        e.add("email", "b");
        e.add("username", "c");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"username":["a","c"],"email":["b"]}"#
        );
    }

    #[test]
    fn emails() {
        assert!(is_valid_email("ali@example.pk"));
        assert!(!is_valid_email("ali@example"));
        assert!(!is_valid_email("ali example@x.pk"));
        assert!(!is_valid_email("@x.pk"));
        assert!(!is_valid_email("ali@@x.pk"));
        assert!(!is_valid_email("ali@x..pk"));
    }

    #[test]
    fn urls() {
        assert!(is_valid_url("https://madeinpk.pk/shop"));
        assert!(!is_valid_url("ftp://x.pk"));
        assert!(!is_valid_url("https://"));
        assert!(!is_valid_url("madeinpk.pk"));
    }
}
