//! TLS for the built-in HTTP client: rustls with the `ring` crypto provider and the
//! platform's certificate verifier.
//!
//! reqwest is built with `rustls-no-provider`, so it neither compiles aws-lc nor picks a
//! provider on its own; every client the runtime builds gets the configuration made here
//! through `ClientBuilder::tls_backend_preconfigured`. No process-wide default provider is
//! installed.

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls_platform_verifier::BuilderVerifierExt;

/// Client configuration verifying servers against the platform's trust store, or why none
/// could be made (for example, no CA certificates installed). Built once per process.
fn platform_config() -> &'static Result<ClientConfig, String> {
    static CONFIG: OnceLock<Result<ClientConfig, String>> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let mut config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_platform_verifier()
            .map_err(|e| e.to_string())?
            .with_no_client_auth();
        config.alpn_protocols = alpn();
        Ok(config)
    })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn alpn() -> Vec<Vec<u8>> {
    vec![b"h2".to_vec(), b"http/1.1".to_vec()]
}

/// The TLS configuration for a new client.
///
/// When the platform verifier cannot be set up, HTTPS base URLs fail with the reason, while
/// plain-HTTP base URLs (local mocks, proxies on loopback) get a configuration that trusts
/// nothing, so HTTP keeps working and any HTTPS connection is refused.
pub(crate) fn client_config(https: bool) -> Result<ClientConfig, String> {
    match platform_config() {
        Ok(config) => Ok(config.clone()),
        Err(reason) if https => Err(reason.clone()),
        Err(_) => {
            let mut config = ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            config.alpn_protocols = alpn();
            Ok(config)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    #[test]
    fn a_configuration_is_always_available_for_plain_http() {
        let config = super::client_config(false).unwrap();
        assert_eq!(config.alpn_protocols, super::alpn());
    }
}
