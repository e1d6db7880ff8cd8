//! HTTPS over loopback: the built-in client (rustls with the platform verifier) negotiates TLS and checks
//! certificates against the platform's roots; a supplied client can trust a private root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Request;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sentdm_client::runtime::{
    ApiDescription, Error, Idempotency, Method, Operation, OperationRequest, Response,
    ResponseKind, Runtime,
};
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

const KEY: &str = "sk_test_tls-secret";

/// The description the Sent client ships, generated from the spec.
static SENT: &ApiDescription = &sentdm_client::API;

static GET_ME: Operation = Operation {
    id: "GetAccount",
    name: "me.get",
    method: Method::GET,
    path: "/v3/me",
    success: &[200],
    response: ResponseKind::Json,
    body_fields: &[],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

#[derive(Debug, Deserialize)]
struct Account {
    id: String,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Accepts TCP connections and completes a TLS handshake on each; failed handshakes are
/// skipped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

struct TlsServer {
    base: String,
    certificate: CertificateDer<'static>,
    api_keys: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn tls_server() -> TlsServer {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let certificate = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone()], key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];

    let api_keys = Arc::new(Mutex::new(Vec::new()));
    let record = api_keys.clone();
    let router = Router::new().fallback(move |request: Request| {
        let record = record.clone();
        async move {
            if let Some(key) = request.headers().get("x-api-key") {
                record
                    .lock()
                    .unwrap()
                    .push(key.to_str().unwrap().to_owned());
            }
            axum::Json(serde_json::json!({
                "success": true,
                "data": {"id": "acct_1"},
                "error": null,
                "meta": {"request_id": "req_tls"}
            }))
        }
    });
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", tcp.local_addr().unwrap());
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    TlsServer {
        base,
        certificate,
        api_keys,
        task,
    }
}

fn error_chain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(" | ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn builtin_client_rejects_an_untrusted_certificate() {
    let server = tls_server().await;
    let runtime = Runtime::builder(SENT)
        .base_url(&server.base)
        .credential(KEY)
        .build()
        .unwrap();
    let error = runtime
        .execute::<Account>(OperationRequest::new(&GET_ME, "/v3/me"))
        .await
        .unwrap_err();
    assert!(error.is_connection(), "{error:?}");
    let chain = error_chain(&error).to_lowercase();
    assert!(chain.contains("certificate"), "{chain}");
    assert!(!chain.contains(&KEY.to_lowercase()), "{chain}");
    assert!(
        server.api_keys.lock().unwrap().is_empty(),
        "no request may reach an unverified server"
    );
}

#[tokio::test]
async fn supplied_client_with_a_private_root_completes_the_exchange() {
    let server = tls_server().await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server.certificate.clone()).unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = reqwest::Client::builder().tls_backend_preconfigured(tls);
    let runtime = Runtime::builder(SENT)
        .base_url(&server.base)
        .credential(KEY)
        .http_client_builder(client)
        .build()
        .unwrap();
    let response: Response<Account> = runtime
        .execute(OperationRequest::new(&GET_ME, "/v3/me"))
        .await
        .unwrap();
    assert_eq!(response.id, "acct_1");
    assert_eq!(response.request_id(), Some("req_tls"));
    assert_eq!(*server.api_keys.lock().unwrap(), vec![KEY.to_owned()]);
}

#[tokio::test]
async fn https_to_a_plain_http_port_fails_cleanly() {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(tcp, Router::new()).await.unwrap();
    });
    let runtime = Runtime::builder(SENT)
        .base_url(format!("https://{addr}"))
        .credential(KEY)
        .build()
        .unwrap();
    let error = runtime
        .execute::<Account>(OperationRequest::new(&GET_ME, "/v3/me"))
        .await
        .unwrap_err();
    task.abort();
    assert!(error.is_connection(), "{error:?}");
}
