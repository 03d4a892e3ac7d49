//! Counting attempts in fixed windows, shared by every server process
//! through Redis and, always, kept in this process too, which is what
//! decides when Redis cannot answer. The log-in and sign-up limits are
//! built on it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};

use crate::cache::Cache;

/// How often something happened in its current window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub count: u64,
    /// Seconds until the window ends (at least 1 while it runs).
    pub seconds_left: u64,
}

#[derive(Clone, Default)]
pub struct RateWindows {
    local: Arc<Mutex<HashMap<String, LocalWindow>>>,
}

#[derive(Clone, Copy)]
struct LocalWindow {
    count: u64,
    ends_at: DateTime<Utc>,
}

impl RateWindows {
    /// Counts one more and returns the new count, atomically: of many
    /// concurrent calls, each sees a different count. The higher of the
    /// shared and this process's count wins: a counter Redis lost (a
    /// restart, an eviction) must not reset a limit this process still
    /// remembers.
    pub async fn add(
        &self,
        cache: &Cache,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Count {
        let local = self.add_local(key, window, now);
        let shared = cache.incr_in_window(&cache.key(key), window).await;
        higher(local, shared)
    }

    /// The count so far.
    pub async fn peek(&self, cache: &Cache, key: &str, now: DateTime<Utc>) -> Count {
        let local = self.read_local(key, now);
        let shared = cache.read_window(&cache.key(key)).await;
        higher(local, shared)
    }

    /// Undoes one `add` (an attempt that turned out not to count).
    pub async fn take_back(&self, cache: &Cache, key: &str) {
        if let Ok(mut local) = self.local.lock()
            && let Some(window) = local.get_mut(key)
        {
            window.count = window.count.saturating_sub(1);
        }
        cache.decrement_if_positive(&cache.key(key)).await;
    }

    pub async fn reset(&self, cache: &Cache, key: &str) {
        if let Ok(mut local) = self.local.lock() {
            local.remove(key);
        }
        cache.delete(&cache.key(key)).await;
    }

    fn read_local(&self, key: &str, now: DateTime<Utc>) -> Count {
        let Ok(local) = self.local.lock() else {
            return Count {
                count: 0,
                seconds_left: 0,
            };
        };
        match local.get(key) {
            Some(window) if window.ends_at > now => Count {
                count: window.count,
                seconds_left: seconds_until(window.ends_at, now),
            },
            _ => Count {
                count: 0,
                seconds_left: 0,
            },
        }
    }

    fn add_local(&self, key: &str, window: Duration, now: DateTime<Utc>) -> Count {
        let length = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(15));
        let Ok(mut local) = self.local.lock() else {
            // A poisoned lock means a panic elsewhere; count as over any limit.
            return Count {
                count: u64::MAX,
                seconds_left: 1,
            };
        };
        // Forget finished windows so the map cannot grow without bound.
        local.retain(|_, window| window.ends_at > now);
        let entry = local.entry(key.to_owned()).or_insert(LocalWindow {
            count: 0,
            ends_at: now + length,
        });
        entry.count += 1;
        Count {
            count: entry.count,
            seconds_left: seconds_until(entry.ends_at, now),
        }
    }
}

fn higher(local: Count, shared: Option<(u64, u64)>) -> Count {
    match shared {
        Some((count, seconds_left)) if count >= local.count => Count {
            count,
            seconds_left: seconds_left.max(1),
        },
        _ => local,
    }
}

fn seconds_until(end: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    u64::try_from((end - now).num_seconds()).unwrap_or(0).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_redis_counts_are_kept_here_and_expire() {
        let windows = RateWindows::default();
        let cache = Cache::new(None, "test");
        let start = Utc::now();
        let minute = Duration::from_secs(60);
        for expected in 1..=3 {
            assert_eq!(
                windows.add(&cache, "k", minute, start).await.count,
                expected
            );
        }
        windows.take_back(&cache, "k").await;
        assert_eq!(windows.peek(&cache, "k", start).await.count, 2);
        let later = start + chrono::Duration::seconds(61);
        assert_eq!(windows.peek(&cache, "k", later).await.count, 0);
        assert_eq!(windows.add(&cache, "k", minute, later).await.count, 1);
        windows.reset(&cache, "k").await;
        assert_eq!(windows.peek(&cache, "k", later).await.count, 0);
    }
}
