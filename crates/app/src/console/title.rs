//! What a record is called: on its page, in a confirmation list and in the audit log.

use madeinpk_domain::console::columns::spec;
use madeinpk_domain::console::entity::Entity;
use madeinpk_domain::console::record::Record;

use crate::console::cells::{Cell, cell};
use crate::state::AppState;

/// The title of a record: its first text column, else `Entity #id`.
pub fn record_title(entity: Entity, id: i64, cells: &[Cell]) -> String {
    let first = spec(entity)
        .columns
        .iter()
        .zip(cells)
        .find(|(c, cell)| c.key != "id" && !cell.text.is_empty() && cell.kind != "number")
        .map(|(_, cell)| cell.text.clone());
    match first {
        Some(t) => format!("{} #{id}: {t}", entity.title()),
        None => format!("{} #{id}", entity.title()),
    }
}

/// What a record is called on its page ("User #3: amna").
pub fn label_of(state: &AppState, entity: Entity, id: i64, rec: &Record) -> String {
    let tz = state.config.time_zone;
    let cells: Vec<Cell> = spec(entity)
        .columns
        .iter()
        .zip(&rec.row.cells)
        .map(|(c, v)| cell(c, v, tz))
        .collect();
    record_title(entity, id, &cells)
}
