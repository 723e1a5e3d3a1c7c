//! Address book storage; a user's default changes under a lock on the user row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use madeinpk_domain::account::address::{
    Address, AddressInput, AddressQuery, AddressSort, Removal,
};
use madeinpk_domain::account::ports::AddressRepository;
use madeinpk_domain::ids::{AddressId, CityId, UserId};
use madeinpk_domain::page::{Page, PageRequest};
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::{is_foreign_key_violation, store};
use crate::schema::{addresses, cities, provinces, users};

/// Appends one sort key to a boxed query.
macro_rules! then_order {
    ($query:expr, $column:expr, $descending:expr) => {
        if $descending {
            $query.then_order_by($column.desc())
        } else {
            $query.then_order_by($column.asc())
        }
    };
}
pub(crate) use then_order;

type Row = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    bool,
    DateTime<Utc>,
);

fn to_address(r: Row) -> Address {
    Address {
        id: AddressId(r.0),
        user_id: UserId(r.1),
        street_address: r.2,
        city_id: CityId(r.3),
        city_name: r.4,
        province_name: r.5,
        postal_code: r.6,
        is_default: r.7,
        created_at: r.8,
    }
}

macro_rules! address_query {
    () => {
        addresses::table
            .inner_join(cities::table.inner_join(provinces::table))
            .select((
                addresses::id,
                addresses::user_id,
                addresses::street_address,
                addresses::city_id,
                cities::name,
                provinces::name,
                addresses::postal_code,
                addresses::is_default,
                addresses::created_at,
            ))
    };
}

