//! Signing and delivering webhook events.

use std::net::IpAddr;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::behaviour::Delivery;

/// The `X-Webhook-Signature` value for a delivery: `v1,` and the standard base64 of
/// HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the base64-decoded part of the
/// secret after `whsec_`.
pub(crate) fn signature(secret: &str, webhook_id: &str, timestamp: u64, body: &str) -> String {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let engine = base64::engine::general_purpose::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let key = engine
        .decode(encoded)
        .unwrap_or_else(|_| encoded.as_bytes().to_vec());
    let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).map(|mut mac| {
        mac.update(format!("{webhook_id}.{timestamp}.{body}").as_bytes());
        mac.finalize().into_bytes()
    });
    match mac {
        Ok(bytes) => format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        Err(_) => "v1,".to_owned(),
    }
}

/// Whether a URL's host is a loopback address or `localhost`.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost"
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// POSTs a delivery; `Ok((status, body))` when the endpoint answered at all.
pub(crate) async fn deliver(
    client: &reqwest::Client,
    delivery: &Delivery,
    allow_external: bool,
    timestamp: u64,
) -> Result<(u16, String), String> {
    let url = url::Url::parse(&delivery.url).map_err(|e| format!("invalid endpoint URL: {e}"))?;
    if !allow_external && !is_loopback(&url) {
        return Err(format!(
            "the mock delivers only to loopback hosts, not to {}",
            url.host_str().unwrap_or("?")
        ));
    }
    let signature = signature(
        &delivery.secret,
        &delivery.webhook_id,
        timestamp,
        &delivery.body,
    );
    let response = client
        .post(url)
        .timeout(delivery.timeout)
        .header("content-type", "application/json")
        .header("user-agent", "sentdm-mock-webhooks")
        .header("X-Webhook-ID", &delivery.webhook_id)
        .header("X-Webhook-Timestamp", timestamp.to_string())
        .header("X-Webhook-Event-Type", &delivery.field)
        .header("X-Webhook-Signature", signature)
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|e| format!("could not reach the endpoint: {e}"))?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in [
            "http://127.0.0.1:1/x",
            "http://localhost/x",
            "http://[::1]:9/",
            "http://127.8.9.10/",
        ] {
            assert!(is_loopback(&url::Url::parse(ok).unwrap()), "{ok}");
        }
        for no in ["http://example.com/", "http://10.0.0.1/", "http://[::2]/"] {
            assert!(!is_loopback(&url::Url::parse(no).unwrap()), "{no}");
        }
    }

    #[test]
    fn signature_shape() {
        let s = signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "wh", 1, "{}");
        assert!(s.starts_with("v1,"));
        assert_eq!(s.len(), 3 + 44);
    }
}
