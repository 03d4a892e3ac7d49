//! Slowing down password guessing: after 5 failed log-ins for one username,
//! or 20 from one client address, within 15 minutes, further attempts are
//! refused until the window ends. Counted in Redis (shared by every server
//! process) and, always, in this process too, which is what decides when
//! Redis cannot answer.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};

use crate::{
    cache::Cache,
    error::{AppError, ErrorCode},
};

pub const PER_USERNAME: u64 = 5;
pub const PER_CLIENT: u64 = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Clone)]
pub struct LoginThrottle {
    window: Duration,
    local: Arc<Mutex<HashMap<String, LocalWindow>>>,
}

#[derive(Clone, Copy)]
struct LocalWindow {
    failures: u64,
    ends_at: DateTime<Utc>,
}

/// What is being counted: the username (any case) and the client address.
fn keys(username: &str, client: Option<IpAddr>) -> Vec<(String, u64)> {
    let mut keys = vec![(
        format!("login:user:{}", username.trim().to_lowercase()),
        PER_USERNAME,
    )];
    if let Some(client) = client {
        keys.push((format!("login:client:{client}"), PER_CLIENT));
    }
    keys
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(WINDOW)
    }
}

impl LoginThrottle {
    pub fn new(window: Duration) -> Self {
        LoginThrottle {
            window,
            local: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Refuses the attempt if any of its counters is full.
    pub async fn check(
        &self,
        cache: &Cache,
        username: &str,
        client: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        for (key, limit) in keys(username, client) {
            let counted = match cache.read_window(&cache.key(&key)).await {
                Some(shared) => shared,
                None => self.read_local(&key, now),
            };
            let (failures, seconds_left) = counted;
            if failures >= limit {
                return Err(too_many(seconds_left.max(1)));
            }
        }
        Ok(())
    }

    pub async fn record_failure(
        &self,
        cache: &Cache,
        username: &str,
        client: Option<IpAddr>,
        now: DateTime<Utc>,
    ) {
        for (key, _) in keys(username, client) {
            self.bump_local(&key, now);
            cache.incr_in_window(&cache.key(&key), self.window).await;
        }
    }

    /// A successful log-in clears the username's count (not the client's:
    /// one right password must not reset a guessing spree across accounts).
    pub async fn record_success(&self, cache: &Cache, username: &str) {
        let key = format!("login:user:{}", username.trim().to_lowercase());
        if let Ok(mut local) = self.local.lock() {
            local.remove(&key);
        }
        cache.delete(&cache.key(&key)).await;
    }

    fn read_local(&self, key: &str, now: DateTime<Utc>) -> (u64, u64) {
        let Ok(local) = self.local.lock() else {
            return (0, 0);
        };
        match local.get(key) {
            Some(window) if window.ends_at > now => {
                let left = (window.ends_at - now).num_seconds();
                (window.failures, u64::try_from(left).unwrap_or(0))
            }
            _ => (0, 0),
        }
    }

    fn bump_local(&self, key: &str, now: DateTime<Utc>) {
        let Ok(mut local) = self.local.lock() else {
            return;
        };
        // Forget finished windows so the map cannot grow without bound.
        local.retain(|_, window| window.ends_at > now);
        let window_length =
            chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::minutes(15));
        let entry = local.entry(key.to_owned()).or_insert(LocalWindow {
            failures: 0,
            ends_at: now + window_length,
        });
        entry.failures += 1;
    }
}

fn too_many(retry_after: u64) -> AppError {
    AppError {
        retry_after: Some(retry_after),
        ..AppError::new(
            ErrorCode::TooManyAttempts,
            "Too many failed log-ins. Wait a few minutes, then try again.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline_cache() -> Cache {
        Cache::new(None, "test")
    }

    #[tokio::test]
    async fn without_redis_the_limit_holds_and_then_expires() {
        let throttle = LoginThrottle::default();
        let cache = offline_cache();
        let start = Utc::now();
        for _ in 0..PER_USERNAME {
            assert!(throttle.check(&cache, "Kim", None, start).await.is_ok());
            throttle.record_failure(&cache, "kim", None, start).await;
        }
        let refused = throttle.check(&cache, "KIM", None, start).await;
        let error = refused.err().unwrap_or_else(AppError::internal);
        assert_eq!(error.code, ErrorCode::TooManyAttempts);
        assert_eq!(error.retry_after, Some(15 * 60));
        // Another username is unaffected; the window ends on time.
        assert!(throttle.check(&cache, "lee", None, start).await.is_ok());
        let later = start + chrono::Duration::minutes(15) + chrono::Duration::seconds(1);
        assert!(throttle.check(&cache, "kim", None, later).await.is_ok());
    }

    #[tokio::test]
    async fn one_client_is_limited_across_usernames() {
        let throttle = LoginThrottle::default();
        let cache = offline_cache();
        let client: Option<IpAddr> = "203.0.113.7".parse().ok();
        let now = Utc::now();
        for n in 0..PER_CLIENT {
            throttle
                .record_failure(&cache, &format!("user{n}"), client, now)
                .await;
        }
        assert!(
            throttle
                .check(&cache, "fresh_name", client, now)
                .await
                .is_err()
        );
        assert!(
            throttle
                .check(&cache, "fresh_name", "203.0.113.8".parse().ok(), now)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn success_clears_the_username_count() {
        let throttle = LoginThrottle::default();
        let cache = offline_cache();
        let now = Utc::now();
        for _ in 0..PER_USERNAME {
            throttle.record_failure(&cache, "park", None, now).await;
        }
        throttle.record_success(&cache, "park").await;
        assert!(throttle.check(&cache, "park", None, now).await.is_ok());
    }
}
