//! Reference data reads for everyone; category writes for admins.

use crate::account::user::User;
use crate::catalog::ports::ReferenceRepository;
use crate::catalog::reference::{
    Category, CategoryInput, CategoryNode, CategorySort, City, CityQuery, NAME_MAX, Province,
    ProvinceSort, ReferenceError, subtree, would_cycle,
};
use crate::ids::{CategoryId, CityId, ProvinceId};
use crate::page::{Page, PageRequest, Sort};
use crate::validation::{FieldErrors, msg};

/// The reference-data use cases.
pub struct ReferenceData<R> {
    repo: R,
}

fn sort_key(a: &Category, b: &Category, keys: &[Sort<CategorySort>]) -> std::cmp::Ordering {
    for k in keys {
        let o = match k.field {
            CategorySort::Id => a.id.cmp(&b.id),
            CategorySort::Name => a.name.cmp(&b.name),
            CategorySort::Description => a.description.cmp(&b.description),
            CategorySort::Parent => a.parent.cmp(&b.parent),
        };
        let o = if k.descending { o.reverse() } else { o };
        if o.is_ne() {
            return o;
        }
    }
    a.id.cmp(&b.id)
}

impl<R: ReferenceRepository> ReferenceData<R> {
    /// Wires the service.
    pub fn new(repo: R) -> Self {
        Self { repo }
    }

    /// The store.
    pub fn store(&self) -> &R {
        &self.repo
    }

    /// One page of provinces.
    pub async fn provinces(
        &self,
        ordering: Vec<Sort<ProvinceSort>>,
        page: PageRequest,
    ) -> Result<Page<Province>, ReferenceError> {
        Ok(self.repo.provinces(ordering, page).await?)
    }

    /// One province.
    pub async fn province(&self, id: ProvinceId) -> Result<Province, ReferenceError> {
        self.repo
            .province(id)
            .await?
            .ok_or(ReferenceError::NotFound("Province"))
    }

    /// One page of cities.
    pub async fn cities(
        &self,
        query: CityQuery,
        page: PageRequest,
    ) -> Result<Page<City>, ReferenceError> {
        Ok(self.repo.cities(query, page).await?)
    }

    /// One city.
    pub async fn city(&self, id: CityId) -> Result<City, ReferenceError> {
        self.repo
            .city(id)
            .await?
            .ok_or(ReferenceError::NotFound("City"))
    }

    /// One page of root categories, each with its nested subcategories.
    pub async fn category_tree(
        &self,
        ordering: &[Sort<CategorySort>],
        page: PageRequest,
    ) -> Result<Page<CategoryNode>, ReferenceError> {
        let all = self.repo.categories().await?;
        let mut roots: Vec<Category> = all.iter().filter(|c| c.parent.is_none()).cloned().collect();
        roots.sort_by(|a, b| sort_key(a, b, ordering));
        let count = i64::try_from(roots.len()).unwrap_or(i64::MAX);
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(0);
        let items = roots
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|c| subtree(c, &all))
            .collect();
        Ok(Page { count, items })
    }

    /// Any category (subcategories too) with its subtree.
    pub async fn category(&self, id: CategoryId) -> Result<CategoryNode, ReferenceError> {
        let all = self.repo.categories().await?;
        let cat = all
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or(ReferenceError::NotFound("Category"))?;
        Ok(subtree(cat, &all))
    }

    async fn check_category(
        &self,
        id: Option<CategoryId>,
        input: &CategoryInput,
        full: bool,
    ) -> Result<(), ReferenceError> {
        let mut errors = input.check(full).err().unwrap_or_default();
        if let Some(name) = &input.name
            && !errors.has("name")
            && self
                .repo
                .category_name_taken(name.trim().to_owned(), id)
                .await?
        {
            errors.add("name", "category with this name already exists.");
        }
        if let Some(Some(parent)) = input.parent {
            let all = self.repo.categories().await?;
            if !all.iter().any(|c| c.id == parent) {
                errors.add("parent", msg::invalid_pk(parent));
            } else if id.is_some_and(|id| would_cycle(id, parent, &all)) {
                errors.add("parent", "A category cannot be its own ancestor.");
            }
        }
        errors.into_result().map_err(ReferenceError::Validation)
    }

    /// Renames a province (admins only): a name of 1–100 characters, unique.
    pub async fn update_province(
        &self,
        actor: &User,
        id: ProvinceId,
        name: &str,
    ) -> Result<Province, ReferenceError> {
        if !actor.is_admin() {
            return Err(ReferenceError::Forbidden);
        }
        let name = checked_name(name)?;
        match self.repo.rename_province(id, name).await? {
            None => Err(ReferenceError::NotFound("Province")),
            Some(false) => Err(ReferenceError::Validation(FieldErrors::single(
                "name",
                "province with this name already exists.",
            ))),
            Some(true) => self.province(id).await,
        }
    }

    /// Renames a city or moves it to another province (admins only).
    pub async fn update_city(
        &self,
        actor: &User,
        id: CityId,
        name: &str,
        province: ProvinceId,
    ) -> Result<City, ReferenceError> {
        if !actor.is_admin() {
            return Err(ReferenceError::Forbidden);
        }
        let name = checked_name(name)?;
        if self.repo.province(province).await?.is_none() {
            return Err(ReferenceError::Validation(FieldErrors::single(
                "province",
                msg::invalid_pk(province),
            )));
        }
        match self.repo.update_city(id, name, province).await? {
            None => Err(ReferenceError::NotFound("City")),
            Some(false) => Err(ReferenceError::Validation(FieldErrors::single(
                "name",
                "The fields name, province must make a unique set.",
            ))),
            Some(true) => self.city(id).await,
        }
    }

    /// Creates a category (admins only).
    pub async fn create_category(
        &self,
        actor: &User,
        input: CategoryInput,
    ) -> Result<CategoryNode, ReferenceError> {
        if !actor.is_admin() {
            return Err(ReferenceError::Forbidden);
        }
        self.check_category(None, &input, true).await?;
        let created = self.repo.create_category(input).await?;
        self.category(created.id).await
    }

    /// Updates a category (admins only).
    pub async fn update_category(
        &self,
        actor: &User,
        id: CategoryId,
        input: CategoryInput,
        full: bool,
    ) -> Result<CategoryNode, ReferenceError> {
        if !actor.is_admin() {
            return Err(ReferenceError::Forbidden);
        }
        self.category(id).await?;
        self.check_category(Some(id), &input, full).await?;
        self.repo
            .update_category(id, input)
            .await?
            .ok_or(ReferenceError::NotFound("Category"))?;
        self.category(id).await
    }

    /// Deletes a category (admins only); its children become roots.
    pub async fn delete_category(
        &self,
        actor: &User,
        id: CategoryId,
    ) -> Result<(), ReferenceError> {
        if !actor.is_admin() {
            return Err(ReferenceError::Forbidden);
        }
        if self.repo.delete_category(id).await? {
            Ok(())
        } else {
            Err(ReferenceError::NotFound("Category"))
        }
    }
}

/// A place name as the API takes it: trimmed, 1–100 characters.
fn checked_name(name: &str) -> Result<String, ReferenceError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ReferenceError::Validation(FieldErrors::single(
            "name",
            msg::BLANK,
        )));
    }
    if name.chars().count() > NAME_MAX {
        return Err(ReferenceError::Validation(FieldErrors::single(
            "name",
            msg::max_length(NAME_MAX),
        )));
    }
    Ok(name.to_owned())
}
