//! Compile-time guards on the generated API's shape: required inputs are arguments, optional
//! ones are builder methods, ids and value sets are typed, and nothing undocumented exists.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn api_shape() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
