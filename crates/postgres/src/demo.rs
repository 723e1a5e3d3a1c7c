//! Demo data for trying the catalogue and the console, and for load tests: sellers, products
//! and listings, then a year of history (buyers, orders, payouts, auctions, reviews).

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;

/// The demo history script (`demo_params` holds its size and the users' password hash).
const HISTORY: &str = include_str!("demo_history.sql");

/// Number of demo sellers the products are spread over.
const SELLERS: i64 = 20;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Db {
    /// Makes sure at least `listings` demo listings exist (sellers `demo_seller_N`, who log in
    /// with the password whose hash is given); returns how many were added.
    pub async fn seed_demo(&self, listings: i64, password_hash: &str) -> Result<i64, StoreError> {
        let mut conn = self.conn().await?;
        let hash = password_hash.to_owned();
        let history_hash = password_hash.to_owned();
        let added = conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            diesel::sql_query(
                "INSERT INTO users (username, email, password_hash, role)
                 SELECT 'demo_seller_' || g, 'demo_seller_' || g || '@demo.madeinpk.pk', $1, 'seller'
                 FROM generate_series(1, $2) g
                 ON CONFLICT DO NOTHING",
            )
            .bind::<Text, _>(&hash)
            .bind::<BigInt, _>(SELLERS)
            .execute(conn)
            .await?;
            diesel::sql_query(
                "INSERT INTO seller_profiles (user_id, brand_name)
                 SELECT id, 'Demo Crafts ' || id FROM users WHERE email LIKE 'demo\\_seller\\_%@demo.madeinpk.pk'
                 ON CONFLICT DO NOTHING",
            )
            .execute(conn)
            .await?;
            let existing: Count = diesel::sql_query(
                "SELECT count(*) AS n FROM listings l JOIN products p ON p.id = l.product_id
                 JOIN users u ON u.id = p.seller_id WHERE u.email LIKE 'demo\\_seller\\_%@demo.madeinpk.pk'",
            )
            .get_result(conn)
            .await?;
            let missing = (listings - existing.n).max(0);
            if missing == 0 {
                return Ok(0);
            }
            // Products spread over the sellers and the leaf categories, then one listing each.
            diesel::sql_query(
                "WITH sellers AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM users WHERE email LIKE 'demo\\_seller\\_%@demo.madeinpk.pk'),
                      cats AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM categories),
                      n AS (SELECT count(*) AS c FROM cats),
                      made AS (
                          INSERT INTO products (seller_id, category_id, name, description, condition, listing_type)
                          SELECT s.id, c.id,
                                 (ARRAY['Ajrak','Khussa','Blue pottery vase','Camel skin lamp','Phulkari shawl','Brass bowl','Kilim rug','Truck art tray'])[1 + g % 8] || ' #' || g,
                                 'Handmade demo product ' || g,
                                 (ARRAY['new','like_new','good','fair'])[1 + g % 4],
                                 'fixed_price'
                          FROM generate_series(1, $1) g
                          JOIN sellers s ON s.k = g % (SELECT count(*) FROM sellers)
                          JOIN cats c ON c.k = g % (SELECT c FROM n)
                          RETURNING id
                      )
                 INSERT INTO listings (product_id, price, quantity)
                 SELECT id, round((100 + random() * 20000)::numeric, 2), 1 + (random() * 20)::int FROM made",
            )
            .bind::<BigInt, _>(missing)
            .execute(conn)
            .await?;
            Ok(missing)
        })
        .await
        .map_err(store)?;
        // The history (buyers, orders, payouts, auctions, reviews, complaints) over the demo
        // catalogue, sized by the number asked for; a second run finds it made and does nothing.
        conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
            diesel::sql_query(
                "CREATE TEMP TABLE demo_params ON COMMIT DROP AS SELECT $1::int AS n, $2::text AS password_hash",
            )
            .bind::<BigInt, _>(listings)
            .bind::<Text, _>(&history_hash)
            .execute(conn)
            .await?;
            conn.batch_execute(HISTORY).await
        })
        .await
        .map_err(store)?;
        if added > 0 {
            // Fresh statistics and visibility map, so plans (and index-only scans) see the bulk
            // load at once; VACUUM cannot run inside the transaction above.
            diesel::sql_query("VACUUM ANALYZE")
                .execute(&mut conn)
                .await
                .map_err(store)?;
        }
        Ok(added)
    }
}
