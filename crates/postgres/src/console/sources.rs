//! Where each console list reads from: its FROM clause, one SQL expression per column and
//! filter of `madeinpk_domain::console::columns`, its search predicates and drilled date.
//! A `Ref` column's expression is `id expression|label expression`; a search predicate holds
//! `{q}` where the `%text%` pattern goes. Only constant SQL lives here: every value is bound.

use madeinpk_domain::console::entity::Entity;

use crate::console::{sources_catalogue, sources_community, sources_money, sources_people};

pub(crate) use crate::console::source::Source;

pub(crate) const PRODUCT_STATUS: &str = "coalesce(l.status, a.status, 'unlisted')";
pub(crate) const PRODUCT_PRICE: &str = "coalesce(l.price, a.current_price)";

/// The source of `entity`.
pub(crate) fn source(entity: Entity) -> Source {
    sources_people::source(entity)
        .or_else(|| sources_catalogue::source(entity))
        .or_else(|| sources_money::source(entity))
        .or_else(|| sources_community::source(entity))
        .expect("every entity has a source")
}
