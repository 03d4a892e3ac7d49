//! Counters of what the app did, for `server` to expose on its metrics
//! listener. Plain static atomics: counting is one relaxed add, there is
//! nothing to set up, and code under test needs no handle. They count for
//! the whole process (every `AppState` in it).

use std::sync::atomic::{AtomicU64, Ordering};

/// The caches whose hits and misses are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cache {
    /// Rendered public pages kept in the server process (`server::page_cache`).
    Page,
    /// JSON kept in Redis (`crate::cache`): project lists, sessions.
    Redis,
}

impl Cache {
    pub const ALL: [Cache; 2] = [Cache::Page, Cache::Redis];

    /// The `cache` label.
    pub fn label(self) -> &'static str {
        match self {
            Cache::Page => "page",
            Cache::Redis => "redis",
        }
    }

    fn index(self) -> usize {
        match self {
            Cache::Page => 0,
            Cache::Redis => 1,
        }
    }
}

/// How a project's settlement ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettlementOutcome {
    /// Funded: the escrow went to the publisher.
    Success,
    /// Not funded: every backer was refunded.
    Cancel,
    /// Nothing moved; the next pass tries again.
    Failed,
}

impl SettlementOutcome {
    pub const ALL: [SettlementOutcome; 3] = [
        SettlementOutcome::Success,
        SettlementOutcome::Cancel,
        SettlementOutcome::Failed,
    ];

    /// The `outcome` label.
    pub fn label(self) -> &'static str {
        match self {
            SettlementOutcome::Success => "success",
            SettlementOutcome::Cancel => "cancel",
            SettlementOutcome::Failed => "failed",
        }
    }

    fn index(self) -> usize {
        match self {
            SettlementOutcome::Success => 0,
            SettlementOutcome::Cancel => 1,
            SettlementOutcome::Failed => 2,
        }
    }
}

/// Where a public read (list, search, a project's page) was answered from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadSource {
    Primary,
    /// The streaming replica of `DATABASE_READ_URL`.
    Replica,
}

impl ReadSource {
    pub const ALL: [ReadSource; 2] = [ReadSource::Primary, ReadSource::Replica];

    /// The `database` label.
    pub fn label(self) -> &'static str {
        match self {
            ReadSource::Primary => "primary",
            ReadSource::Replica => "replica",
        }
    }

    fn index(self) -> usize {
        match self {
            ReadSource::Primary => 0,
            ReadSource::Replica => 1,
        }
    }
}

static CACHE_HITS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static CACHE_MISSES: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
/// How an owner ended their project (`moa_owner_endings_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerEnding {
    /// Called off while funding: every backer refunded.
    Cancel,
    /// Closed after it succeeded.
    Close,
}

impl OwnerEnding {
    pub const ALL: [OwnerEnding; 2] = [OwnerEnding::Cancel, OwnerEnding::Close];

    /// The `to` label.
    pub fn label(self) -> &'static str {
        match self {
            OwnerEnding::Cancel => "cancel",
            OwnerEnding::Close => "close",
        }
    }

    fn index(self) -> usize {
        match self {
            OwnerEnding::Cancel => 0,
            OwnerEnding::Close => 1,
        }
    }
}

static OWNER_ENDINGS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static PUBLIC_READS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static BACKINGS: AtomicU64 = AtomicU64::new(0);
static SETTLEMENTS: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

pub fn cache_hit(cache: Cache) {
    CACHE_HITS[cache.index()].fetch_add(1, Ordering::Relaxed);
}

pub fn cache_miss(cache: Cache) {
    CACHE_MISSES[cache.index()].fetch_add(1, Ordering::Relaxed);
}

/// An owner ended their project.
pub fn ended_by_owner(ending: OwnerEnding) {
    OWNER_ENDINGS[ending.index()].fetch_add(1, Ordering::Relaxed);
}

pub fn owner_endings(ending: OwnerEnding) -> u64 {
    OWNER_ENDINGS[ending.index()].load(Ordering::Relaxed)
}

/// A public read went to the database (a cache did not answer it).
pub fn public_read(source: ReadSource) {
    PUBLIC_READS[source.index()].fetch_add(1, Ordering::Relaxed);
}

pub fn public_reads(source: ReadSource) -> u64 {
    PUBLIC_READS[source.index()].load(Ordering::Relaxed)
}

/// A backing committed (not an idempotent replay of an earlier one).
pub fn backing_made() {
    BACKINGS.fetch_add(1, Ordering::Relaxed);
}

/// A settlement pass finished one project.
pub fn settled(outcome: SettlementOutcome) {
    SETTLEMENTS[outcome.index()].fetch_add(1, Ordering::Relaxed);
}

pub fn cache_hits(cache: Cache) -> u64 {
    CACHE_HITS[cache.index()].load(Ordering::Relaxed)
}

pub fn cache_misses(cache: Cache) -> u64 {
    CACHE_MISSES[cache.index()].load(Ordering::Relaxed)
}

pub fn backings() -> u64 {
    BACKINGS.load(Ordering::Relaxed)
}

pub fn settlements(outcome: SettlementOutcome) -> u64 {
    SETTLEMENTS[outcome.index()].load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_only_move_up_and_apart() {
        let (page, redis) = (cache_hits(Cache::Page), cache_hits(Cache::Redis));
        cache_hit(Cache::Page);
        assert!(cache_hits(Cache::Page) > page);
        assert!(cache_hits(Cache::Redis) >= redis);
        let failed = settlements(SettlementOutcome::Failed);
        settled(SettlementOutcome::Failed);
        assert!(settlements(SettlementOutcome::Failed) > failed);
    }

    #[test]
    fn labels_are_distinct() {
        let caches: Vec<_> = Cache::ALL.iter().map(|cache| cache.label()).collect();
        assert_eq!(caches, ["page", "redis"]);
        let outcomes: Vec<_> = SettlementOutcome::ALL.iter().map(|o| o.label()).collect();
        assert_eq!(outcomes, ["success", "cancel", "failed"]);
    }
}
