//! Mapping of diesel and pool errors to the domain's `StoreError`.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use madeinpk_domain::store::StoreError;

/// Converts a diesel error; constraint violations are conflicts, not outages.
pub fn store(e: DieselError) -> StoreError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
            StoreError::Unavailable(info.message().to_owned())
        }
        DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation
            | DatabaseErrorKind::ForeignKeyViolation
            | DatabaseErrorKind::CheckViolation,
            info,
        ) => StoreError::Conflict(info.message().to_owned()),
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
