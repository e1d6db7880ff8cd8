//! Idempotency keys: the first successful response under a key is kept and replayed for
//! repeats; a repeat while the first request is still being handled is told so.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::lock;
use crate::reply::Reply;

#[derive(Debug)]
enum Entry {
    InFlight,
    Done {
        reply: Reply,
        request_id: String,
        at: Instant,
    },
}

/// The responses kept per (scope, key). The scope is the mock's to choose: Sent.dm's is the API
/// key, the profile and the endpoint.
#[derive(Debug)]
pub struct IdempotencyCache {
    entries: Mutex<HashMap<(String, String), Entry>>,
    ttl: Option<Duration>,
}

/// What [`IdempotencyCache::begin`] found.
#[derive(Debug)]
pub enum Begin<'a> {
    /// A response was kept for the key: send it again.
    Replay {
        /// The kept response.
        reply: Reply,
        /// The request id of the request that produced it.
        original_request_id: String,
    },
    /// A request with the key is still being handled.
    InFlight,
    /// The key is new: handle the request and [`complete`](Pending::complete) it.
    New(Pending<'a>),
}

/// A request being handled under a new key. Dropped without
/// [`complete`](Pending::complete), the key is forgotten (a retry is a new request).
#[derive(Debug)]
pub struct Pending<'a> {
    cache: &'a IdempotencyCache,
    key: Option<(String, String)>,
}

impl IdempotencyCache {
    /// A cache whose responses are kept for `ttl` (`None`: for the life of the mock).
    pub fn new(ttl: Option<Duration>) -> IdempotencyCache {
        IdempotencyCache {
            entries: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// Looks `key` up in `scope`, marking it in flight when it is new.
    pub fn begin(&self, scope: String, key: String) -> Begin<'_> {
        let scoped = (scope, key);
        let mut entries = lock(&self.entries);
        let expired = matches!(
            (entries.get(&scoped), self.ttl),
            (Some(Entry::Done { at, .. }), Some(ttl)) if at.elapsed() > ttl
        );
        if expired {
            entries.remove(&scoped);
        }
        match entries.get(&scoped) {
            Some(Entry::Done {
                reply, request_id, ..
            }) => Begin::Replay {
                reply: reply.clone(),
                original_request_id: request_id.clone(),
            },
            Some(Entry::InFlight) => Begin::InFlight,
            None => {
                entries.insert(scoped.clone(), Entry::InFlight);
                Begin::New(Pending {
                    cache: self,
                    key: Some(scoped),
                })
            }
        }
    }

    /// Forgets every key.
    pub fn clear(&self) {
        lock(&self.entries).clear();
    }
}

impl Pending<'_> {
    /// Keeps `reply` for repeats when it is a success (`2xx`); otherwise forgets the key, so that
    /// a repeat is handled anew.
    pub fn complete(mut self, reply: &Reply, request_id: &str) {
        if let Some(key) = self.key.take() {
            let mut entries = lock(&self.cache.entries);
            if (200..300).contains(&reply.status) {
                entries.insert(
                    key,
                    Entry::Done {
                        reply: reply.clone(),
                        request_id: request_id.to_owned(),
                        at: Instant::now(),
                    },
                );
            } else {
                entries.remove(&key);
            }
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut entries = lock(&self.cache.entries);
            if matches!(entries.get(&key), Some(Entry::InFlight)) {
                entries.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn begin<'a>(cache: &'a IdempotencyCache, key: &str) -> Begin<'a> {
        cache.begin("scope".into(), key.into())
    }

    #[test]
    fn successes_are_replayed_and_failures_forgotten() {
        let cache = IdempotencyCache::new(None);
        let Begin::New(pending) = begin(&cache, "a") else {
            panic!("new key")
        };
        assert!(matches!(begin(&cache, "a"), Begin::InFlight));
        pending.complete(&Reply::empty(201), "req_1");
        match begin(&cache, "a") {
            Begin::Replay {
                reply,
                original_request_id,
            } => {
                assert_eq!(reply.status, 201);
                assert_eq!(original_request_id, "req_1");
            }
            other => panic!("{other:?}"),
        }
        let Begin::New(pending) = begin(&cache, "b") else {
            panic!("new key")
        };
        pending.complete(&Reply::empty(500), "req_2");
        assert!(matches!(begin(&cache, "b"), Begin::New(_)));
        // Dropped unfinished: forgotten.
        drop(begin(&cache, "c"));
        assert!(matches!(begin(&cache, "c"), Begin::New(_)));
        // Another scope is another key.
        assert!(matches!(
            cache.begin("other".into(), "a".into()),
            Begin::New(_)
        ));
    }

    #[test]
    fn kept_responses_expire() {
        let cache = IdempotencyCache::new(Some(Duration::ZERO));
        if let Begin::New(p) = begin(&cache, "a") {
            p.complete(&Reply::empty(200), "req_1");
        }
        std::thread::sleep(Duration::from_millis(2));
        assert!(matches!(begin(&cache, "a"), Begin::New(_)));
    }
}
