//! Users' postal addresses: owner-only, at most one default.

use chrono::{DateTime, Utc};

use crate::ids::{AddressId, CityId, UserId};
use crate::page::Sort;
use crate::store::StoreError;
use crate::validation::{FieldErrors, check_max_len, msg};

/// A saved address with its city and province names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Id.
    pub id: AddressId,
    /// Owner.
    pub user_id: UserId,
    /// Street line.
    pub street_address: String,
    /// City.
    pub city_id: CityId,
    /// City name.
    pub city_name: String,
    /// Province name.
    pub province_name: String,
    /// Postal code.
    pub postal_code: String,
    /// The owner's default address.
    pub is_default: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// Why an address operation was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AddressError {
    /// Not the caller's, or does not exist.
    #[error("No Address matches the given query.")]
    NotFound,
    /// Field rules failed.
    #[error("invalid address: {0}")]
    Validation(FieldErrors),
    /// Orders still point at it.
    #[error("This address is used by an order and cannot be deleted.")]
    InUse,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Fields of a create (all set) or partial update (`None` = unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressInput {
    /// Street line, at most 255 characters.
    pub street_address: Option<String>,
    /// City id.
    pub city: Option<CityId>,
    /// Postal code, at most 10 characters.
    pub postal_code: Option<String>,
    /// Make it the default (clears the others).
    pub is_default: Option<bool>,
}

/// Longest street line.
pub const STREET_MAX: usize = 255;
/// Longest postal code.
pub const POSTAL_MAX: usize = 10;

impl AddressInput {
    /// Checks the fields; `full` requires the three mandatory ones (create and PUT).
    pub fn check(&self, full: bool) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        match &self.street_address {
            Some(s) if s.trim().is_empty() => errors.add("street_address", msg::BLANK),
            Some(s) => check_max_len(&mut errors, "street_address", s, STREET_MAX),
            None if full => errors.add("street_address", msg::REQUIRED),
            None => {}
        }
        if full && self.city.is_none() {
            errors.add("city", msg::REQUIRED);
        }
        match &self.postal_code {
            Some(s) if s.trim().is_empty() => errors.add("postal_code", msg::BLANK),
            Some(s) => check_max_len(&mut errors, "postal_code", s, POSTAL_MAX),
            None if full => errors.add("postal_code", msg::REQUIRED),
            None => {}
        }
        errors.into_result()
    }
}

/// Sortable address fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressSort {
    /// Id.
    Id,
    /// Street.
    Street,
    /// City id.
    City,
    /// City name.
    CityName,
    /// Province name.
    ProvinceName,
    /// Postal code.
    PostalCode,
    /// Default flag.
    IsDefault,
    /// Creation time.
    CreatedAt,
}

/// `?ordering=` names for addresses.
pub const ADDRESS_ORDERING: &[(&str, AddressSort)] = &[
    ("id", AddressSort::Id),
    ("street_address", AddressSort::Street),
    ("city", AddressSort::City),
    ("city__name", AddressSort::CityName),
    ("city__province__name", AddressSort::ProvinceName),
    ("postal_code", AddressSort::PostalCode),
    ("is_default", AddressSort::IsDefault),
    ("created_at", AddressSort::CreatedAt),
];

/// A list query over one owner's addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressQuery {
    /// Owner.
    pub owner: UserId,
    /// Sort keys; id ascending breaks ties.
    pub ordering: Vec<Sort<AddressSort>>,
}

/// What a delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Gone.
    Deleted,
    /// Not the owner's or unknown.
    NotFound,
    /// Still referenced; nothing changed.
    InUse,
}
