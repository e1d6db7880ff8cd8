// Generator settings for this crate, in one place: `build.rs` uses them to generate the client
// into OUT_DIR, and `cargo xtask codegen` uses them to write the reviewed snapshot
// `tests/snapshots/sentdm_client.rs`, so the two cannot drift apart.

/// The generator configuration of the Sent.dm client.
///
/// Two schemas are renamed so that `use sentdm_client::*;`, `use sentdm_client::types::*;` and
/// `use sentdm_client::webhooks::*;` can sit side by side: the envelope's error object would
/// collide with the runtime's `ApiError`, and the delivery log's item with the verified
/// `webhooks::WebhookEvent`. Idempotency keys the client generates start with `sentdm-`.
pub fn config() -> sentdm_generator::Config {
    sentdm_generator::Config::new("crate::runtime")
        .replace("ApiMeta", "crate::runtime::Meta")
        .rename("ApiError", "ErrorObject")
        .rename("WebhookEvent", "WebhookDelivery")
        .idempotency_key_prefix("sentdm-")
        .credential_setter("CustomerApiKey", "api_key")
}
