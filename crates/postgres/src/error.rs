//! Mapping of diesel and pool errors to the domain's `StoreError`.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use madeinpk_domain::store::StoreError;

/// What Postgres says when a statement failed for a passing reason: a deadlock, a statement or
/// lock timeout, a shutdown or restart, too many clients. Retrying later can succeed.
const TRANSIENT: &[&str] = &[
    "deadlock detected",
    "canceling statement due to",
    "could not obtain lock",
    "could not serialize access",
    "terminating connection",
    "the database system is",
    "too many clients",
    "remaining connection slots",
];

/// Converts a diesel error: constraint violations are conflicts; a lost connection or a passing
/// failure (see [`TRANSIENT`]) is an outage (503, retry); anything else is our fault (500).
pub fn store(e: DieselError) -> StoreError {
    match e {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::UnableToSendCommand
            | DatabaseErrorKind::SerializationFailure
            | DatabaseErrorKind::ReadOnlyTransaction,
            info,
        ) => StoreError::Unavailable(info.message().to_owned()),
        DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation
            | DatabaseErrorKind::ForeignKeyViolation
            | DatabaseErrorKind::RestrictViolation
            | DatabaseErrorKind::ExclusionViolation
            | DatabaseErrorKind::CheckViolation,
            info,
        ) => StoreError::Conflict(info.message().to_owned()),
        DieselError::DatabaseError(_, info)
            if TRANSIENT.iter().any(|t| info.message().contains(t)) =>
        {
            StoreError::Unavailable(info.message().to_owned())
        }
        DieselError::BrokenTransactionManager => StoreError::Unavailable(e.to_string()),
        other => StoreError::Other(other.to_string()),
    }
}

/// Converts a pool checkout error.
pub fn pool<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// The name of the unique constraint a write violated, if that is what happened.
pub fn unique_violation(e: &DieselError) -> Option<&str> {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            Some(info.constraint_name().unwrap_or(""))
        }
        _ => None,
    }
}

/// True when a write violated a foreign key (something still references the row).
pub fn is_foreign_key_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn outages_are_unavailable_races_are_conflicts_and_bugs_are_other() {
        let unavailable = [
            db(DatabaseErrorKind::ClosedConnection, "closed"),
            db(DatabaseErrorKind::UnableToSendCommand, "connection reset"),
            db(
                DatabaseErrorKind::SerializationFailure,
                "could not serialize",
            ),
            db(DatabaseErrorKind::Unknown, "deadlock detected"),
            db(
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
            db(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
        ];
        for e in unavailable {
            assert!(matches!(store(e), StoreError::Unavailable(_)));
        }
        assert!(matches!(
            store(db(DatabaseErrorKind::UniqueViolation, "duplicate key")),
            StoreError::Conflict(_)
        ));
        for e in [
            db(DatabaseErrorKind::Unknown, "column \"nme\" does not exist"),
            db(DatabaseErrorKind::NotNullViolation, "null value in column"),
            DieselError::NotFound,
        ] {
            assert!(matches!(store(e), StoreError::Other(_)));
        }
    }
}
