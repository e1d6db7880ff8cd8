// Generator settings for this crate, in one place: `build.rs` uses them to generate the client
// into OUT_DIR, and `cargo xtask codegen` uses them to write the reviewed snapshot
// `tests/snapshots/sendseven_client.rs`, so the two cannot drift apart.

/// The generator configuration of the SendSeven client: the bearer token is set with
/// `api_token` (the docs' name for it), the tenant with `tenant_id`.
pub fn config() -> sentdm_generator::Config {
    sentdm_generator::Config::new("crate::runtime").credential_setter("BearerToken", "api_token")
}
