//! Compile-time guards on the generated API's shape: required inputs are arguments, optional
//! ones are builder methods, ids and value sets are typed, and nothing undocumented exists.
//!
//! Each case in `ui/fail/` must fail to compile with the diagnostics in its `.stderr`
//! (`TRYBUILD=overwrite` rewrites them). `typical_usage` is their control and compiles here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod typical_usage;

#[test]
fn api_shape() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
}
