//! Sent.dm client.
pub mod runtime;
