//! Memory held while reading a response the server never stops sending: bounded by the size
//! limit, however long the body. Its own test binary, because counting allocations replaces
//! the global allocator.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::IntoFuture as _;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use sentdm_client::{Client, Error};

const MIB: u64 = 1024 * 1024;
/// How much the server is willing to send: far more than the limit.
const SERVED: u64 = 256 * MIB;
const CHUNK: usize = 64 * 1024;

/// A server on its own OS thread (its allocations are not counted: the counter is per thread)
/// answering every request with a chunked body of `SERVED` bytes, sent as fast as the client
/// reads. Returns the base URL and the number of body bytes written.
fn endless_server() -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let counter = counter.clone();
            thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                            x-request-id: req_endless\r\ntransfer-encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = format!("{CHUNK:x}\r\n{}\r\n", " ".repeat(CHUNK));
                if stream.write_all(b"6\r\n{\"a\":[\r\n").is_err() {
                    return;
                }
                let mut sent = 0;
                while sent < SERVED {
                    if stream.write_all(chunk.as_bytes()).is_err() {
                        break;
                    }
                    sent += CHUNK as u64;
                    counter.store(sent, Ordering::Relaxed);
                }
                let _ = stream.write_all(b"3\r\n1]}\r\n0\r\n\r\n");
                let _ = stream.shutdown(Shutdown::Both);
            });
        }
    });
    (base, written)
}

#[test]
fn an_endless_body_is_cut_off_at_the_limit_without_holding_more() {
    let (base, written) = endless_server();
    let limit = 2 * MIB;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key("sk_test_memory")
        .base_url(&base)
        .max_retries(0)
        .timeout(Duration::from_secs(120))
        .max_response_bytes(limit)
        .build()
        .unwrap();
    let id: sentdm_client::types::ContactId =
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8".parse().unwrap();
    // One call first, so that lazily built statics and the connection pool are not counted.
    let warm = runtime.block_on(client.contacts().get(id).into_future());
    assert!(
        matches!(warm, Err(Error::ResponseTooLarge { .. })),
        "{warm:?}"
    );

    let mut result = None;
    let info = allocation_counter::measure(|| {
        result = Some(runtime.block_on(client.contacts().get(id).into_future()));
    });
    let error = result.unwrap().unwrap_err();
    match &error {
        Error::ResponseTooLarge {
            limit: reported,
            status,
            request_id,
            ..
        } => {
            assert_eq!(*reported, limit);
            assert_eq!(status.as_u16(), 200);
            assert_eq!(request_id.as_deref(), Some("req_endless"));
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    let peak = info.bytes_max;
    println!(
        "limit {limit} bytes, peak held while reading {peak} bytes, server wrote {} bytes",
        written.load(Ordering::Relaxed)
    );
    // The buffer never grows past the limit; while it grows, old and new copies coexist.
    assert!(
        peak <= 2 * limit + MIB / 2,
        "peak {peak} bytes for a limit of {limit}"
    );
    // Reading stopped early: the server had far more to send.
    assert!(written.load(Ordering::Relaxed) < SERVED);
}
