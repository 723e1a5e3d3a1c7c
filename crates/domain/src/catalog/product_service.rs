//! Product use cases: browse, create with images, edit, delete, manage images.

use crate::account::user::User;
use crate::catalog::ports::{MediaStorage, PayoutReadiness, ProductRepository};
use crate::catalog::product::{
    CatalogError, ImageFile, ImageRemoval, ImageUpload, NewProduct, ProductChanges, ProductImage,
    ProductInput, ProductOwnership, ProductQuery, ProductRemoval, ProductView,
};
use crate::ids::{ProductId, ProductImageId};
use crate::page::{Page, PageRequest};
use crate::validation::{FieldErrors, msg};

/// The refusal to publish for a seller whose email address is not verified.
pub const UNVERIFIED_SELLER: &str = "Verify your email address before publishing";

/// Catalogue settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CatalogSettings {
    /// Publishing needs a payout account that can receive transfers (off by default, as the
    /// original let sellers publish before onboarding).
    pub require_payout_account: bool,
    /// Inactive listings are seen by their seller and admins only (`STRICT_VISIBILITY`; off by
    /// default: the contract lists every status to anyone).
    pub private_inactive: bool,
    /// Publishing needs a verified email address (`SELLERS_MUST_VERIFY_EMAIL`; off by default:
    /// the contract lets any seller publish).
    pub require_verified_email: bool,
}

/// Sellers may publish; with the settings, only those who can be paid and whose email address
/// is verified.
pub async fn ensure_can_publish<P: PayoutReadiness>(
    payouts: &P,
    settings: CatalogSettings,
    actor: &User,
    what: &str,
) -> Result<(), CatalogError> {
    if !actor.can_sell() {
        return Err(CatalogError::forbidden(format!(
            "Only sellers can create {what}"
        )));
    }
    if settings.require_payout_account && !payouts.can_receive_payouts(actor.id).await? {
        return Err(CatalogError::forbidden(
            "Finish setting up your payout account before publishing",
        ));
    }
    if settings.require_verified_email && !payouts.email_verified(actor.id).await? {
        return Err(CatalogError::forbidden(UNVERIFIED_SELLER));
    }
    Ok(())
}

/// The owner or an admin; anyone else gets the contract's 403 text.
pub fn ensure_owner(
    actor: &User,
    owner: crate::ids::UserId,
    refusal: &str,
) -> Result<(), CatalogError> {
    if actor.id == owner || actor.is_admin() {
        Ok(())
    } else {
        Err(CatalogError::forbidden(refusal))
    }
}

/// The owner or an admin; anyone else is told the object does not exist (rule 1 of the
/// rewrite: where the original had no owner check, a stranger gets 404, not a new 403).
pub fn ensure_owner_or_hidden(
    actor: &User,
    owner: crate::ids::UserId,
    model: &'static str,
) -> Result<(), CatalogError> {
    if actor.id == owner || actor.is_admin() {
        Ok(())
    } else {
        Err(CatalogError::NotFound(model))
    }
}

/// The product use cases.
pub struct Products<R, M, P> {
    repo: R,
    media: M,
    payouts: P,
    settings: CatalogSettings,
}

impl<R: ProductRepository, M: MediaStorage, P: PayoutReadiness> Products<R, M, P> {
    /// Wires the service.
    pub fn new(repo: R, media: M, payouts: P, settings: CatalogSettings) -> Self {
        Self {
            repo,
            media,
            payouts,
            settings,
        }
    }

    /// The store (listings and auctions embed products).
    pub fn store(&self) -> &R {
        &self.repo
    }

    /// The payout check.
    pub fn payouts(&self) -> &P {
        &self.payouts
    }

    /// The settings.
    pub fn settings(&self) -> CatalogSettings {
        self.settings
    }

    /// One page of products.
    pub async fn list(
        &self,
        query: ProductQuery,
        page: PageRequest,
        viewer: Option<&User>,
    ) -> Result<Page<ProductView>, CatalogError> {
        Ok(self
            .repo
            .list_products(query, page, viewer.map(|u| u.id))
            .await?)
    }