/// An address by id, whoever owns it (for embedding in other objects).
pub async fn address_by_id(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Address>> {
    address_query!()
        .filter(addresses::id.eq(id))
        .first::<Row>(conn)
        .await
        .optional()
        .map(|r| r.map(to_address))
}

/// Addresses by id, whoever owns them (one statement for a page of orders).
pub async fn addresses_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<Address>> {
    address_query!()
        .filter(addresses::id.eq_any(ids))
        .load::<Row>(conn)
        .await
        .map(|rows| rows.into_iter().map(to_address).collect())
}

/// The user's default address.
pub async fn default_address_of(
    conn: &mut AsyncPgConnection,
    user: i64,
) -> QueryResult<Option<Address>> {
    address_query!()
        .filter(
            addresses::user_id
                .eq(user)
                .and(addresses::is_default.eq(true)),
        )
        .first::<Row>(conn)
        .await
        .optional()
        .map(|r| r.map(to_address))
}

async fn owned(
    conn: &mut AsyncPgConnection,
    owner: UserId,
    id: AddressId,
) -> QueryResult<Option<Address>> {
    address_query!()
        .filter(
            addresses::id
                .eq(id.get())
                .and(addresses::user_id.eq(owner.get())),
        )
        .first::<Row>(conn)
        .await
        .optional()
        .map(|r| r.map(to_address))
}

/// Serialises default changes of one user, then clears their current default.
async fn clear_default(conn: &mut AsyncPgConnection, owner: UserId) -> QueryResult<()> {
    users::table
        .find(owner.get())
        .select(users::id)
        .for_update()
        .execute(conn)
        .await?;
    diesel::update(
        addresses::table.filter(
            addresses::user_id
                .eq(owner.get())
                .and(addresses::is_default.eq(true)),
        ),
    )
    .set(addresses::is_default.eq(false))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(AsChangeset)]
#[diesel(table_name = addresses)]
struct AddressChangeset {
    street_address: Option<String>,
    city_id: Option<i64>,
    postal_code: Option<String>,
    is_default: Option<bool>,
    updated_at: DateTime<Utc>,
}

impl AddressRepository for Db {
    async fn list(
        &self,
        query: AddressQuery,
        page: PageRequest,
    ) -> Result<Page<Address>, StoreError> {
        let mut conn = self.conn().await?;
        let count: i64 = addresses::table
            .filter(addresses::user_id.eq(query.owner.get()))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(store)?;
        let mut q = address_query!()
            .filter(addresses::user_id.eq(query.owner.get()))
            .into_boxed();
        for s in &query.ordering {
            q = match s.field {
                AddressSort::Id => then_order!(q, addresses::id, s.descending),
                AddressSort::Street => then_order!(q, addresses::street_address, s.descending),
                AddressSort::City => then_order!(q, addresses::city_id, s.descending),
                AddressSort::CityName => then_order!(q, cities::name, s.descending),
                AddressSort::ProvinceName => then_order!(q, provinces::name, s.descending),
                AddressSort::PostalCode => then_order!(q, addresses::postal_code, s.descending),
                AddressSort::IsDefault => then_order!(q, addresses::is_default, s.descending),
                AddressSort::CreatedAt => then_order!(q, addresses::created_at, s.descending),
            };
        }
        let rows: Vec<Row> = q
            .then_order_by(addresses::id.asc())
            .offset(page.offset())
            .limit(page.limit())
            .load(&mut conn)
            .await
            .map_err(store)?;
        Ok(Page {
            count,
            items: rows.into_iter().map(to_address).collect(),
        })
    }

    async fn get(&self, owner: UserId, id: AddressId) -> Result<Option<Address>, StoreError> {
        let mut conn = self.conn().await?;
        owned(&mut conn, owner, id).await.map_err(store)
    }

    async fn create(&self, owner: UserId, input: AddressInput) -> Result<Address, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            let is_default = input.is_default.unwrap_or(false);
            if is_default {
                clear_default(conn, owner).await?;
            }
            let id: i64 = diesel::insert_into(addresses::table)
                .values((
                    addresses::user_id.eq(owner.get()),
                    addresses::street_address.eq(input.street_address.unwrap_or_default()),
                    addresses::city_id.eq(input.city.map_or(0, CityId::get)),
                    addresses::postal_code.eq(input.postal_code.unwrap_or_default()),
                    addresses::is_default.eq(is_default),
                ))
                .returning(addresses::id)
                .get_result(conn)
                .await?;
            owned(conn, owner, AddressId(id))
                .await?
                .ok_or(diesel::result::Error::NotFound)
        })
        .await
        .map_err(store)
    }

    async fn update(
        &self,
        owner: UserId,
        id: AddressId,
        input: AddressInput,
    ) -> Result<Option<Address>, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            // Ownership first: nothing, not even the owner's default, changes otherwise.
            if owned(conn, owner, id).await?.is_none() {
                return Ok(None);
            }
            if input.is_default == Some(true) {
                clear_default(conn, owner).await?;
            }
            let set = AddressChangeset {
                street_address: input.street_address,
                city_id: input.city.map(CityId::get),
                postal_code: input.postal_code,
                is_default: input.is_default,
                updated_at: Utc::now(),
            };
            let n = diesel::update(
                addresses::table.filter(
                    addresses::id
                        .eq(id.get())
                        .and(addresses::user_id.eq(owner.get())),
                ),
            )
            .set(&set)
            .execute(conn)
            .await?;
            if n == 0 {
                // Deleted meanwhile: undo the default change with the rest.
                return Err(diesel::result::Error::RollbackTransaction);
            }
            owned(conn, owner, id).await
        })
        .await
        .or_else(|e| match e {
            diesel::result::Error::RollbackTransaction => Ok(None),
            e => Err(store(e)),
        })
    }

    async fn delete(&self, owner: UserId, id: AddressId) -> Result<Removal, StoreError> {
        let mut conn = self.conn().await?;
        let result = diesel::delete(
            addresses::table.filter(
                addresses::id
                    .eq(id.get())
                    .and(addresses::user_id.eq(owner.get())),
            ),
        )
        .execute(&mut conn)
        .await;
        match result {
            Ok(0) => Ok(Removal::NotFound),
            Ok(_) => Ok(Removal::Deleted),
            // Orders reference addresses with ON DELETE RESTRICT.
            Err(e) if is_foreign_key_violation(&e) => Ok(Removal::InUse),
            Err(e) => Err(store(e)),
        }
    }

    async fn set_default(&self, owner: UserId, id: AddressId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            if owned(conn, owner, id).await?.is_none() {
                return Ok(false);
            }
            clear_default(conn, owner).await?;
            diesel::update(addresses::table.find(id.get()))
                .set((
                    addresses::is_default.eq(true),
                    addresses::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            Ok(true)
        })
        .await
        .map_err(store)
    }
}
