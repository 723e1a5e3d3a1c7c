//! Reference data: Pakistan's provinces and main cities, and a starter category tree.
//! Seeding is idempotent: rows that exist are left alone.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, RunQueryDsl};
use madeinpk_domain::store::StoreError;

use crate::db::Db;
use crate::error::store;
use crate::schema::{categories, cities, provinces};

/// Provinces and territories with their main cities (111 in all).
pub const PROVINCES: &[(&str, &[&str])] = &[
    (
        "Punjab",
        &[
            "Lahore",
            "Faisalabad",
            "Rawalpindi",
            "Gujranwala",
            "Multan",
            "Bahawalpur",
            "Sargodha",
            "Sialkot",
            "Sheikhupura",
            "Rahim Yar Khan",
            "Jhang",
            "Dera Ghazi Khan",
            "Gujrat",
            "Sahiwal",
            "Wah Cantonment",
            "Kasur",
            "Okara",
            "Chiniot",
            "Kamoke",
            "Hafizabad",
            "Sadiqabad",
            "Burewala",
            "Khanewal",
            "Muzaffargarh",
            "Mandi Bahauddin",
            "Jhelum",
            "Khanpur",
            "Pakpattan",
            "Daska",
            "Gojra",
            "Muridke",
            "Bahawalnagar",
            "Samundri",
            "Jaranwala",
            "Chishtian",
            "Attock",
            "Vehari",
            "Kot Abdul Malik",
            "Ferozwala",
            "Chakwal",
            "Kamalia",
            "Mianwali",
            "Layyah",
            "Narowal",
            "Toba Tek Singh",
            "Lodhran",
            "Bhakkar",
            "Khushab",
            "Rajanpur",
            "Nankana Sahib",
        ],
    ),
    (
        "Sindh",
        &[
            "Karachi",
            "Hyderabad",
            "Sukkur",
            "Larkana",
            "Nawabshah",
            "Mirpur Khas",
            "Jacobabad",
            "Shikarpur",
            "Khairpur",
            "Dadu",
            "Thatta",
            "Badin",
            "Tando Adam",
            "Tando Allahyar",
            "Kotri",
            "Umerkot",
            "Sanghar",
            "Ghotki",
            "Kandhkot",
            "Mithi",
        ],
    ),
    (
        "Khyber Pakhtunkhwa",
        &[
            "Peshawar",
            "Mardan",
            "Mingora",
            "Kohat",
            "Abbottabad",
            "Dera Ismail Khan",
            "Nowshera",
            "Charsadda",
            "Swabi",
            "Mansehra",
            "Bannu",
            "Haripur",
            "Chitral",
            "Timergara",
            "Lakki Marwat",
            "Karak",
            "Hangu",
            "Batkhela",
        ],
    ),
    (
        "Balochistan",
        &[
            "Quetta",
            "Turbat",
            "Khuzdar",
            "Hub",
            "Chaman",
            "Gwadar",
            "Sibi",
            "Zhob",
            "Loralai",
            "Dera Murad Jamali",
        ],
    ),
    ("Islamabad Capital Territory", &["Islamabad"]),
    (
        "Gilgit-Baltistan",
        &[
            "Gilgit",
            "Skardu",
            "Karimabad",
            "Chilas",
            "Gahkuch",
            "Khaplu",
        ],
    ),
    (
        "Azad Jammu and Kashmir",
        &[
            "Muzaffarabad",
            "Mirpur",
            "Kotli",
            "Bhimber",
            "Rawalakot",
            "Bagh",
        ],
    ),
];

