//! The exact response cache: an identical read (same document, operation name, variables,
//! caller and UTC day) is answered from memory, byte for byte as it was first sent, for as
//! long as no write has been committed since, through this instance or any other sharing the
//! database.
//!
//! Validity comes from the database, not from a clock: every write transaction raises the
//! [data version](crate::store::data_version) as it commits, each cached body remembers the
//! version read *before* it was computed, and a request reads the version once (one
//! statement) and is served from memory only when the two are equal. Reading the version
//! first means a body is never older than the version it is filed under, so a stale body
//! cannot be served; at worst a body computed while a write committed is a little newer
//! than its version, and is replaced at the next miss.
//!
//! What is cached: queries whose response has no errors, except those reading root fields
//! that change without a write transaction ([`UNCACHED_FIELDS`]). The key holds the caller's
//! name and role (answers such as `viewer` differ per caller) and the UTC day (`events
//! (upcoming:)` compares with today). Memory is bounded (`--response-cache-bytes`); when it
//! is full the least recently used bodies are forgotten.
//!
//! The same version gives queries sent with GET an `ETag`: a client that sends it back in
//! `If-None-Match` gets `304 Not Modified` without the query being run.

use crate::auth::Caller;
use actix_web::web::Bytes;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Memory for cached responses unless configured (64 MiB).
pub const DEFAULT_RESPONSE_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Root query fields whose answers are never cached: `apiTokens` shows when each token was
/// last used, which authentication records without a write transaction.
pub const UNCACHED_FIELDS: &[&str] = &["apiTokens"];

/// Bytes counted for an entry besides its key's and body's text.
const ENTRY_OVERHEAD: usize = 128;

/// What makes two reads identical.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The UTC day the answer was computed on.
    pub day: NaiveDate,
    /// Who asked.
    pub caller: Caller,
    /// The operation to run, when the request names one.
    pub operation_name: Option<String>,
    /// The document's text, exactly as sent.
    pub query: String,
    /// The variables, as JSON.
    pub variables: String,
}

impl CacheKey {
    fn bytes(&self) -> usize {
        self.query.len()
            + self.variables.len()
            + self.operation_name.as_ref().map_or(0, String::len)
            + self.caller.name.as_ref().map_or(0, String::len)
    }

    /// A strong validator for the answer to this read at `version`, the same on every
    /// instance: the version and a SHA-256 of the key.
    pub fn etag(&self, version: i64) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.day.to_string().as_str(),
            self.caller.role.as_str(),
            self.caller.name.as_deref().unwrap_or(""),
            self.operation_name.as_deref().unwrap_or(""),
            &self.query,
            &self.variables,
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        let digest = hash.finalize();
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        format!("\"v{version}-{hex}\"")
    }
}

/// One cached body.
struct Entry {
    version: i64,
    body: Bytes,
    used: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Arc<CacheKey>, Entry>,
    /// Keys by the tick of their last use, oldest first.
    order: BTreeMap<u64, Arc<CacheKey>>,
    bytes: usize,
    tick: u64,
}

impl Entries {
    fn size(key: &CacheKey, body: &Bytes) -> usize {
        key.bytes() + body.len() + ENTRY_OVERHEAD
    }

    fn remove(&mut self, key: &CacheKey) {
        if let Some((key, entry)) = self.map.remove_entry(key) {
            self.order.remove(&entry.used);
            self.bytes -= Self::size(&key, &entry.body);
        }
    }
}

/// How the cache has fared, for `/metrics`.
#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
}

/// The cached responses of one server instance.
pub struct ResponseCache {
    entries: Mutex<Entries>,
    max_bytes: usize,
    enabled: bool,
    counters: Counters,
}

impl ResponseCache {
    /// A cache holding at most `max_bytes` of keys and bodies; `enabled: false` (or 0 bytes)
    /// turns caching and `ETag`s off.
    pub fn new(enabled: bool, max_bytes: usize) -> ResponseCache {
        ResponseCache {
            entries: Mutex::new(Entries::default()),
            max_bytes,
            enabled: enabled && max_bytes > 0,
            counters: Counters::default(),
        }
    }

