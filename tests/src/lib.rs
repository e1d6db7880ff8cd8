//! Workspace tests (in `tests/`) and the one thing they share: a client generated from
//! `fixtures/petstore-bearer.json`, an API that is not Sent.dm — bearer authentication and no
//! response envelope — built on the same runtime as the Sent.dm client.

/// Client generated from `fixtures/petstore-bearer.json`.
pub mod petstore {
    include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
}

/// The repository README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
