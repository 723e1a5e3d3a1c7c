//! The SQL side of one console list: its FROM clause, column and filter expressions.

/// The SQL side of one entity's list.
pub(crate) struct Source {
    /// The table a detail page reads every field of.
    pub table: &'static str,
    /// `FROM` clause (with joins).
    pub from: &'static str,
    /// The row id.
    pub id: &'static str,
    /// `(column key, expression)`.
    pub columns: &'static [(&'static str, &'static str)],
    /// Search predicates, OR'ed.
    pub search: &'static [&'static str],
    /// `(filter key, expression compared with the value)`.
    pub filters: &'static [(&'static str, &'static str)],
    /// The drilled date's expression.
    pub drill: Option<&'static str>,
}

impl Source {
    /// The expression of column `key`.
    pub(crate) fn column(&self, key: &str) -> Option<&'static str> {
        self.columns
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| *e)
    }

    /// The expression of filter `key`.
    pub(crate) fn filter(&self, key: &str) -> Option<&'static str> {
        self.filters
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| *e)
    }
}

#[cfg(test)]
mod tests {
    use crate::console::sources::source;
    use madeinpk_domain::console::columns::{Kind, spec};
    use madeinpk_domain::console::entity::Entity;

    #[test]
    fn every_column_and_filter_of_the_console_has_its_sql() {
        for entity in Entity::ALL {
            let (spec, source) = (spec(entity), source(entity));
            assert_eq!(spec.columns.len(), source.columns.len(), "{entity:?}");
            for c in spec.columns {
                let sql = source
                    .column(c.key)
                    .unwrap_or_else(|| panic!("{entity:?}.{}", c.key));
                if matches!(c.kind, Kind::Ref(_)) {
                    let (id, label) = sql.split_once('|').expect("a Ref column is `id|label`");
                    assert!(
                        !id.contains(' ') && !label.is_empty(),
                        "{entity:?}.{}",
                        c.key
                    );
                }
            }
            for f in spec.filters {
                assert!(
                    source.filter(f.key).is_some(),
                    "{entity:?} filter {}",
                    f.key
                );
            }
            assert_eq!(
                spec.drill.is_some(),
                source.drill.is_some(),
                "{entity:?} drill"
            );
            assert!(!source.search.is_empty() && source.search.iter().all(|s| s.contains("{q}")));
        }
    }
}
