//! The server: its configuration, its own thread and runtime, and the connections it serves.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::behaviour::Options;
use crate::fault::{Fault, FaultRegistry, FaultRule};
use crate::pipeline::{Shared, handle, lock};
use crate::ratelimit::RateLimiter;
use crate::spec::spec;
use crate::state::{RecordedRequest, RecordedSend, Store};

/// The API key a server accepts when no other is configured.
pub const DEFAULT_API_KEY: &str = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c";

/// Requests allowed per window by default (the documented standard tier).
pub const DEFAULT_RATE_LIMIT: u32 = 200;

/// The default rate-limit window.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// Configures and starts a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    api_keys: Vec<String>,
    rate_limit: u32,
    window: Duration,
    port: u16,
    allow_external_webhooks: bool,
    require_known_templates: bool,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            api_keys: Vec::new(),
            rate_limit: DEFAULT_RATE_LIMIT,
            window: DEFAULT_WINDOW,
            port: 0,
            allow_external_webhooks: false,
            require_known_templates: true,
        }
    }
}

impl MockServerBuilder {
    /// Accepts this API key. The first key added replaces [`DEFAULT_API_KEY`]; call again to
    /// accept several.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Allows `limit` requests per API key in any sliding `window` (default 200 per 60 s).
    /// Requests refused with 401 are not counted.
    #[must_use]
    pub fn rate_limit(mut self, limit: u32, window: Duration) -> Self {
        self.rate_limit = limit;
        self.window = window;
        self
    }

    /// Listens on this port of 127.0.0.1 instead of a free one.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Lets `POST /v3/webhooks/{id}/test` deliver to hosts that are not loopback addresses
    /// (off by default: the mock delivers only to 127.0.0.0/8, ::1 and `localhost`).
    #[must_use]
    pub fn allow_external_webhooks(mut self, allow: bool) -> Self {
        self.allow_external_webhooks = allow;
        self
    }

    /// Whether `POST /v3/messages` answers `404 RESOURCE_002` for a template that was not
    /// created first (default `true`, as the API does). With `false` any template id or name is
    /// accepted.
    #[must_use]
    pub fn require_known_templates(mut self, require: bool) -> Self {
        self.require_known_templates = require;
        self
    }

    /// Binds 127.0.0.1 and starts serving on a thread of its own.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the thread or its runtime cannot be started.
    pub fn start(self) -> io::Result<MockServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let api_keys = if self.api_keys.is_empty() {
            vec![DEFAULT_API_KEY.to_owned()]
        } else {
            self.api_keys
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(io::Error::other)?;
        let shared = Arc::new(Shared {
            spec: spec(),
            api_keys: Mutex::new(api_keys),
            store: Mutex::new(Store::default()),
            limiter: Mutex::new(RateLimiter::new(self.rate_limit, self.window)),
            idempotency: Mutex::new(HashMap::new()),
            faults: FaultRegistry::default(),
            requests: Mutex::new(Vec::new()),
            http,
            options: Options {
                require_known_templates: self.require_known_templates,
            },
            allow_external_webhooks: self.allow_external_webhooks,
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("sentdm-mock-{}", addr.port()))
            .spawn(move || runtime.block_on(serve(listener, serving, stopped)))?;
        Ok(MockServer {
            shared,
            addr,
            url: format!("http://{addr}"),
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A mock of the Sent.dm API listening on 127.0.0.1.
///
/// It serves on a thread and runtime of its own, so it works the same from synchronous tests
/// and from any async runtime. It stops when dropped or on [`shutdown`](MockServer::shutdown).
#[derive(Debug)]
pub struct MockServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with the defaults: a free port, [`DEFAULT_API_KEY`], 200 requests per
    /// 60 s.
    ///
    /// # Errors
    ///
    /// When no port can be bound or the server thread cannot start.
    pub fn start() -> io::Result<MockServer> {
        MockServerBuilder::default().start()
    }

    /// Configures a server.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first accepted API key.
    pub fn api_key(&self) -> String {
        lock(&self.shared.api_keys)
            .first()
            .cloned()
            .unwrap_or_default()
    }

    /// Accepts one more API key from now on.
    pub fn add_api_key(&self, key: impl Into<String>) {
        lock(&self.shared.api_keys).push(key.into());
    }

    /// Registers a fault. It applies once, to the next request, unless the returned rule is
    /// narrowed or widened:
    ///
    /// ```
    /// # use sentdm_mock::{Fault, MockServer};
    /// # let server = MockServer::start().unwrap();
    /// server
    ///     .fault(Fault::status(503).html("<h1>down</h1>"))
    ///     .times(2)
    ///     .on("POST", "/v3/messages");
    /// ```
    pub fn fault(&self, fault: Fault) -> FaultRule {
        self.shared.faults.add(fault)
    }

    /// Withdraws every registered fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// The message sends accepted so far, oldest first (sandbox sends and idempotent replays
    /// are not sends).
    pub fn sends(&self) -> Vec<RecordedSend> {
        lock(&self.shared.store).sends.clone()
    }

    /// How many message sends were accepted.
    pub fn send_count(&self) -> usize {
        lock(&self.shared.store).sends.len()
    }

    /// The requests received so far, in the order they were answered (or dropped): the last
    /// 100 000 at least.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets all resources, sends, the request log, idempotency keys and rate-limit windows.
    /// Faults and API keys stay.
    pub fn reset(&self) {
        *lock(&self.shared.store) = Store::default();
        lock(&self.shared.requests).clear();
        lock(&self.shared.idempotency).clear();
        let mut limiter = lock(&self.shared.limiter);
        *limiter = limiter.emptied();
    }

    /// Stops the server and waits for its thread to end.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let reset = Arc::new(AtomicBool::new(false));
                let io = TokioIo::new(ResetOnDrop { stream, reset: Arc::clone(&reset) });
                let shared = Arc::clone(&shared);
                let service = service_fn(move |req| handle(Arc::clone(&shared), Arc::clone(&reset), req));
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(io, service)
                        .await;
                });
            }
        }
    }
}

/// A TCP stream that, when a fault asked for it, is closed with a reset (RST) instead of the
/// orderly close.
#[derive(Debug)]
struct ResetOnDrop {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResetOnDrop {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResetOnDrop {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<MockServer>();
        shareable::<FaultRule>();
    }
}
