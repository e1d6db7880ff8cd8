//! Helpers shared by the integration tests: a plain HTTP client for the mock.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reqwest::Method;
use reqwest::header::HeaderMap;
use sentdm_mock::MockServer;
use serde_json::Value;

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn data(&self) -> Value {
        self.json()["data"].clone()
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The mock and a client that sends its API key.
pub struct Api {
    pub server: MockServer,
    pub http: reqwest::Client,
    pub key: Option<String>,
}

impl Api {
    /// The mock as it starts by default: with the resources of the docs' examples.
    pub fn new() -> Api {
        Api::with(MockServer::start().unwrap())
    }

    /// A mock that starts without resources, for tests that count what they create.
    pub fn empty() -> Api {
        Api::with(MockServer::builder().seeded(false).start().unwrap())
    }

    pub fn with(server: MockServer) -> Api {
        let key = Some(server.api_key());
        Api {
            server,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            key,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self.http.request(method, self.url(path));
        if let Some(key) = &self.key {
            req = req.header("x-api-key", key);
        }
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        Answer {
            status,
            headers,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None, &[]).await
    }

    /// Creates a template and returns its id.
    pub async fn template(&self, name: &str, content: &str) -> String {
        let a = self
            .post(
                "/v3/templates",
                serde_json::json!({
                    "name": name,
                    "category": "UTILITY",
                    "language": "en_US",
                    "definition": {"body": {"content": content}},
                }),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.text);
        a.data()["id"].as_str().unwrap().to_owned()
    }
}
