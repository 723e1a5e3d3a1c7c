//! Provinces, cities and categories.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use madeinpk_domain::catalog::ports::ReferenceRepository;
use madeinpk_domain::catalog::reference::{
    Category, CategoryInput, City, CityQuery, CitySort, Province, ProvinceSort,
};
use madeinpk_domain::ids::{CategoryId, CityId, ProvinceId};
use madeinpk_domain::page::{Page, PageRequest, Sort};
use madeinpk_domain::store::StoreError;

use crate::account::addresses::then_order;
use crate::db::Db;
use crate::error::store;
use crate::schema::{categories, cities, lower, provinces};

fn to_city(r: (i64, String, i64, String)) -> City {
    City {
        id: CityId(r.0),
        name: r.1,
        province_id: ProvinceId(r.2),
        province_name: r.3,
    }
}

fn to_category(r: (i64, String, String, Option<i64>)) -> Category {
    Category {
        id: CategoryId(r.0),
        name: r.1,
        description: r.2,
        parent: r.3.map(CategoryId),
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = categories)]
struct CategoryChangeset {
    name: Option<String>,
    description: Option<String>,
    parent_id: Option<Option<i64>>,
}

impl From<CategoryInput> for CategoryChangeset {
    fn from(i: CategoryInput) -> Self {
        Self {
            name: i.name.map(|n| n.trim().to_owned()),
            description: i.description,
            parent_id: i.parent.map(|p| p.map(CategoryId::get)),
        }
    }
}

const CATEGORY_COLUMNS: (
    categories::id,
    categories::name,
    categories::description,
    categories::parent_id,
) = (
    categories::id,
    categories::name,
    categories::description,
    categories::parent_id,
);

impl ReferenceRepository for Db {
    async fn rename_province(
        &self,
        id: ProvinceId,
        name: String,
    ) -> Result<Option<bool>, StoreError> {
        let mut conn = self.conn().await?;
        match diesel::update(provinces::table.find(id.get()))
            .set(provinces::name.eq(name))
            .execute(&mut conn)
            .await
        {
            Ok(n) => Ok((n == 1).then_some(true)),
            Err(e) if crate::error::unique_violation(&e).is_some() => Ok(Some(false)),
            Err(e) => Err(store(e)),
        }
    }

    async fn update_city(
        &self,
        id: CityId,
        name: String,
        province: ProvinceId,
    ) -> Result<Option<bool>, StoreError> {
        let mut conn = self.conn().await?;
        match diesel::update(cities::table.find(id.get()))
            .set((
                cities::name.eq(name),
                cities::province_id.eq(province.get()),
            ))
            .execute(&mut conn)
            .await
        {
            Ok(n) => Ok((n == 1).then_some(true)),
            Err(e) if crate::error::unique_violation(&e).is_some() => Ok(Some(false)),
            Err(e) => Err(store(e)),
        }
    }

    async fn provinces(
        &self,
        ordering: Vec<Sort<ProvinceSort>>,
        page: PageRequest,
    ) -> Result<Page<Province>, StoreError> {
        let mut conn = self.conn().await?;
        let count: i64 = provinces::table
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let mut q = provinces::table
            .select((provinces::id, provinces::name))
            .into_boxed();
        for s in &ordering {
            q = match s.field {
                ProvinceSort::Id => then_order!(q, provinces::id, s.descending),
                ProvinceSort::Name => then_order!(q, provinces::name, s.descending),
            };
        }
        let rows: Vec<(i64, String)> = q
            .then_order_by(provinces::id.asc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Page {
            count,
            items: rows
                .into_iter()
                .map(|(id, name)| Province {
                    id: ProvinceId(id),
                    name,
                })
                .collect(),
        })
    }

    async fn province(&self, id: ProvinceId) -> Result<Option<Province>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(i64, String)> = provinces::table
            .find(id.get())
            .select((provinces::id, provinces::name))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(|(id, name)| Province {
            id: ProvinceId(id),
            name,
        }))
    }

    async fn cities(&self, query: CityQuery, page: PageRequest) -> Result<Page<City>, StoreError> {
        let mut conn = self.conn().await?;
        let mut count_q = cities::table.count().into_boxed();
        let mut q = cities::table
            .inner_join(provinces::table)
            .select((
                cities::id,
                cities::name,
                cities::province_id,
                provinces::name,
            ))
            .into_boxed();
        if let Some(p) = query.province {
            count_q = count_q.filter(cities::province_id.eq(p.get()));
            q = q.filter(cities::province_id.eq(p.get()));
        }
        let count: i64 = count_q.get_result(&mut conn).await.map_err(store)?;
        for s in &query.ordering {
            q = match s.field {
                CitySort::Id => then_order!(q, cities::id, s.descending),
                CitySort::Name => then_order!(q, cities::name, s.descending),
                CitySort::Province => then_order!(q, cities::province_id, s.descending),
                CitySort::ProvinceName => then_order!(q, provinces::name, s.descending),
            };
        }
        let rows = q
            .then_order_by(cities::id.asc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Page {
            count,
            items: rows.into_iter().map(to_city).collect(),
        })
    }

    async fn city(&self, id: CityId) -> Result<Option<City>, StoreError> {
        let mut conn = self.conn().await?;
        let row = cities::table
            .inner_join(provinces::table)
            .filter(cities::id.eq(id.get()))
            .select((
                cities::id,
                cities::name,
                cities::province_id,
                provinces::name,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(to_city))
    }

    async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = categories::table
            .select(CATEGORY_COLUMNS)
            .order(categories::id)
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(rows.into_iter().map(to_category).collect())
    }

    async fn category_name_taken(
        &self,
        name: String,
        except: Option<CategoryId>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n: i64 = categories::table
            .filter(lower(categories::name).eq(name.to_lowercase()))
            .filter(categories::id.ne(except.map_or(0, CategoryId::get)))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        Ok(n > 0)
    }

    async fn create_category(&self, input: CategoryInput) -> Result<Category, StoreError> {
        let mut conn = self.conn().await?;
        let set = CategoryChangeset::from(input);
        let row = diesel::insert_into(categories::table)
            .values((
                categories::name.eq(set.name.unwrap_or_default()),
                categories::description.eq(set.description.unwrap_or_default()),
                categories::parent_id.eq(set.parent_id.flatten()),
            ))
            .returning(CATEGORY_COLUMNS)
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        Ok(to_category(row))
    }

    async fn update_category(
        &self,
        id: CategoryId,
        input: CategoryInput,
    ) -> Result<Option<Category>, StoreError> {
        let mut conn = self.conn().await?;
        let set = CategoryChangeset::from(input);
        if set.name.is_none() && set.description.is_none() && set.parent_id.is_none() {
            // Nothing to change: an empty SET is not valid SQL.
            let row = categories::table
                .find(id.get())
                .select(CATEGORY_COLUMNS)
                .first(&mut conn)
                .await
                .optional()
                .map_err(store)?;
            return Ok(row.map(to_category));
        }
        let row = diesel::update(categories::table.find(id.get()))
            .set(&set)
            .returning(CATEGORY_COLUMNS)
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(store)?;
        Ok(row.map(to_category))
    }

    async fn delete_category(&self, id: CategoryId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let n = diesel::delete(categories::table.find(id.get()))
            .execute(&mut conn)
            .await
            .map_err(store)?;
        Ok(n == 1)
    }
}
