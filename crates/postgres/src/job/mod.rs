//! The background job queue.

pub mod queue;
