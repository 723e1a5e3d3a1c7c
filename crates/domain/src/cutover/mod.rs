//! Moving a running Django MadeInPK's data across (`madeinpk import-django`): how the old
//! service's rows map to ours, which rows are refused and why, and the import's report.

pub mod accounts;
pub mod catalog;
pub mod media;
pub mod report;
