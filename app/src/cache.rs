//! Redis as a cache, never as the truth. Every operation is bounded by a short
//! timeout and every failure degrades to "not cached": with Redis down, Moa
//! answers from PostgreSQL at full correctness. After a failure the cache stays
//! out of the way for a moment instead of paying a connect timeout per request.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use redis::{AsyncCommands, aio::MultiplexedConnection};
use serde::{Serialize, de::DeserializeOwned};
use tokio::sync::Mutex;

use crate::metrics;

const OPERATION_TIMEOUT: Duration = Duration::from_millis(250);
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

struct Inner {
    client: Option<redis::Client>,
    /// Prefix of every key, so several databases (say, parallel test runs)
    /// can share one Redis without reading each other's entries.
    namespace: String,
    connection: Mutex<Connection>,
}

enum Connection {
    Idle,
    Ready(MultiplexedConnection),
    FailedAt(Instant),
}

/// What `/readyz` reports about Redis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheHealth {
    Up,
    Down,
}

impl Cache {
    /// `client` is `None` when the URL could not even be parsed; the cache then
    /// simply never hits.
    pub fn new(client: Option<redis::Client>, namespace: impl Into<String>) -> Self {
        Cache {
            inner: Arc::new(Inner {
                client,
                namespace: namespace.into(),
                connection: Mutex::new(Connection::Idle),
            }),
        }
    }

    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.inner.namespace)
    }

    /// The value kept under `key`; a miss when there is none, it does not
    /// parse, or Redis cannot answer (counted in `crate::metrics`).
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = self.read_json(key).await;
        if value.is_some() {
            metrics::cache_hit(metrics::Cache::Redis);
        } else {
            metrics::cache_miss(metrics::Cache::Redis);
        }
        value
    }

    async fn read_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let mut connection = self.connection().await?;
        let raw: Option<String> = self.bounded("read", connection.get(key)).await?;
        raw.and_then(|raw| serde_json::from_str(&raw).ok())
    }

    pub async fn set_json<T: Serialize>(&self, key: &str, value: &T, ttl: Duration) {
        let Ok(raw) = serde_json::to_string(value) else {
            return;
        };
        let Some(mut connection) = self.connection().await else {
            return;
        };
        let _: Option<()> = self
            .bounded("write", connection.set_ex(key, raw, ttl.as_secs().max(1)))
            .await;
    }

    /// Like `set_json`, but only if the key holds nothing yet (`SET NX`).
    pub async fn set_json_if_absent<T: Serialize>(&self, key: &str, value: &T, ttl: Duration) {
        let Ok(raw) = serde_json::to_string(value) else {
            return;
        };
        let Some(mut connection) = self.connection().await else {
            return;
        };
        let mut command = redis::cmd("SET");
        command
            .arg(key)
            .arg(raw)
            .arg("NX")
            .arg("EX")
            .arg(ttl.as_secs().max(1));
        let _: Option<Option<String>> = self
            .bounded("write", command.query_async(&mut connection))
            .await;
    }

    /// Adds one to a counter that lives for `window` from its first
    /// increment. Returns the count and the seconds the window has left,
    /// or `None` when Redis cannot answer.
    pub async fn incr_in_window(&self, key: &str, window: Duration) -> Option<(u64, u64)> {
        let mut connection = self.connection().await?;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .incr(key, 1u64)
            .cmd("EXPIRE")
            .arg(key)
            .arg(window.as_secs().max(1))
            .arg("NX")
            .ignore()
            .ttl(key);
        let (count, ttl): (u64, i64) = self
            .bounded("counter", pipe.query_async(&mut connection))
            .await?;
        Some((count, u64::try_from(ttl).unwrap_or(0)))
    }

    /// A window counter's count and remaining seconds ((0, 0) when absent).
    pub async fn read_window(&self, key: &str) -> Option<(u64, u64)> {
        let mut connection = self.connection().await?;
        let mut pipe = redis::pipe();
        pipe.get(key).ttl(key);
        let (count, ttl): (Option<u64>, i64) = self
            .bounded("read", pipe.query_async(&mut connection))
            .await?;
        Some((count.unwrap_or(0), u64::try_from(ttl).unwrap_or(0)))
    }

    /// A counter's value; 0 when it was never set, `None` when Redis is
    /// unreachable.
    pub async fn get_counter(&self, key: &str) -> Option<u64> {
        let mut connection = self.connection().await?;
        let value: Option<u64> = self.bounded("read", connection.get(key)).await?;
        Some(value.unwrap_or(0))
    }

    /// Adds one to a counter that never expires.
    pub async fn bump(&self, key: &str) {
        let Some(mut connection) = self.connection().await else {
            return;
        };
        let _: Option<u64> = self.bounded("write", connection.incr(key, 1u64)).await;
    }

    /// Takes one off a counter, never below zero, keeping its expiry.
    pub async fn decrement_if_positive(&self, key: &str) {
        const SCRIPT: &str = "local v = tonumber(redis.call('GET', KEYS[1])) \
            if v and v > 0 then return redis.call('DECR', KEYS[1]) end return 0";
        let Some(mut connection) = self.connection().await else {
            return;
        };
        let mut command = redis::cmd("EVAL");
        command.arg(SCRIPT).arg(1).arg(key);
        let _: Option<i64> = self
            .bounded("counter", command.query_async(&mut connection))
            .await;
    }

    /// Sets a flag that lives for `ttl`, to the millisecond (`SET key 1
    /// PX ttl`). Whether Redis took it.
    pub async fn mark(&self, key: &str, ttl: Duration) -> bool {
        let Some(mut connection) = self.connection().await else {
            return false;
        };
        let milliseconds = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let set: Option<()> = self
            .bounded("write", connection.pset_ex(key, 1u8, milliseconds))
            .await;
        set.is_some()
    }

    /// Whether a flag set by [`Cache::mark`] still lives; `None` when Redis
    /// cannot answer.
    pub async fn is_marked(&self, key: &str) -> Option<bool> {
        let mut connection = self.connection().await?;
        self.bounded("read", connection.exists(key)).await
    }

    pub async fn delete(&self, key: &str) {
        let Some(mut connection) = self.connection().await else {
            return;
        };
        let _: Option<()> = self.bounded("delete", connection.del(key)).await;
    }

    /// A live round trip, for readiness checks. Inside the back-off after a
    /// failure it answers "down" without trying: readiness probes come often
    /// and from anyone, and must not make every cached read wait for a hung
    /// Redis again. After the back-off the next probe (or read) tries anew.
    pub async fn health(&self) -> CacheHealth {
        let Some(mut connection) = self.connection().await else {
            return CacheHealth::Down;
        };
        let ping: Option<String> = self
            .bounded("ping", redis::cmd("PING").query_async(&mut connection))
            .await;
        if ping.is_some() {
            CacheHealth::Up
        } else {
            CacheHealth::Down
        }
    }

    /// Runs one Redis operation within the timeout; a failure or timeout is
    /// logged, starts the back-off and reads as "no answer".
    async fn bounded<T>(
        &self,
        what: &str,
        operation: impl Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        match tokio::time::timeout(OPERATION_TIMEOUT, operation).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(error)) => {
                self.mark_failed(&format!("{what}: {error}")).await;
                None
            }
            Err(_) => {
                self.mark_failed(&format!("{what} timed out")).await;
                None
            }
        }
    }

    async fn connection(&self) -> Option<MultiplexedConnection> {
        let client = self.inner.client.as_ref()?;
        let mut state = self.inner.connection.lock().await;
        match &*state {
            Connection::Ready(connection) => return Some(connection.clone()),
            Connection::FailedAt(at) if at.elapsed() < RETRY_AFTER_FAILURE => return None,
            Connection::FailedAt(_) | Connection::Idle => {}
        }
        let attempt =
            tokio::time::timeout(OPERATION_TIMEOUT, client.get_multiplexed_async_connection())
                .await;
        match attempt {
            Ok(Ok(connection)) => {
                *state = Connection::Ready(connection.clone());
                Some(connection)
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "redis unavailable; serving without cache");
                *state = Connection::FailedAt(Instant::now());
                None
            }
            Err(_) => {
                tracing::warn!("redis connect timed out; serving without cache");
                *state = Connection::FailedAt(Instant::now());
                None
            }
        }
    }

    async fn mark_failed(&self, reason: &str) {
        tracing::warn!(reason, "redis operation failed; serving without cache");
        *self.inner.connection.lock().await = Connection::FailedAt(Instant::now());
    }
}
