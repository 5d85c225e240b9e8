//! The lookup cache: an LRU of packed rows by key hash.

use std::cell::Cell;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroUsize;
use std::ops::Range;
use std::time::{Duration, Instant};

use lru::LruCache;
use smallvec::SmallVec;

use crate::options::CacheOptions;

/// A cache entry's bytes: its key, then its packed row; in the entry itself when they fit
/// (72 bytes: a 60-byte row, a BIGINT and a 48-character string, with a 12-byte key), so that
/// the `lru` crate's node holding the entry is 128 bytes, two cache lines.
pub type EntryBytes = SmallVec<[u8; 72]>;

struct Entry {
    /// The Redis key (the cache is indexed by its hash; a hit compares the key itself), then
    /// the table row, packed.
    bytes: EntryBytes,
    key_len: u32,
    /// The key is absent from Redis (a cached miss): there is no row.
    absent: bool,
    /// Whether the entry was used since it was last put at the front (see [`Cache`]).
    used: Cell<bool>,
    /// When the entry was written and last used (read only with `expire-after-access`), in
    /// nanoseconds since the cache was made (`Cache::ticks`).
    written: u64,
    accessed: Cell<u64>,
}

impl Entry {
    fn key(&self) -> &[u8] {
        &self.bytes[..self.key_len as usize]
    }

    fn row(&self) -> Option<&[u8]> {
        (!self.absent).then(|| &self.bytes[self.key_len as usize..])
    }
}

/// The lookup cache: an LRU of at most `max-rows` entries (the `lru` crate), each of which
/// expires after write and/or access as configured.
///
/// A hit marks its entry as used instead of moving it to the front (a move rewrites two other
/// entries' links, random memory far from the entry); the order is corrected when room is
/// needed: a used entry at the back gets a second chance, moved to the front unmarked, and the
/// first unused one is evicted (the "second chance" or CLOCK approximation of LRU). So the
/// evicted key is the least recently placed of those not used since they were placed (unless
/// the back holds a run of more than `MAX_SECOND_CHANCES` used entries); with the cache holding
/// every key, hits never touch the list.
pub struct Cache {
    options: CacheOptions,
    /// Entries by the hash of their key: finding one hashes nothing more and compares one
    /// number, so the lookups of a batch overlap in the CPU (each is a chain of memory reads).
    /// Callers pass each key's hash (`RedisLookup::hasher`), computed once per batch.
    entries: LruCache<u64, Entry, BuildHasherDefault<Prehashed>>,
    /// Where entries' times count from.
    made: Instant,
}

/// Used entries one eviction moves to the front at most (see `Cache::second_chances`).
const MAX_SECOND_CHANCES: usize = 64;

impl Cache {
    pub fn new(options: CacheOptions) -> Cache {
        let capacity = NonZeroUsize::new(options.max_rows).unwrap_or(NonZeroUsize::MIN);
        Cache {
            options,
            entries: LruCache::with_hasher(capacity, BuildHasherDefault::default()),
            made: Instant::now(),
        }
    }

