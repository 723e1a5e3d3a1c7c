//! Seller profile use cases: owners manage theirs, admins see all and verify.

use crate::account::ports::{AddressRepository, UserRepository};
use crate::account::rules::SellerApplication;
use crate::account::user::{SellerProfile, User};
use crate::catalog::product::CatalogError;
use crate::community::ports::SellerProfileRepository;
use crate::community::seller_profile::{
    SellerProfileChanges, SellerProfileQuery, SellerProfileSort,
};
use crate::ids::{SellerProfileId, UserId};
use crate::outbox::Outbox;
use crate::page::{Page, PageRequest, Sort};
use crate::validation::FieldErrors;

/// Message for a business address that is not the owner's.
pub const BAD_ADDRESS: &str = "Invalid business address ID or address does not belong to you";

/// The seller-profile use cases.
pub struct SellerProfiles<S, U, A> {
    profiles: S,
    users: U,
    addresses: A,
}

impl<S: SellerProfileRepository, U: UserRepository, A: AddressRepository> SellerProfiles<S, U, A> {
    /// Wires the service.
    pub fn new(profiles: S, users: U, addresses: A) -> Self {
        Self {
            profiles,
            users,
            addresses,
        }
    }

    /// Admins see every profile; everyone else only their own.
    pub async fn list(
        &self,
        actor: &User,
        ordering: Vec<Sort<SellerProfileSort>>,
        page: PageRequest,
    ) -> Result<Page<SellerProfile>, CatalogError> {
        let owner = if actor.is_admin() {
            None
        } else {
            Some(actor.id)
        };
        Ok(self
            .profiles
            .list_profiles(SellerProfileQuery { owner, ordering }, page)
            .await?)
    }

    /// A profile the caller may see (own, or any for admins); others are "not found".
    pub async fn get(
        &self,
        actor: &User,
        id: SellerProfileId,
    ) -> Result<SellerProfile, CatalogError> {
        let profile = self
            .profiles
            .profile(id)
            .await?
            .ok_or(CatalogError::NotFound("SellerProfile"))?;
        if profile.user_id == actor.id || actor.is_admin() {
            Ok(profile)
        } else {
            Err(CatalogError::NotFound("SellerProfile"))
        }
    }

    async fn check_address(
        &self,
        owner: UserId,
        address: Option<Option<crate::ids::AddressId>>,
    ) -> Result<(), CatalogError> {
        if let Some(Some(address)) = address
            && self.addresses.get(owner, address).await?.is_none()
        {
            return Err(FieldErrors::single("business_address_id", BAD_ADDRESS).into());
        }
        Ok(())
    }

    /// Creates the caller's profile (sellers only, once).
    pub async fn create(
        &self,
        actor: &User,
        application: SellerApplication,
    ) -> Result<SellerProfile, CatalogError> {
        application.check_fields()?;
        if !actor.can_sell() {
            return Err(CatalogError::NotASeller(
                "Only sellers can create seller profiles".into(),
            ));
        }
        if self.users.seller_profile(actor.id).await?.is_some() {
            return Err(CatalogError::ProfileExists);
        }
        self.check_address(actor.id, Some(application.business_address_id))
            .await?;
        let created = self
            .users
            .create_seller_profile(actor.id, application, false, Outbox::new())
            .await?;
        created.map(|(_, p)| p).ok_or(CatalogError::ProfileExists)
    }

    /// Edits a profile (owner or admin); only admins change `is_verified`.
    pub async fn update(
        &self,
        actor: &User,
        id: SellerProfileId,
        mut changes: SellerProfileChanges,
    ) -> Result<SellerProfile, CatalogError> {
        let profile = self.get(actor, id).await?;
        changes.check()?;
        if !actor.is_admin() {
            changes.is_verified = None;
        }
        self.check_address(profile.user_id, changes.business_address_id)
            .await?;
        self.profiles.update_profile(id, changes).await?;
        self.get(actor, id).await
    }

    /// Deletes a profile (owner or admin).
    pub async fn delete(&self, actor: &User, id: SellerProfileId) -> Result<(), CatalogError> {
        self.get(actor, id).await?;
        if self.profiles.delete_profile(id).await? {
            Ok(())
        } else {
            Err(CatalogError::NotFound("SellerProfile"))
        }
    }

    /// Sets the verified badge (admins only; checked before the lookup, as in the original).
    pub async fn set_verified(
        &self,
        actor: &User,
        id: Option<SellerProfileId>,
        verified: bool,
    ) -> Result<(), CatalogError> {
        if !actor.is_admin() {
            let what = if verified { "verify" } else { "unverify" };
            return Err(CatalogError::forbidden(format!(
                "Only admins can {what} sellers"
            )));
        }
        // A malformed id is simply not found, but only admins learn that.
        let id = id.ok_or(CatalogError::NotFound("SellerProfile"))?;
        self.profiles
            .profile(id)
            .await?
            .ok_or(CatalogError::NotFound("SellerProfile"))?;
        self.profiles
            .update_profile(
                id,
                SellerProfileChanges {
                    is_verified: Some(verified),
                    ..SellerProfileChanges::default()
                },
            )
            .await?;
        Ok(())
    }
}
