//! Address book use cases; every call is scoped to its owner.

use crate::account::address::{Address, AddressError, AddressInput, AddressQuery, Removal};
use crate::account::ports::AddressRepository;
use crate::catalog::ports::ReferenceRepository;
use crate::ids::{AddressId, UserId};
use crate::page::{Page, PageRequest};
use crate::validation::msg;

/// The address use cases.
pub struct Addresses<A, R> {
    addresses: A,
    reference: R,
}

impl<A: AddressRepository, R: ReferenceRepository> Addresses<A, R> {
    /// Wires the service.
    pub fn new(addresses: A, reference: R) -> Self {
        Self {
            addresses,
            reference,
        }
    }

    /// The store (for other services that check ownership).
    pub fn store(&self) -> &A {
        &self.addresses
    }

    async fn check(&self, input: &AddressInput, full: bool) -> Result<(), AddressError> {
        let mut errors = input.check(full).err().unwrap_or_default();
        if let Some(city) = input.city
            && self.reference.city(city).await?.is_none()
        {
            errors.add("city", msg::invalid_pk(city));
        }
        errors.into_result().map_err(AddressError::Validation)
    }

    /// One page of the owner's addresses.
    pub async fn list(
        &self,
        query: AddressQuery,
        page: PageRequest,
    ) -> Result<Page<Address>, AddressError> {
        Ok(self.addresses.list(query, page).await?)
    }

    /// One of the owner's addresses.
    pub async fn get(&self, owner: UserId, id: AddressId) -> Result<Address, AddressError> {
        self.addresses
            .get(owner, id)
            .await?
            .ok_or(AddressError::NotFound)
    }

    /// Adds an address; when it is the default, the others stop being default.
    pub async fn create(
        &self,
        owner: UserId,
        input: AddressInput,
    ) -> Result<Address, AddressError> {
        self.check(&input, true).await?;
        Ok(self.addresses.create(owner, input).await?)
    }

    /// Replaces (`full`) or patches an address of the owner.
    pub async fn update(
        &self,
        owner: UserId,
        id: AddressId,
        input: AddressInput,
        full: bool,
    ) -> Result<Address, AddressError> {
        // Someone else's address is "not found" before any field is judged.
        self.get(owner, id).await?;
        self.check(&input, full).await?;
        self.addresses
            .update(owner, id, input)
            .await?
            .ok_or(AddressError::NotFound)
    }

    /// Deletes an address no order references.
    pub async fn delete(&self, owner: UserId, id: AddressId) -> Result<(), AddressError> {
        match self.addresses.delete(owner, id).await? {
            Removal::Deleted => Ok(()),
            Removal::NotFound => Err(AddressError::NotFound),
            Removal::InUse => Err(AddressError::InUse),
        }
    }

    /// Makes one address the default.
    pub async fn set_default(&self, owner: UserId, id: AddressId) -> Result<(), AddressError> {
        if self.addresses.set_default(owner, id).await? {
            Ok(())
        } else {
            Err(AddressError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::ports::MockAddressRepository;
    use crate::catalog::ports::MockReferenceRepository;
    use crate::ids::CityId;
    use crate::validation::FieldErrors;
    use std::future::ready;

    #[tokio::test]
    async fn unknown_city_is_a_field_error_and_nothing_is_written() {
        let mut addresses = MockAddressRepository::new();
        addresses.expect_create().never();
        let mut reference = MockReferenceRepository::new();
        reference
            .expect_city()
            .returning(|_| Box::pin(ready(Ok(None))));
        let svc = Addresses::new(addresses, reference);
        let input = AddressInput {
            street_address: Some("1 Mall Road".into()),
            city: Some(CityId(999)),
            postal_code: Some("54000".into()),
            is_default: None,
        };
        let err = svc.create(UserId(1), input).await.unwrap_err();
        assert_eq!(
            err,
            AddressError::Validation(FieldErrors::single(
                "city",
                "Invalid pk \"999\" - object does not exist."
            ))
        );
    }

    #[tokio::test]
    async fn update_of_a_strangers_address_is_not_found() {
        let mut addresses = MockAddressRepository::new();
        addresses
            .expect_get()
            .returning(|_, _| Box::pin(ready(Ok(None))));
        addresses.expect_update().never();
        let svc = Addresses::new(addresses, MockReferenceRepository::new());
        let err = svc
            .update(UserId(1), AddressId(5), AddressInput::default(), false)
            .await
            .unwrap_err();
        assert_eq!(err, AddressError::NotFound);
    }
}