    /// Nanoseconds from the cache's making to `now` (0 for an earlier `now`).
    fn ticks(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.made).as_nanos() as u64
    }

    /// Whether an entry expired at `now` (in `ticks`).
    fn expired(&self, entry: &Entry, now: u64) -> bool {
        let past = |since: u64, ttl: Duration| now.saturating_sub(since) as u128 >= ttl.as_nanos();
        self.options
            .expire_after_write
            .is_some_and(|ttl| past(entry.written, ttl))
            || self
                .options
                .expire_after_access
                .is_some_and(|ttl| past(entry.accessed.get(), ttl))
    }

    /// The cached answers for a batch of keys (and their hashes): `None`
    /// where a key is not cached or its entry expired (expired entries are removed),
    /// `Some(None)` for a key cached as absent, else the range of `rows` where its packed row
    /// was appended. Hits are marked used (and their access time set, with
    /// `expire-after-access`).
    ///
    /// Entries are found first, then their rows copied, so that the memory reads of many keys
    /// overlap instead of each waiting for the last.
    pub fn get_batch(
        &mut self,
        keys: &[&[u8]],
        hashes: &[u64],
        now: Instant,
        rows: &mut Vec<u8>,
    ) -> Vec<Option<Option<Range<usize>>>> {
        let track_access = self.options.expire_after_access.is_some();
        let now = self.ticks(now);
        let mut answers = Vec::with_capacity(keys.len());
        let mut expired = Vec::new();
        {
            let found: Vec<Option<&Entry>> = hashes.iter().map(|h| self.entries.peek(h)).collect();
            // A row spans up to two more cache lines than the key (or lives on the heap).
            for row in found.iter().flatten().filter_map(|e| e.row()) {
                prefetch(row.as_ptr());
                prefetch(row.as_ptr().wrapping_add(row.len().saturating_sub(1)));
            }
            for (i, (entry, key)) in found.iter().zip(keys).enumerate() {
                answers.push(match entry {
                    // Another key with the same hash is not this key's answer.
                    Some(entry) if entry.key() != *key => None,
                    Some(entry) if !self.expired(entry, now) => {
                        // Written only when it changes: a clean line stays clean.
                        if !entry.used.get() {
                            entry.used.set(true);
                        }
                        if track_access {
                            entry.accessed.set(now);
                        }
                        Some(entry.row().map(|row| {
                            let start = rows.len();
                            rows.extend_from_slice(row);
                            start..rows.len()
                        }))
                    }
                    Some(_) => {
                        expired.push(hashes[i]);
                        None
                    }
                    None => None,
                });
            }
        }
        for hash in &expired {
            self.entries.pop(hash);
        }
        answers
    }

    /// Caches an answer for a key (and its hash): its row packed, or `None` for a key absent
    /// from Redis; returns whether another entry was evicted to make room.
    pub fn put(&mut self, key: &[u8], hash: u64, row: Option<&[u8]>, now: Instant) -> bool {
        if row.is_none() && !self.options.cache_missing_key {
            return false;
        }
        if self.entries.len() == self.entries.cap().get() && !self.entries.contains(&hash) {
            self.second_chances();
        }
        let mut bytes = EntryBytes::with_capacity(key.len() + row.map_or(0, <[u8]>::len));
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(row.unwrap_or_default());
        let now = self.ticks(now);
        let entry = Entry {
            bytes,
            key_len: key.len() as u32,
            absent: row.is_none(),
            used: Cell::new(false),
            written: now,
            accessed: Cell::new(now),
        };
        // An entry replaced for the same key is no eviction; one of another key with the same
        // hash is.
        matches!(self.entries.push(hash, entry), Some((old, e)) if old != hash || e.key() != key)
    }

    /// Before an eviction: moves the used entries at the back to the front, unmarked, until
    /// the back one is unused, at most `MAX_SECOND_CHANCES` of them: one put never pays for
    /// more than that many earlier hits (each move reads two other entries), and a used entry
    /// is evicted only behind a run of as many used ones.
    fn second_chances(&mut self) {
        for _ in 0..self.entries.len().min(MAX_SECOND_CHANCES) {
            match self.entries.peek_lru() {
                Some((&hash, entry)) if entry.used.get() => {
                    entry.used.set(false);
                    self.entries.promote(&hash);
                }
                _ => break,
            }
        }
    }
}

/// The hash of a batch's keys, for its slots and the cache's index: fast for short keys;
/// seeded per process.
pub type BuildFast = foldhash::fast::RandomState;

