//! What the client costs per call compared with the code it replaces: a bare `reqwest` +
//! `serde` loop with hand-written structs.
//!
//! ```sh
//! cargo bench -p sentdm-client --bench overhead
//! ```
//!
//! The benchmark starts a loopback server in a child process (so that its work is not counted)
//! answering `POST /v3/messages` and `GET /v3/messages/{id}` with the documented example
//! responses from `openapi.json`. Then, on a current-thread and on a multi-thread tokio
//! runtime, it runs the same workload — alternating a send and a get, `OVERHEAD_CALLS` calls
//! (default 4000) per sample — through
//!
//! * **bare**: one `reqwest::Client`, a JSON body serialized from a struct, the API key header,
//!   and the envelope decoded with `serde_json` into hand-written structs of the same field
//!   types as the generated ones;
//! * **client**: `client.messages().send(..)` / `.get(..)` with retries off.
//!
//! `OVERHEAD_ONLY=bare` or `OVERHEAD_ONLY=client` runs one side alone (for a profiler such as
//! `valgrind --tool=callgrind`); the table then reports that side only.
//!
//! Samples of the two alternate (bare, client, client, bare, …) for `OVERHEAD_ROUNDS` rounds
//! (default 7). Reported per flavour: the median process CPU time (user + system, from
//! `CLOCK_PROCESS_CPUTIME_ID`) per call and the median number of heap allocations per call
//! (a counting global allocator), for each side, and client ÷ bare. Goal: CPU ratio ≤ 1.10 and
//! allocation ratio ≤ 1.3 on both flavours.

use std::alloc::System;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::time::{ClockId, clock_gettime};
use sentdm_client::types::TemplateRef;
use sentdm_client::{Client, RetryPolicy};
use serde::{Deserialize, Serialize};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Set in the child process that serves the requests.
const SERVER_ENV: &str = "SENTDM_OVERHEAD_SERVER";
const API_KEY: &str = "sk_bench_overhead";
const MESSAGE_ID: &str = "8ba7b830-9dad-11d1-80b4-00c04fd430c8";

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type RuntimeFactory = fn() -> std::io::Result<tokio::runtime::Runtime>;

fn main() -> Result<(), BoxError> {
    if std::env::var_os(SERVER_ENV).is_some() {
        return serve();
    }
    let calls = env_u64("OVERHEAD_CALLS", 4000);
    let rounds = env_u64("OVERHEAD_ROUNDS", 7);
    let server = Server::start()?;
    println!(
        "overhead: {calls} calls per sample (send and get alternating), {rounds} rounds, server pid {}",
        server.child.id()
    );
    println!(
        "{:<14} {:>14} {:>14} {:>8} {:>12} {:>12} {:>8}",
        "runtime",
        "bare µs/call",
        "client µs/call",
        "CPU ×",
        "bare allocs",
        "client allocs",
        "allocs ×"
    );
    let flavours: [(&str, RuntimeFactory); 2] = [
        ("current-thread", || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        }),
        ("multi-thread", || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
        }),
    ];
    for (name, build) in flavours {
        let runtime = build()?;
        let (bare, client) = runtime.block_on(measure(&server.url, calls, rounds))?;
        println!(
            "{:<14} {:>14.2} {:>14.2} {:>8.3} {:>12.1} {:>12.1} {:>8.3}",
            name,
            bare.cpu_us,
            client.cpu_us,
            client.cpu_us / bare.cpu_us,
            bare.allocs,
            client.allocs,
            client.allocs / bare.allocs,
        );
    }
    Ok(())
}

/// Medians per call of one side.
struct PerCall {
    cpu_us: f64,
    allocs: f64,
}

async fn measure(base: &str, calls: u64, rounds: u64) -> Result<(PerCall, PerCall), BoxError> {
    let bare = Bare::new(base)?;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(base)
        .retry_policy(RetryPolicy::none())
        .build()?;
    let only = std::env::var("OVERHEAD_ONLY").ok();
    let runs = |client_side: bool| match only.as_deref() {
        Some("bare") => !client_side,
        Some("client") => client_side,
        _ => true,
    };
    // Warm up both: connections, lazily initialised statics, allocator pools.
    for _ in 0..200 {
        if runs(false) {
            bare.call_pair().await?;
        }
        if runs(true) {
            client_pair(&client).await?;
        }
    }
    let (mut bare_cpu, mut bare_allocs, mut client_cpu, mut client_allocs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        for side in 0..2 {
            // bare, client, client, bare, …: neither side always runs first.
            let client_turn = (side == 0) == (round % 2 == 1);
            if !runs(client_turn) {
                continue;
            }
            let region = Region::new(GLOBAL);
            let started = cpu_time()?;
            for _ in 0..calls / 2 {
                if client_turn {
                    client_pair(&client).await?;
                } else {
                    bare.call_pair().await?;
                }
            }
            let cpu = cpu_time()?.saturating_sub(started);
            let allocs = region.change().allocations as f64 / calls as f64;
            let cpu_us = cpu.as_secs_f64() * 1e6 / calls as f64;
            if client_turn {
                client_cpu.push(cpu_us);
                client_allocs.push(allocs);
            } else {
                bare_cpu.push(cpu_us);
                bare_allocs.push(allocs);
            }
        }
    }
    Ok((
        PerCall {
            cpu_us: median(bare_cpu),
            allocs: median(bare_allocs),
        },
        PerCall {
            cpu_us: median(client_cpu),
            allocs: median(client_allocs),
        },
    ))
}

async fn client_pair(client: &Client) -> Result<(), BoxError> {
    let template = TemplateRef::by_name("order_confirmation").parameters([("order", "12345")]);
    let sent = client
        .messages()
        .send(["+14155551234", "+14155555678"], template)
        .await?;
    let first = sent
        .recipients
        .first()
        .and_then(|r| r.message_id)
        .ok_or("no message id")?;
    let message = client.messages().get(first).await?;
    std::hint::black_box(&message);
    Ok(())
}

