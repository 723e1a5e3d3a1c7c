//! Page-number pagination and `?ordering=` parsing shared by every list.

/// Default page size (the contract's 20).
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Largest `page_size` a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Rows per page.
    pub size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.size)
    }

    /// Rows to take.
    pub fn limit(self) -> i64 {
        i64::from(self.size)
    }

    /// Number of pages for `count` rows (at least 1, so an empty list has page 1).
    pub fn page_count(self, count: i64) -> i64 {
        let size = i64::from(self.size.max(1));
        ((count + size - 1) / size).max(1)
    }
}

/// One page of rows plus the total count.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Rows matching the query, on all pages.
    pub count: i64,
    /// This page's rows.
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// Transforms every row.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            count: self.count,
            items: self.items.into_iter().map(f).collect(),
        }
    }
}

/// One sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<F> {
    /// The field.
    pub field: F,
    /// Descending when the client wrote `-field`.
    pub descending: bool,
}

/// Parses `?ordering=a,-b` against the allowed names; unknown names are ignored.
pub fn parse_ordering<F: Copy>(raw: Option<&str>, allowed: &[(&str, F)]) -> Vec<Sort<F>> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|term| {
            let (descending, name) = match term.strip_prefix('-') {
                Some(n) => (true, n),
                None => (false, term),
            };
            allowed.iter().find(|(n, _)| *n == name).map(|(_, f)| Sort {
                field: *f,
                descending,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_ignores_unknown_fields() {
        let allowed = [("id", 1), ("name", 2)];
        let s = parse_ordering(Some("-name,bogus, id"), &allowed);
        assert_eq!(
            s,
            vec![
                Sort {
                    field: 2,
                    descending: true
                },
                Sort {
                    field: 1,
                    descending: false
                }
            ]
        );
        assert!(parse_ordering(None, &allowed).is_empty());
    }

    #[test]
    fn page_maths() {
        let p = PageRequest { page: 3, size: 20 };
        assert_eq!(p.offset(), 40);
        assert_eq!(p.page_count(0), 1);
        assert_eq!(p.page_count(41), 3);
        assert_eq!(p.page_count(40), 2);
    }
}
