//! The operators' view of the background job queue.

pub mod jobs;
pub mod wire;
