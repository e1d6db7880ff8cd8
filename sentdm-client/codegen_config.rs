// Generator settings for this crate, in one place: `build.rs` uses them to generate the client
// into OUT_DIR, and `cargo xtask codegen` uses them to write the reviewed snapshot
// `tests/snapshots/sentdm_client.rs`, so the two cannot drift apart.

/// The generator configuration of the Sent.dm client.
pub fn config() -> sentdm_generator::Config {
    sentdm_generator::Config::new("crate::runtime").replace("ApiMeta", "crate::runtime::Meta")
}
