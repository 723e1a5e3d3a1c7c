//! The catalogue's version: a number that moves with every committed change to a table the
//! catalogue pages show (a migration's statement triggers bump it in the writing transaction,
//! whoever writes: an instance, a job, an operator's `psql`).

use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use madeinpk_domain::store::StoreError;

use crate::db::Db;

impl Db {
    /// The catalogue's version as of now: every change committed before this call is counted.
    pub async fn catalog_version(&self) -> Result<i64, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = BigInt)]
            v: i64,
        }
        let mut conn = self.conn().await?;
        let row: Row = diesel::sql_query("SELECT sum(v)::bigint AS v FROM catalog_versions")
            .get_result(&mut conn)
            .await
            .map_err(crate::error::store)?;
        Ok(row.v)
    }
}
