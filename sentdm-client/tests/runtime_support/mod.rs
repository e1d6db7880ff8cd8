//! Loopback servers for the runtime tests: each request is recorded and answered by a
//! closure that sees its position and contents. Servers stop when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use http::HeaderMap;
use sentdm_client::{Client, RetryPolicy};
use serde_json::{Value, json};

pub const KEY: &str = "sk_test_5f0e1d2c-do-not-log";

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Option<Value>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: body.to_string(),
            delay: None,
        }
    }

    /// A response without a body.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: None,
        }
    }

    /// A success envelope around `data`.
    pub fn ok(data: Value) -> Reply {
        Reply::json(
            200,
            json!({
                "success": true,
                "data": data,
                "error": null,
                "meta": {"request_id": "req_ok", "timestamp": "2026-04-08T15:54:52Z", "version": "v3"}
            }),
        )
    }

    /// An error envelope.
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            json!({
                "success": false,
                "data": null,
                "error": {
                    "code": code,
                    "message": message,
                    "doc_url": format!("https://docs.sent.dm/errors/{code}")
                },
                "meta": {"request_id": format!("req_{}", code.to_lowercase())}
            }),
        )
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

type Handler = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

pub struct Server {
    pub base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// A server answering request number `n` (0-based) with `handler(n, &request)`.
    pub async fn start(handler: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Server {
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let router = Router::new().fallback(move |request: Request| {
            let handler = handler.clone();
            let record = record.clone();
            async move {
                let (parts, body) = request.into_parts();
                let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                let body = if bytes.is_empty() {
                    None
                } else {
                    Some(serde_json::from_slice(&bytes).unwrap())
                };
                let request = Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    query: parts.uri.query().map(str::to_owned),
                    headers: parts.headers,
                    body,
                };
                let reply = {
                    let mut seen = record.lock().unwrap();
                    let index = seen.len();
                    seen.push(request.clone());
                    handler(index, &request)
                };
                if let Some(delay) = reply.delay {
                    tokio::time::sleep(delay).await;
                }
                let mut response = http::Response::builder().status(reply.status);
                for (name, value) in &reply.headers {
                    response = response.header(name, value);
                }
                response.body(Body::from(reply.body)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Server { base, seen, task }
    }

    /// A server answering the `n`-th request with `replies[n]` (the last one once they run
    /// out).
    pub async fn script(replies: Vec<Reply>) -> Server {
        assert!(!replies.is_empty());
        Server::start(move |n, _| replies[n.min(replies.len() - 1)].clone()).await
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The default policy with millisecond backoff, so tests never sleep long.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

/// A Sent.dm client for `server` with fast retries.
pub fn client(server: &Server) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// A send-message success payload.
pub fn sent_message() -> Value {
    json!({
        "status": "QUEUED",
        "template_id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8",
        "template_name": "welcome",
        "recipients": [
            {"message_id": "8ba7b830-9dad-11d1-80b4-00c04fd430c8", "to": "+14155551234", "channel": "sms"}
        ]
    })
}

/// A contact with every member the docs guarantee.
pub fn contact_json(id: impl serde::Serialize, phone: &str) -> Value {
    json!({
        "id": id,
        "phone_number": phone,
        "format_e164": phone,
        "format_international": phone,
        "format_national": phone,
        "format_rfc": format!("tel:{phone}"),
        "country_code": "1",
        "region_code": "US",
        "available_channels": "sms,whatsapp",
        "default_channel": "sms",
        "opt_out": false,
        "is_inherited": false,
        "created_at": "2026-04-08T15:54:52Z",
        "updated_at": null
    })
}

/// A template with every member the docs guarantee.
pub fn template_json(id: impl serde::Serialize, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "category": "UTILITY",
        "language": "en_US",
        "status": "APPROVED",
        "created_at": "2026-04-08T15:54:52Z",
        "is_published": true
    })
}

/// The `pagination` of page `page` of `total_pages` pages of `page_size` items.
pub fn pagination_json(page: i64, page_size: i64, total_pages: i64) -> Value {
    json!({
        "page": page,
        "page_size": page_size,
        "total_count": page_size * total_pages,
        "total_pages": total_pages,
        "has_more": page < total_pages
    })
}