    /// Whether reads are cached at all.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .expect("the response cache is not poisoned")
    }

    /// The body cached for `key` if it was computed at `version`. A body of another
    /// version is dropped: versions only grow, so it can never be served again.
    pub fn get(&self, key: &CacheKey, version: i64) -> Option<Bytes> {
        let mut entries = self.lock();
        entries.tick += 1;
        let tick = entries.tick;
        let found = match entries.map.get_mut(key) {
            Some(entry) if entry.version == version => {
                let previous = std::mem::replace(&mut entry.used, tick);
                Some((previous, entry.body.clone()))
            }
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        };
        match found {
            Some((previous, body)) => {
                if let Some(key) = entries.order.remove(&previous) {
                    entries.order.insert(tick, key);
                }
                self.counters.hits.fetch_add(1, Ordering::Relaxed);
                Some(body)
            }
            None => {
                self.counters.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Remembers `body` as the answer to `key` at `version`, forgetting the least recently
    /// used bodies to make room. A body larger than the whole cache is not kept, and neither
    /// is one older than what is already cached for the key.
    pub fn put(&self, key: CacheKey, version: i64, body: Bytes) {
        let size = Entries::size(&key, &body);
        if !self.enabled || size > self.max_bytes {
            return;
        }
        let mut entries = self.lock();
        if entries
            .map
            .get(&key)
            .is_some_and(|entry| entry.version >= version)
        {
            return;
        }
        entries.remove(&key);
        while entries.bytes + size > self.max_bytes {
            let Some((_, oldest)) = entries.order.pop_first() else {
                break;
            };
            if let Some(entry) = entries.map.remove(&oldest) {
                entries.bytes -= Entries::size(&oldest, &entry.body);
                self.counters.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
        entries.tick += 1;
        let tick = entries.tick;
        let key = Arc::new(key);
        entries.order.insert(tick, key.clone());
        entries.bytes += size;
        entries.map.insert(
            key,
            Entry {
                version,
                body,
                used: tick,
            },
        );
    }

    /// The cache's counters and size in the Prometheus text format.
    pub fn render_metrics(&self) -> String {
        let (count, bytes) = {
            let entries = self.lock();
            (entries.map.len(), entries.bytes)
        };
        let counter = |name: &str, help: &str, value: u64| {
            format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n")
        };
        let gauge = |name: &str, help: &str, value: usize| {
            format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n")
        };
        [
            counter(
                "bakeplan_response_cache_hits_total",
                "Reads answered from the response cache",
                self.counters.hits.load(Ordering::Relaxed),
            ),
            counter(
                "bakeplan_response_cache_misses_total",
                "Cacheable reads that had to be executed",
                self.counters.misses.load(Ordering::Relaxed),
            ),
            counter(
                "bakeplan_response_cache_evictions_total",
                "Cached responses forgotten to make room",
                self.counters.evictions.load(Ordering::Relaxed),
            ),
            gauge(
                "bakeplan_response_cache_entries",
                "Responses in the cache",
                count,
            ),
            gauge(
                "bakeplan_response_cache_bytes",
                "Bytes of keys and bodies in the cache",
                bytes,
            ),
        ]
        .concat()
    }
}

/// Whether `If-None-Match` (a header value) names `etag`, weakly compared as RFC 9110
/// §13.1.2 asks (`W/` prefixes ignored; `*` matches anything).
pub fn none_match_hits(if_none_match: &str, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let etag = bare(etag);
    if_none_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || bare(candidate) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn key(query: &str) -> CacheKey {
        CacheKey {
            day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            caller: Caller {
                name: Some("phone".into()),
                role: Role::Viewer,
            },
            operation_name: None,
            query: query.into(),
            variables: "{}".into(),
        }
    }

    #[test]
    fn a_body_is_served_only_at_the_version_it_was_computed_at() {
        let cache = ResponseCache::new(true, 10_000);
        cache.put(key("{ a }"), 7, Bytes::from_static(b"{\"data\":1}"));
        assert_eq!(
            cache.get(&key("{ a }"), 7).as_deref(),
            Some(&b"{\"data\":1}"[..])
        );
        assert_eq!(cache.get(&key("{ b }"), 7), None);
        assert_eq!(cache.get(&key("{ a }"), 8), None);
        // The stale body was dropped: not even its own version finds it now.
        assert_eq!(cache.get(&key("{ a }"), 7), None);
    }

    #[test]
    fn an_older_body_never_replaces_a_newer_one() {
        let cache = ResponseCache::new(true, 10_000);
        cache.put(key("{ a }"), 9, Bytes::from_static(b"new"));
        cache.put(key("{ a }"), 8, Bytes::from_static(b"old"));
        assert_eq!(cache.get(&key("{ a }"), 9).as_deref(), Some(&b"new"[..]));
    }

    #[test]
    fn callers_and_days_do_not_share_answers() {
        let cache = ResponseCache::new(true, 10_000);
        cache.put(key("{ viewer { name } }"), 1, Bytes::from_static(b"phone"));
        let mut other = key("{ viewer { name } }");
        other.caller.name = Some("oven".into());
        assert_eq!(cache.get(&other, 1), None);
        let mut manager = key("{ viewer { name } }");
        manager.caller.role = Role::Manager;
        assert_eq!(cache.get(&manager, 1), None);
        let mut tomorrow = key("{ viewer { name } }");
        tomorrow.day = tomorrow.day.succ_opt().unwrap();
        assert_eq!(cache.get(&tomorrow, 1), None);
        assert_ne!(key("{ a }").etag(1), other.etag(1));
        assert_ne!(key("{ a }").etag(1), key("{ a }").etag(2));
        assert_eq!(key("{ a }").etag(1), key("{ a }").etag(1));
    }

    #[test]
    fn memory_stays_bounded_and_the_least_recently_used_go_first() {
        let body = Bytes::from(vec![b'x'; 300]);
        let one = Entries::size(&key("{ a }"), &body);
        let cache = ResponseCache::new(true, one * 2);
        cache.put(key("{ a }"), 1, body.clone());
        cache.put(key("{ b }"), 1, body.clone());
        assert!(cache.get(&key("{ a }"), 1).is_some());
        cache.put(key("{ c }"), 1, body.clone());
        assert!(
            cache.get(&key("{ b }"), 1).is_none(),
            "b was the least recently used"
        );
        assert!(cache.get(&key("{ a }"), 1).is_some());
        assert!(cache.get(&key("{ c }"), 1).is_some());
        assert!(cache.lock().bytes <= one * 2);
        // Larger than the whole cache: not kept, and nothing else is evicted for it.
        cache.put(key("{ d }"), 1, Bytes::from(vec![b'x'; one * 3]));
        assert!(cache.get(&key("{ d }"), 1).is_none());
        assert!(cache.get(&key("{ a }"), 1).is_some());
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        for cache in [
            ResponseCache::new(false, 10_000),
            ResponseCache::new(true, 0),
        ] {
            assert!(!cache.enabled());
            cache.put(key("{ a }"), 1, Bytes::from_static(b"x"));
            assert_eq!(cache.get(&key("{ a }"), 1), None);
        }
    }

    #[test]
    fn if_none_match_is_compared_weakly() {
        let etag = "\"v3-abc\"";
        assert!(none_match_hits("\"v3-abc\"", etag));
        assert!(none_match_hits("W/\"v3-abc\"", etag));
        assert!(none_match_hits("\"v2-abc\", \"v3-abc\"", etag));
        assert!(none_match_hits("*", etag));
        assert!(!none_match_hits("\"v2-abc\"", etag));
        assert!(!none_match_hits("", etag));
    }
}