    /// One product.
    pub async fn get(
        &self,
        id: ProductId,
        viewer: Option<&User>,
    ) -> Result<ProductView, CatalogError> {
        self.repo
            .product(id, viewer.map(|u| u.id))
            .await?
            .ok_or(CatalogError::NotFound("Product"))
    }

    async fn ownership(&self, id: ProductId) -> Result<ProductOwnership, CatalogError> {
        self.repo
            .product_ownership(id)
            .await?
            .ok_or(CatalogError::NotFound("Product"))
    }

    /// Checks product fields and that the category exists; returns the condition.
    pub async fn check_input(
        &self,
        input: &ProductInput,
        full: bool,
    ) -> Result<Option<crate::catalog::product::Condition>, CatalogError> {
        let mut errors = FieldErrors::new();
        let condition = input
            .check(full)
            .map_err(|e| errors.merge(e))
            .ok()
            .flatten();
        if let Some(Some(category)) = input.category
            && !self.repo.category_exists(category).await?
        {
            errors.add("category", msg::invalid_pk(category));
        }
        errors.into_result()?;
        Ok(condition)
    }

    /// Stores uploads; on failure removes what was already stored.
    pub async fn store_images(
        &self,
        images: Vec<ImageUpload>,
    ) -> Result<Vec<String>, CatalogError> {
        let mut paths = Vec::with_capacity(images.len());
        for image in images {
            match self.media.store("products".into(), image).await {
                Ok(p) => paths.push(p),
                Err(e) => {
                    self.discard(paths).await;
                    return Err(e.into());
                }
            }
        }
        Ok(paths)
    }

    /// Removes stored files nobody references.
    pub async fn discard(&self, paths: Vec<String>) {
        for p in paths {
            self.media.remove(p).await;
        }
    }

    /// Creates a product (sellers only); images in upload order, the first primary.
    pub async fn create(
        &self,
        actor: &User,
        input: ProductInput,
        images: Vec<ImageUpload>,
    ) -> Result<ProductView, CatalogError> {
        ensure_can_publish(&self.payouts, self.settings, actor, "products").await?;
        let condition = self.check_input(&input, true).await?;
        let paths = self.store_images(images).await?;
        let new = NewProduct {
            seller: actor.id,
            category: input.category.flatten(),
            name: input.name.unwrap_or_default().trim().to_owned(),
            description: input.description.unwrap_or_default(),
            condition: condition.unwrap_or(crate::catalog::product::Condition::New),
            images: paths.clone(),
        };
        let id = match self.repo.create_product(new).await {
            Ok(id) => id,
            Err(e) => {
                self.discard(paths).await;
                return Err(e.into());
            }
        };
        self.get(id, Some(actor)).await
    }

    /// Edits a product (owner or admin).
    pub async fn update(
        &self,
        actor: &User,
        id: ProductId,
        input: ProductInput,
        full: bool,
    ) -> Result<ProductView, CatalogError> {
        let owner = self.ownership(id).await?;
        ensure_owner_or_hidden(actor, owner.seller, "Product")?;
        let condition = self.check_input(&input, full).await?;
        let changes = ProductChanges {
            category: input.category,
            name: input.name.map(|n| n.trim().to_owned()),
            description: input.description,
            condition,
        };
        self.repo.update_product(id, changes).await?;
        self.get(id, Some(actor)).await
    }

    /// Deletes a product and its listing or auction (owner or admin), unless orders use it.
    pub async fn delete(&self, actor: &User, id: ProductId) -> Result<(), CatalogError> {
        let owner = self.ownership(id).await?;
        ensure_owner_or_hidden(actor, owner.seller, "Product")?;
        match self.repo.delete_product(id).await? {
            ProductRemoval::Deleted(paths) => {
                self.discard(paths).await;
                Ok(())
            }
            ProductRemoval::NotFound => Err(CatalogError::NotFound("Product")),
            ProductRemoval::InUse => Err(CatalogError::InUse(
                "This product has orders and cannot be deleted.".into(),
            )),
            ProductRemoval::HasBids => Err(CatalogError::bad(crate::auction::model::HAS_BIDS)),
        }
    }

