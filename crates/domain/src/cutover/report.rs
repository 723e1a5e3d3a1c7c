//! What an import did, per entity: rows in the source, imported now, already present, refused
//! (with the reason), and sums compared between the source and our database.

use std::fmt::Write as _;

/// A source row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The row's id in the source.
    pub source_id: String,
    /// Why, in words an operator can act on.
    pub reason: String,
}

/// A sum compared between the source and our database (decimal strings, exact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumCheck {
    /// What is summed.
    pub label: String,
    /// In the source.
    pub source: String,
    /// In our database after the import.
    pub imported: String,
}

impl SumCheck {
    /// True when both sides agree.
    pub fn matches(&self) -> bool {
        self.source == self.imported
    }
}

/// One entity's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityReport {
    /// The entity (our table's name).
    pub entity: String,
    /// Rows in the source.
    pub source_rows: u64,
    /// Rows imported by this run (would be, in a dry run).
    pub imported: u64,
    /// Rows a previous run imported already.
    pub already_present: u64,
    /// Rows refused.
    pub refused: Vec<Refusal>,
    /// Sums compared.
    pub sums: Vec<SumCheck>,
}

impl EntityReport {
    /// An empty report for `entity`.
    pub fn new(entity: &str) -> Self {
        Self {
            entity: entity.to_owned(),
            ..Self::default()
        }
    }

    /// Records a refused row.
    pub fn refuse(&mut self, source_id: impl ToString, reason: impl Into<String>) {
        self.refused.push(Refusal {
            source_id: source_id.to_string(),
            reason: reason.into(),
        });
    }

    /// Every source row is accounted for: imported, present before, or refused.
    pub fn accounted_for(&self) -> bool {
        self.imported + self.already_present + self.refused.len() as u64 == self.source_rows
    }
}

/// The whole import's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// Per entity, in import order.
    pub entities: Vec<EntityReport>,
}

impl ImportReport {
    /// The figures of `entity`, if it was imported.
    pub fn entity(&self, entity: &str) -> Option<&EntityReport> {
        self.entities.iter().find(|e| e.entity == entity)
    }

    /// Rows imported by this run, over every entity.
    pub fn imported(&self) -> u64 {
        self.entities.iter().map(|e| e.imported).sum()
    }

    /// Every sum agrees and every row is accounted for.
    pub fn consistent(&self) -> bool {
        self.entities
            .iter()
            .all(|e| e.accounted_for() && e.sums.iter().all(SumCheck::matches))
    }

    /// The report as the command prints it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mode = if self.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        };
        let _ = writeln!(out, "import-django report{mode}");
        let _ = writeln!(
            out,
            "{:<24} {:>9} {:>9} {:>9} {:>8}",
            "entity", "source", "imported", "present", "refused"
        );
        for e in &self.entities {
            let _ = writeln!(
                out,
                "{:<24} {:>9} {:>9} {:>9} {:>8}",
                e.entity,
                e.source_rows,
                e.imported,
                e.already_present,
                e.refused.len()
            );
            for s in &e.sums {
                let verdict = if s.matches() { "ok" } else { "DIFFERS" };
                let _ = writeln!(
                    out,
                    "    {}: source {} imported {} {verdict}",
                    s.label, s.source, s.imported
                );
            }
        }
        let refused: Vec<_> = self
            .entities
            .iter()
            .flat_map(|e| e.refused.iter().map(move |r| (&e.entity, r)))
            .collect();
        if !refused.is_empty() {
            let _ = writeln!(out, "refused rows:");
            for (entity, r) in refused {
                let _ = writeln!(out, "    {entity} {}: {}", r.source_id, r.reason);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_accounts_for_every_row_and_names_refusals() {
        let mut users = EntityReport::new("users");
        users.source_rows = 3;
        users.imported = 1;
        users.already_present = 1;
        assert!(!users.accounted_for());
        users.refuse(7, "the email is used by another account (id 2)");
        assert!(users.accounted_for());
        users.sums.push(SumCheck {
            label: "failed_payment_count".into(),
            source: "9".into(),
            imported: "9".into(),
        });
        let report = ImportReport {
            dry_run: true,
            entities: vec![users],
        };
        assert!(report.consistent());
        let text = report.render();
        assert!(text.contains("dry run"), "{text}");
        assert!(
            text.contains("users 7: the email is used by another account (id 2)"),
            "{text}"
        );
        assert!(
            text.contains("failed_payment_count: source 9 imported 9 ok"),
            "{text}"
        );
    }
}
