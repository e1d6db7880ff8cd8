// Generator settings for this crate, in one place: `build.rs` uses them to generate the client
// into OUT_DIR, and `cargo xtask codegen` uses them to write the reviewed snapshot
// `tests/snapshots/sendivent_client.rs`, so the two cannot drift apart.

/// The generator configuration of the Sendivent client: idempotency keys it generates for
/// sends start with `sendivent-`.
pub fn config() -> sentdm_generator::Config {
    sentdm_generator::Config::new("crate::runtime").idempotency_key_prefix("sendivent-")
}