    /// Adds an image (owner only).
    pub async fn add_image(
        &self,
        actor: &User,
        id: ProductId,
        file: ImageFile,
    ) -> Result<ProductImage, CatalogError> {
        let owner = self.ownership(id).await?;
        ensure_owner(
            actor,
            owner.seller,
            "You can only add images to your own products",
        )?;
        let upload = match file {
            ImageFile::Missing => return Err(CatalogError::bad("No image file provided")),
            ImageFile::Invalid => {
                return Err(FieldErrors::single("image", crate::validation::msg::IMAGE).into());
            }
            ImageFile::Valid(upload) => upload,
        };
        let mut paths = self.store_images(vec![upload]).await?;
        let path = paths.pop().unwrap_or_default();
        match self.repo.add_image(id, path.clone()).await {
            Ok(image) => Ok(image),
            Err(e) => {
                self.discard(vec![path]).await;
                Err(e.into())
            }
        }
    }

    /// Deletes an image (owner only), never the last one.
    pub async fn delete_image(
        &self,
        actor: &User,
        id: ProductId,
        image: ProductImageId,
    ) -> Result<(), CatalogError> {
        let owner = self.ownership(id).await?;
        ensure_owner(
            actor,
            owner.seller,
            "You can only delete images from your own products",
        )?;
        match self.repo.delete_image(id, image).await? {
            ImageRemoval::Deleted(path) => {
                self.discard(vec![path]).await;
                Ok(())
            }
            ImageRemoval::NotFound => Err(CatalogError::ImageNotFound),
            ImageRemoval::LastImage => {
                Err(CatalogError::bad("Product must have at least one image"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::catalog::ports::{MockMediaStorage, MockPayoutReadiness, MockProductRepository};
    use crate::catalog::product::ListingType;
    use crate::fixtures::user;
    use crate::ids::UserId;
    use std::future::ready;

    fn owned_by(seller: i64) -> MockProductRepository {
        let mut repo = MockProductRepository::new();
        repo.expect_product_ownership().returning(move |_| {
            Box::pin(ready(Ok(Some(ProductOwnership {
                seller: UserId(seller),
                listing_type: Some(ListingType::FixedPrice),
            }))))
        });
        repo
    }

    fn input() -> ProductInput {
        ProductInput {
            name: Some("Ajrak".into()),
            description: Some("Block printed".into()),
            condition: Some("new".into()),
            category: None,
        }
    }

    #[tokio::test]
    async fn buyers_cannot_create_and_nothing_is_stored() {
        let mut repo = MockProductRepository::new();
        repo.expect_create_product().never();
        let mut media = MockMediaStorage::new();
        media.expect_store().never();
        let svc = Products::new(
            repo,
            media,
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        let err = svc
            .create(&user(1, Role::Buyer), input(), vec![])
            .await
            .unwrap_err();
        assert_eq!(
            err,
            CatalogError::forbidden("Only sellers can create products")
        );
    }

    #[tokio::test]
    async fn the_payout_requirement_is_an_operator_setting() {
        let mut payouts = MockPayoutReadiness::new();
        payouts
            .expect_can_receive_payouts()
            .returning(|_| Box::pin(ready(Ok(false))));
        let mut repo = MockProductRepository::new();
        repo.expect_create_product().never();
        let svc = Products::new(
            repo,
            MockMediaStorage::new(),
            payouts,
            CatalogSettings {
                require_payout_account: true,
                ..CatalogSettings::default()
            },
        );
        let err = svc
            .create(&user(1, Role::Seller), input(), vec![])
            .await
            .unwrap_err();
        assert!(matches!(err, CatalogError::Forbidden(_)));
    }

    #[tokio::test]
    async fn strangers_cannot_edit_or_delete_but_admins_can() {
        let mut repo = owned_by(1);
        repo.expect_update_product().never();
        repo.expect_delete_product().never();
        let svc = Products::new(
            repo,
            MockMediaStorage::new(),
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        let stranger = user(2, Role::Both);
        assert_eq!(
            svc.update(&stranger, ProductId(5), input(), true)
                .await
                .unwrap_err(),
            CatalogError::NotFound("Product")
        );
        assert_eq!(
            svc.delete(&stranger, ProductId(5)).await.unwrap_err(),
            CatalogError::NotFound("Product")
        );
        assert!(ensure_owner(&user(3, Role::Admin), UserId(1), "x").is_ok());
    }

    #[tokio::test]
    async fn a_failed_insert_removes_the_stored_images() {
        let mut repo = MockProductRepository::new();
        repo.expect_create_product()
            .returning(|_| Box::pin(ready(Err(crate::store::StoreError::Other("down".into())))));
        let mut media = MockMediaStorage::new();
        media
            .expect_store()
            .times(2)
            .returning(|_, u| Box::pin(ready(Ok(format!("products/x.{}", u.extension)))));
        media
            .expect_remove()
            .times(2)
            .returning(|_| Box::pin(ready(())));
        let svc = Products::new(
            repo,
            media,
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        let img = || ImageUpload {
            extension: "png",
            bytes: vec![1],
        };
        assert!(
            svc.create(&user(1, Role::Seller), input(), vec![img(), img()])
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn image_rules() {
        let mut repo = owned_by(1);
        repo.expect_delete_image().returning(|_, i| {
            Box::pin(ready(Ok(if i.get() == 1 {
                ImageRemoval::LastImage
            } else {
                ImageRemoval::NotFound
            })))
        });
        let svc = Products::new(
            repo,
            MockMediaStorage::new(),
            MockPayoutReadiness::new(),
            CatalogSettings::default(),
        );
        let owner = user(1, Role::Seller);
        assert_eq!(
            svc.add_image(&owner, ProductId(5), ImageFile::Missing)
                .await
                .unwrap_err(),
            CatalogError::bad("No image file provided")
        );
        assert_eq!(
            svc.add_image(&owner, ProductId(5), ImageFile::Invalid)
                .await
                .unwrap_err(),
            CatalogError::Validation(FieldErrors::single("image", crate::validation::msg::IMAGE))
        );
        assert_eq!(
            svc.delete_image(&owner, ProductId(5), ProductImageId(1))
                .await
                .unwrap_err(),
            CatalogError::bad("Product must have at least one image")
        );
        assert_eq!(
            svc.delete_image(&owner, ProductId(5), ProductImageId(2))
                .await
                .unwrap_err(),
            CatalogError::ImageNotFound
        );
        assert_eq!(
            svc.add_image(&user(2, Role::Seller), ProductId(5), ImageFile::Invalid)
                .await
                .unwrap_err(),
            CatalogError::forbidden("You can only add images to your own products")
        );
    }

    #[tokio::test]
    async fn with_the_email_gate_only_a_verified_seller_may_publish() {
        let gate = CatalogSettings {
            require_verified_email: true,
            ..CatalogSettings::default()
        };
        for (verified, expected) in [
            (false, Err(CatalogError::forbidden(UNVERIFIED_SELLER))),
            (true, Ok(())),
        ] {
            let mut payouts = MockPayoutReadiness::new();
            payouts
                .expect_email_verified()
                .withf(|seller| *seller == crate::ids::UserId(1))
                .times(1)
                .returning(move |_| Box::pin(std::future::ready(Ok(verified))));
            let seller = crate::fixtures::user(1, Role::Seller);
            assert_eq!(
                ensure_can_publish(&payouts, gate, &seller, "listings").await,
                expected
            );
        }
        // Off (the default), nobody is asked: the mock has no expectation and would panic.
        let seller = crate::fixtures::user(1, Role::Seller);
        ensure_can_publish(
            &MockPayoutReadiness::new(),
            CatalogSettings::default(),
            &seller,
            "listings",
        )
        .await
        .unwrap();
    }
}
