//! Reference data: provinces, cities and the category tree.

use crate::ids::{CategoryId, CityId, ProvinceId};
use crate::page::Sort;
use crate::store::StoreError;
use crate::validation::{FieldErrors, check_max_len, msg};

/// A province of Pakistan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Province {
    /// Id.
    pub id: ProvinceId,
    /// Name.
    pub name: String,
}

/// A city with its province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct City {
    /// Id.
    pub id: CityId,
    /// Name.
    pub name: String,
    /// Province id.
    pub province_id: ProvinceId,
    /// Province name.
    pub province_name: String,
}

/// A product category; `parent` makes a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Id.
    pub id: CategoryId,
    /// Unique name.
    pub name: String,
    /// Description, may be empty.
    pub description: String,
    /// Parent category.
    pub parent: Option<CategoryId>,
}

/// A category with its nested subcategories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryNode {
    /// The category.
    pub category: Category,
    /// Children, by id.
    pub subcategories: Vec<CategoryNode>,
}

/// Builds the subtree under `root` from a flat list (cycles cannot occur: the store refuses them).
pub fn subtree(root: Category, all: &[Category]) -> CategoryNode {
    fn build(cat: Category, all: &[Category], depth: usize) -> CategoryNode {
        let mut children: Vec<&Category> =
            all.iter().filter(|c| c.parent == Some(cat.id)).collect();
        children.sort_by_key(|c| c.id);
        // Depth guard: a corrupted tree can never recurse without end.
        let subcategories = if depth > 32 {
            Vec::new()
        } else {
            children
                .into_iter()
                .map(|c| build(c.clone(), all, depth + 1))
                .collect()
        };
        CategoryNode {
            category: cat,
            subcategories,
        }
    }
    build(root, all, 0)
}

/// True when making `parent` the parent of `id` would create a cycle.
pub fn would_cycle(id: CategoryId, parent: CategoryId, all: &[Category]) -> bool {
    let mut cur = Some(parent);
    let mut steps = 0;
    while let Some(c) = cur {
        if c == id || steps > all.len() {
            return true;
        }
        cur = all.iter().find(|x| x.id == c).and_then(|x| x.parent);
        steps += 1;
    }
    false
}

/// Why a reference-data operation was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReferenceError {
    /// Unknown id; carries the model name for the contract's message.
    #[error("No {0} matches the given query.")]
    NotFound(&'static str),
    /// Field rules failed.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// Only admins may change reference data.
    #[error("You do not have permission to perform this action.")]
    Forbidden,
    /// Still referenced elsewhere.
    #[error("{0}")]
    InUse(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Fields of a category create (name required) or partial update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryInput {
    /// Unique name, at most 100 characters.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// `Some(None)` makes it a root.
    pub parent: Option<Option<CategoryId>>,
}

/// Longest category, province or city name.
pub const NAME_MAX: usize = 100;

impl CategoryInput {
    /// Checks the fields; `full` requires `name`.
    pub fn check(&self, full: bool) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        match &self.name {
            Some(n) if n.trim().is_empty() => errors.add("name", msg::BLANK),
            Some(n) => check_max_len(&mut errors, "name", n, NAME_MAX),
            None if full => errors.add("name", msg::REQUIRED),
            None => {}
        }
        errors.into_result()
    }
}

/// Sortable province fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvinceSort {
    /// Id.
    Id,
    /// Name.
    Name,
}

/// `?ordering=` names for provinces.
pub const PROVINCE_ORDERING: &[(&str, ProvinceSort)] =
    &[("id", ProvinceSort::Id), ("name", ProvinceSort::Name)];

/// Sortable city fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitySort {
    /// Id.
    Id,
    /// Name.
    Name,
    /// Province id.
    Province,
    /// Province name.
    ProvinceName,
}

/// `?ordering=` names for cities.
pub const CITY_ORDERING: &[(&str, CitySort)] = &[
    ("id", CitySort::Id),
    ("name", CitySort::Name),
    ("province", CitySort::Province),
    ("province__name", CitySort::ProvinceName),
];

/// A city list query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CityQuery {
    /// Only cities of this province.
    pub province: Option<ProvinceId>,
    /// Sort keys; id ascending breaks ties.
    pub ordering: Vec<Sort<CitySort>>,
}

/// Sortable category fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategorySort {
    /// Id.
    Id,
    /// Name.
    Name,
    /// Description.
    Description,
    /// Parent id.
    Parent,
}

/// `?ordering=` names for categories.
pub const CATEGORY_ORDERING: &[(&str, CategorySort)] = &[
    ("id", CategorySort::Id),
    ("name", CategorySort::Name),
    ("description", CategorySort::Description),
    ("parent", CategorySort::Parent),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: i64, parent: Option<i64>) -> Category {
        Category {
            id: CategoryId(id),
            name: format!("c{id}"),
            description: String::new(),
            parent: parent.map(CategoryId),
        }
    }

    #[test]
    fn builds_nested_tree() {
        let all = vec![
            cat(1, None),
            cat(2, Some(1)),
            cat(3, Some(2)),
            cat(4, Some(1)),
            cat(5, None),
        ];
        let t = subtree(all[0].clone(), &all);
        assert_eq!(t.subcategories.len(), 2);
        assert_eq!(t.subcategories[0].category.id, CategoryId(2));
        assert_eq!(
            t.subcategories[0].subcategories[0].category.id,
            CategoryId(3)
        );
        assert!(t.subcategories[1].subcategories.is_empty());
    }

    #[test]
    fn detects_cycles() {
        let all = vec![cat(1, None), cat(2, Some(1)), cat(3, Some(2))];
        assert!(would_cycle(CategoryId(1), CategoryId(3), &all));
        assert!(would_cycle(CategoryId(2), CategoryId(2), &all));
        assert!(!would_cycle(CategoryId(3), CategoryId(1), &all));
    }
}