/// The hand-written equivalent.
struct Bare {
    http: reqwest::Client,
    send_url: String,
    base: String,
}

#[derive(Serialize)]
struct SendBody<'a> {
    to: [&'a str; 2],
    template: TemplateBody<'a>,
}

#[derive(Serialize)]
struct TemplateBody<'a> {
    name: &'a str,
    parameters: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    success: bool,
    data: Option<T>,
    meta: Option<BareMeta>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct BareMeta {
    request_id: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    timestamp: Option<time::OffsetDateTime>,
    version: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    Queued,
    Sent,
    Delivered,
    #[serde(other)]
    Other,
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Channel {
    Sms,
    Whatsapp,
    #[serde(other)]
    Other,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct SendResult {
    status: Option<Status>,
    template_id: Option<uuid::Uuid>,
    template_name: Option<String>,
    recipients: Option<Vec<Recipient>>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Recipient {
    message_id: Option<uuid::Uuid>,
    to: Option<String>,
    channel: Option<Channel>,
    body: Option<String>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Message {
    id: Option<uuid::Uuid>,
    customer_id: Option<uuid::Uuid>,
    contact_id: Option<uuid::Uuid>,
    phone: Option<String>,
    phone_international: Option<String>,
    region_code: Option<String>,
    template_id: Option<uuid::Uuid>,
    template_name: Option<String>,
    template_category: Option<String>,
    channel: Option<Channel>,
    message_body: Option<MessageBody>,
    status: Option<Status>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    created_at: Option<time::OffsetDateTime>,
    price: Option<f64>,
    active_contact_price: Option<f64>,
    events: Option<Vec<Event>>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct MessageBody {
    header: Option<String>,
    content: Option<String>,
    footer: Option<String>,
    buttons: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Event {
    status: Option<Status>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    timestamp: Option<time::OffsetDateTime>,
    description: Option<String>,
}

impl Bare {
    fn new(base: &str) -> Result<Bare, BoxError> {
        Ok(Bare {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            send_url: format!("{base}/v3/messages"),
            base: base.to_owned(),
        })
    }

    async fn call_pair(&self) -> Result<(), BoxError> {
        let body = SendBody {
            to: ["+14155551234", "+14155555678"],
            template: TemplateBody {
                name: "order_confirmation",
                parameters: [("order".to_owned(), "12345".to_owned())].into(),
            },
        };
        let response = self
            .http
            .post(&self.send_url)
            .header("x-api-key", API_KEY)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(&body)?)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("send answered {}", response.status()).into());
        }
        let bytes = response.bytes().await?;
        let sent: Envelope<SendResult> = serde_json::from_slice(&bytes)?;
        let first = sent
            .data
            .filter(|_| sent.success)
            .and_then(|d| d.recipients)
            .and_then(|r| r.into_iter().next())
            .and_then(|r| r.message_id)
            .ok_or("no message id")?;
        let response = self
            .http
            .get(format!("{}/v3/messages/{first}", self.base))
            .header("x-api-key", API_KEY)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("get answered {}", response.status()).into());
        }
        let bytes = response.bytes().await?;
        let message: Envelope<Message> = serde_json::from_slice(&bytes)?;
        std::hint::black_box((&message.data, &message.meta));
        Ok(())
    }
}

/// Process CPU time so far (user + system, all threads).
fn cpu_time() -> Result<Duration, BoxError> {
    let now = clock_gettime(ClockId::CLOCK_PROCESS_CPUTIME_ID)?;
    Ok(Duration::from(now))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}

/// The server child process; killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Result<Server, BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(SERVER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout from the server")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let url = line.trim().to_owned();
        if !url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            return Err(format!("the server did not start: {line:?}").into());
        }
        Ok(Server { child, url })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child: answers with the documented examples until its standard input closes.
fn serve() -> Result<(), BoxError> {
    let spec: serde_json::Value = serde_json::from_str(include_str!("../openapi.json"))?;
    let example = |path: &str, method: &str, status: &str| -> Result<String, BoxError> {
        let pointer = format!(
            "/paths/{}/{method}/responses/{status}/content/application~1json/example",
            path.replace('~', "~0").replace('/', "~1")
        );
        let value = spec
            .pointer(&pointer)
            .ok_or_else(|| format!("no example at {pointer}"))?;
        Ok(value.to_string())
    };
    let sent = bytes::Bytes::from(example("/v3/messages", "post", "202")?);
    let message = bytes::Bytes::from(example("/v3/messages/{id}", "get", "200")?);
    let names = |body: &[u8]| {
        body.windows(MESSAGE_ID.len())
            .any(|w| w == MESSAGE_ID.as_bytes())
    };
    if !names(&message) || !names(&sent) {
        return Err("the examples no longer name the same message".into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        use axum::http::{StatusCode, header};
        use axum::routing::{get, post};

        const JSON: [(header::HeaderName, &str); 1] = [(header::CONTENT_TYPE, "application/json")];
        let app = axum::Router::new()
            .route(
                "/v3/messages",
                post(move || {
                    let body = sent.clone();
                    async move { (StatusCode::ACCEPTED, JSON, body) }
                }),
            )
            .route(
                "/v3/messages/{id}",
                get(move || {
                    let body = message.clone();
                    async move { (StatusCode::OK, JSON, body) }
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "http://{}", listener.local_addr()?)?;
        stdout.flush()?;
        // The parent holds our stdin; when it goes away, so do we.
        let parent_gone = tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = parent_gone.await;
            })
            .await?;
        Ok::<(), BoxError>(())
    })
}
