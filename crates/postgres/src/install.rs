//! This database's random identity (one row, made by its migration).

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

use madeinpk_domain::store::StoreError;

use crate::db::Db;

impl Db {
    /// The install's random id (hex), the same for every instance on this database.
    pub async fn install_id(&self) -> Result<String, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            id: String,
        }
        let mut conn = self.conn().await?;
        let row: Row = diesel::sql_query("SELECT id FROM install")
            .get_result(&mut conn)
            .await
            .map_err(crate::error::store)?;
        Ok(row.id)
    }
}