/// The hasher of the cache's index, whose keys are hashes already: the key is the hash.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Asks the CPU to load the memory at `p` into its caches (a hint; never faults).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that never reads the memory architecturally and never
        // faults, whatever the address; SSE is part of every x86_64 target.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_interface::packed::{pack, unpack};
    use connector_interface::Value;
    use std::hash::BuildHasher;

    #[test]
    fn a_bigint_and_a_48_character_string_fit_in_place() {
        let row = vec![Value::BigInt(7), Value::from("x".repeat(48).as_str())];
        let packed = packed(&row);
        assert_eq!(packed.len(), 1 + 9 + 2 + 48);
        let mut c = cache(1);
        c.put(b"dim:12345678", 1, Some(&packed), Instant::now());
        let entry = c.entries.peek(&1).unwrap();
        assert!(!entry.bytes.spilled(), "a 12-byte key and the row in place");
        assert_eq!(entry.key(), b"dim:12345678");
        // With the `lru` crate's key and two links, a node of 128 bytes: two cache lines.
        assert_eq!(std::mem::size_of::<Entry>() + 3 * 8, 128);
        assert_eq!(unpack(&packed), Ok(row));
    }

    fn cache(max_rows: usize) -> Cache {
        Cache::new(CacheOptions {
            max_rows,
            expire_after_write: None,
            expire_after_access: None,
            cache_missing_key: true,
        })
    }

    /// Keys' hashes in these tests (any hasher, used consistently, serves the cache).
    fn hash(key: &[u8]) -> u64 {
        foldhash::fast::FixedState::with_seed(7).hash_one(key)
    }

    fn row(text: &str) -> Vec<Value> {
        vec![Value::String(text.into()), Value::BigInt(text.len() as i64)]
    }

    fn packed(values: &[Value]) -> Vec<u8> {
        let mut bytes = Vec::new();
        pack(values, &mut bytes);
        bytes
    }

    fn put(cache: &mut Cache, key: &str) -> bool {
        cache.put(
            key.as_bytes(),
            hash(key.as_bytes()),
            Some(&packed(&row(key))),
            Instant::now(),
        )
    }

    fn get(cache: &mut Cache, key: &str) -> Option<Option<Vec<Value>>> {
        let mut rows = Vec::new();
        let found = cache.get_batch(
            &[key.as_bytes()],
            &[hash(key.as_bytes())],
            Instant::now(),
            &mut rows,
        );
        found[0]
            .clone()
            .map(|row| row.map(|range| unpack(&rows[range]).unwrap()))
    }

    fn cached(cache: &Cache) -> Vec<String> {
        let mut keys: Vec<String> = cache
            .entries
            .iter()
            .map(|(_, e)| String::from_utf8_lossy(e.key()).into_owned())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_hit_returns_the_row_and_the_least_recently_used_key_is_evicted() {
        let mut c = cache(2);
        put(&mut c, "a");
        put(&mut c, "b");
        assert_eq!(get(&mut c, "a"), Some(Some(row("a"))));
        assert!(put(&mut c, "c"), "'b' is evicted");
        assert_eq!(cached(&c), ["a", "c"]);
        assert_eq!(get(&mut c, "b"), None);
    }

    #[test]
    fn used_keys_get_a_second_chance_and_are_evicted_in_the_order_of_their_use() {
        let mut c = cache(8);
        for k in ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"] {
            put(&mut c, k);
        }
        // The oldest and the newest key are used; neither hit moves anything.
        assert!(get(&mut c, "k0").is_some());
        assert!(get(&mut c, "k7").is_some());
        assert_eq!(
            c.entries.peek_lru().map(|(_, e)| e.key().to_vec()),
            Some(b"k0".to_vec())
        );
        // Six new keys evict the six unused ones, oldest first; the used keys stay.
        for (i, k) in ["n0", "n1", "n2", "n3", "n4", "n5"].into_iter().enumerate() {
            assert!(put(&mut c, k));
            assert_eq!(
                get(&mut c, &format!("k{}", i + 1)),
                None,
                "k{} is evicted",
                i + 1
            );
        }
        assert_eq!(cached(&c), ["k0", "k7", "n0", "n1", "n2", "n3", "n4", "n5"]);
        // k0's second chance came first; used once since, k7 gets its own and k0, not used
        // again, is next: as in exact LRU, where k0 (used before k7) is the older.
        assert!(put(&mut c, "n6"));
        assert_eq!(get(&mut c, "k0"), None);
        assert!(get(&mut c, "k7").is_some());
        // Every key used: each gets its chance once, and the oldest placed goes.
        for k in ["k7", "n0", "n1", "n2", "n3", "n4", "n5", "n6"] {
            assert!(get(&mut c, k).is_some());
        }
        assert!(put(&mut c, "n7"));
        assert_eq!(get(&mut c, "n0"), None, "n0, the oldest placed, is evicted");
        assert_eq!(cached(&c), ["k7", "n1", "n2", "n3", "n4", "n5", "n6", "n7"]);
    }

    #[test]
    fn a_full_cache_replacing_a_key_evicts_nothing() {
        let mut c = cache(2);
        put(&mut c, "a");
        put(&mut c, "b");
        assert!(get(&mut c, "a").is_some());
        assert!(!put(&mut c, "b"), "the same key, replaced");
        assert_eq!(cached(&c), ["a", "b"]);
    }

    #[test]
    fn an_entry_of_another_key_with_the_same_hash_is_not_a_hit() {
        let mut c = cache(4);
        put(&mut c, "other");
        // Move "other"'s entry to where "wanted" hashes, as a collision would put it.
        let entry = c.entries.pop(&hash(b"other")).unwrap();
        c.entries.push(hash(b"wanted"), entry);
        assert_eq!(get(&mut c, "wanted"), None);
        // Caching "wanted" replaces the other key's entry: that is an eviction.
        assert!(put(&mut c, "wanted"));
        assert_eq!(get(&mut c, "wanted"), Some(Some(row("wanted"))));
        assert_eq!(cached(&c), ["wanted"]);
    }

    #[test]
    fn expired_entries_are_removed_on_read_and_missing_keys_are_cached() {
        let mut c = Cache::new(CacheOptions {
            max_rows: 4,
            expire_after_write: Some(Duration::from_millis(50)),
            expire_after_access: None,
            cache_missing_key: true,
        });
        let start = Instant::now();
        c.put(b"gone", hash(b"gone"), None, start);
        c.put(b"here", hash(b"here"), Some(&packed(&row("here"))), start);
        let mut rows = Vec::new();
        let keys: [&[u8]; 3] = [b"gone", b"here", b"other"];
        let hashes = keys.map(hash);
        let answers = c.get_batch(&keys, &hashes, start, &mut rows);
        assert_eq!(answers, vec![Some(None), Some(Some(0..rows.len())), None]);
        assert_eq!(unpack(&rows), Ok(row("here")));
        let later = start + Duration::from_millis(50);
        assert_eq!(
            c.get_batch(&keys[..2], &hashes[..2], later, &mut rows),
            vec![None, None]
        );
        assert!(cached(&c).is_empty(), "expired entries are removed");
    }

    #[test]
    fn entries_expire_a_time_after_their_last_use_with_expire_after_access() {
        let mut c = Cache::new(CacheOptions {
            max_rows: 4,
            expire_after_write: None,
            expire_after_access: Some(Duration::from_millis(50)),
            cache_missing_key: true,
        });
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        for key in ["used", "idle"] {
            c.put(
                key.as_bytes(),
                hash(key.as_bytes()),
                Some(&packed(&row(key))),
                start,
            );
        }
        let mut get_at = |key: &str, ms: u64| {
            let mut rows = Vec::new();
            let found = c.get_batch(
                &[key.as_bytes()],
                &[hash(key.as_bytes())],
                at(ms),
                &mut rows,
            );
            found[0]
                .clone()
                .map(|r| r.map(|range| unpack(&rows[range]).unwrap()))
        };
        // Each use starts the time again: 40 ms apart, "used" never expires.
        for ms in [40, 80, 120] {
            assert_eq!(get_at("used", ms), Some(Some(row("used"))), "at {ms} ms");
        }
        // Unused since it was put, "idle" expired at 50 ms and is gone.
        assert_eq!(get_at("idle", 120), None);
        assert_eq!(get_at("used", 170), None, "50 ms after its last use");
        assert!(cached(&c).is_empty());
    }

    #[test]
    fn one_eviction_gives_at_most_64_second_chances() {
        let mut c = cache(100);
        let keys: Vec<String> = (0..100).map(|i| format!("k{i:03}")).collect();
        for k in &keys {
            put(&mut c, k);
        }
        for k in &keys {
            assert!(get(&mut c, k).is_some());
        }
        // Every entry is used: 64 of them move to the front, and the 65th oldest is evicted.
        assert!(put(&mut c, "new"));
        assert_eq!(get(&mut c, "k064"), None);
        assert_eq!(c.entries.len(), 100);
        assert!(get(&mut c, "k063").is_some() && get(&mut c, "k065").is_some());
    }
}