/// Top-level categories with a few subcategories of handmade goods.
pub const CATEGORIES: &[(&str, &str, &[&str])] = &[
    (
        "Textiles",
        "Handwoven and hand-embroidered fabrics",
        &["Ajrak", "Phulkari", "Khaddar", "Embroidered Fabrics"],
    ),
    (
        "Handicrafts",
        "Traditional crafts from across Pakistan",
        &["Truck Art", "Camel Bone Crafts", "Onyx Crafts"],
    ),
    (
        "Pottery",
        "Hand-thrown and glazed ceramics",
        &["Blue Pottery", "Terracotta"],
    ),
    (
        "Jewelry",
        "Handmade jewellery",
        &["Silver Jewelry", "Beaded Jewelry"],
    ),
    (
        "Home Decor",
        "Handmade pieces for the home",
        &["Cushions & Throws", "Wall Hangings", "Camel Skin Lamps"],
    ),
    (
        "Carpets",
        "Hand-knotted carpets and rugs",
        &["Hand-knotted Carpets", "Rugs & Kilims"],
    ),
    (
        "Leather Goods",
        "Hand-stitched leather",
        &["Bags", "Wallets"],
    ),
    (
        "Woodwork",
        "Carved and lacquered wood",
        &["Chiniot Furniture", "Lacquer Work"],
    ),
    (
        "Metalwork",
        "Brass, copper and silverware",
        &["Brass & Copper"],
    ),
    (
        "Paintings & Art",
        "Original art",
        &["Calligraphy", "Miniature Paintings"],
    ),
    (
        "Footwear",
        "Handmade shoes",
        &["Khussa", "Peshawari Chappal"],
    ),
    (
        "Accessories",
        "Shawls, caps and more",
        &["Shawls", "Sindhi Topi"],
    ),
];

/// Counts of what a seed run added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seeded {
    /// New provinces.
    pub provinces: usize,
    /// New cities.
    pub cities: usize,
    /// New categories.
    pub categories: usize,
}

impl Db {
    /// Inserts missing reference data in one transaction.
    pub async fn seed_reference_data(&self) -> Result<Seeded, StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            let mut seeded = Seeded::default();
            for (province, city_names) in PROVINCES {
                // DO UPDATE (a no-op) so RETURNING gives the id whether or not the row existed.
                let (id, inserted): (i64, bool) = diesel::insert_into(provinces::table)
                    .values(provinces::name.eq(*province))
                    .on_conflict(provinces::name)
                    .do_update()
                    .set(provinces::name.eq(excluded(provinces::name)))
                    .returning((
                        provinces::id,
                        diesel::dsl::sql::<diesel::sql_types::Bool>("xmax = 0"),
                    ))
                    .get_result(conn)
                    .await?;
                seeded.provinces += usize::from(inserted);
                let rows: Vec<_> = city_names
                    .iter()
                    .map(|c| (cities::name.eq(*c), cities::province_id.eq(id)))
                    .collect();
                seeded.cities += diesel::insert_into(cities::table)
                    .values(rows)
                    .on_conflict((cities::name, cities::province_id))
                    .do_nothing()
                    .execute(conn)
                    .await?;
            }
            for (name, description, children) in CATEGORIES {
                let parent = ensure_category(conn, name, description, None, &mut seeded).await?;
                for child in *children {
                    ensure_category(conn, child, "", Some(parent), &mut seeded).await?;
                }
            }
            Ok(seeded)
        })
        .await
        .map_err(store)
    }
}

async fn ensure_category(
    conn: &mut diesel_async::AsyncPgConnection,
    name: &str,
    description: &str,
    parent: Option<i64>,
    seeded: &mut Seeded,
) -> QueryResult<i64> {
    let existing: Option<i64> = categories::table
        .filter(crate::schema::lower(categories::name).eq(name.to_lowercase()))
        .select(categories::id)
        .first(conn)
        .await
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    seeded.categories += 1;
    diesel::insert_into(categories::table)
        .values((
            categories::name.eq(name),
            categories::description.eq(description),
            categories::parent_id.eq(parent),
        ))
        .returning(categories::id)
        .get_result(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_data_has_the_contracts_shape() {
        assert_eq!(PROVINCES.len(), 7);
        assert_eq!(PROVINCES.iter().map(|(_, c)| c.len()).sum::<usize>(), 111);
        assert_eq!(CATEGORIES.len(), 12);
        let mut names: Vec<&str> = CATEGORIES
            .iter()
            .flat_map(|(n, _, c)| std::iter::once(*n).chain(c.iter().copied()))
            .collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total, "category names must be unique");
    }
}
