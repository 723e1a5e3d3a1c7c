//! This database's random identity and secret (one row, made by its migration).

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

use madeinpk_domain::store::StoreError;

use crate::db::Db;

impl Db {
    /// The install's random id (hex), the same for every instance on this database.
    pub async fn install_id(&self) -> Result<String, StoreError> {
        self.install_value("id").await
    }

    /// The install's random secret (hex), never shown to anyone.
    pub async fn install_secret(&self) -> Result<String, StoreError> {
        self.install_value("secret").await
    }

    async fn install_value(&self, column: &'static str) -> Result<String, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            value: String,
        }
        let mut conn = self.conn().await?;
        let row: Row = diesel::sql_query(format!("SELECT {column} AS value FROM install"))
            .get_result(&mut conn)
            .await
            .map_err(crate::error::store)?;
        Ok(row.value)
    }
}
