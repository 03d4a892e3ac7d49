//! Public reads from a PostgreSQL streaming replica (`DATABASE_READ_URL`).
//!
//! The list, search and a project's page are what Moa serves most, and they
//! may be a moment old: a visitor who has not just written reads them from
//! the replica while it keeps up. Everything else goes to the primary:
//! every write, every read of one's own things, and public reads by an
//! account that wrote within [`ReadReplica::read_your_writes`], so a backer
//! sees their backing at once. Public reads leave the replica too while it
//! is more than `max_lag` behind the primary, cannot be reached, or fails a
//! read (which then runs again on the primary): a stopped replica costs
//! speed, never an answer.

use std::{
    collections::VecDeque,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use http::HeaderMap;
use sqlx::PgPool;

use crate::{
    metrics::{self, ReadSource},
    service::session,
    state::AppState,
};

/// How often the replica's position is compared with the primary's.
pub const WATCH_EVERY: Duration = Duration::from_millis(500);

/// A replica and whether public reads may use it right now.
#[derive(Clone)]
pub struct ReadReplica {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    max_lag: Duration,
    /// Off until the first check finds the replica within `max_lag`.
    usable: AtomicBool,
}

impl ReadReplica {
    pub fn new(pool: PgPool, max_lag: Duration) -> Self {
        ReadReplica {
            inner: Arc::new(Inner {
                pool,
                max_lag,
                usable: AtomicBool::new(false),
            }),
        }
    }

    pub fn is_usable(&self) -> bool {
        self.inner.usable.load(Ordering::Acquire)
    }

    /// How long an account's public reads stay on the primary after it
    /// wrote. While the replica is in use it is at most `max_lag` behind as
    /// of the last check; twice that, plus two checks, leaves room for a
    /// check that comes late.
    pub fn read_your_writes(&self) -> Duration {
        self.inner.max_lag * 2 + WATCH_EVERY * 2
    }

    fn set_usable(&self, usable: bool, why: &str) {
        let was = self.inner.usable.swap(usable, Ordering::AcqRel);
        if was != usable {
            if usable {
                tracing::info!("public reads go to the read replica again");
            } else {
                tracing::warn!(why, "public reads leave the read replica for the primary");
            }
        }
    }
}

/// Whose public read it is, as far as the replica is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// Anyone who has not just written: the replica (or a cached copy) will do.
    Anyone,
    /// An account that wrote moments ago, or one Moa cannot tell about
    /// (Redis unreachable): the primary, past every cache.
    JustWrote,
}

impl Reader {
    /// Whether a cached copy, possibly taken from a replica that had not
    /// yet caught up, may answer this reader.
    pub fn may_read_cached(self) -> bool {
        self == Reader::Anyone
    }
}

fn wrote_key(state: &AppState, account_id: i64) -> String {
    state.cache.key(&format!("replica:wrote:{account_id}"))
}

/// Who is reading, from the request's session token (cookie or bearer).
/// Without a replica this is always `Anyone`: the primary serves everyone,
/// and nothing is asked of Redis.
pub async fn reader(state: &AppState, headers: &HeaderMap) -> Reader {
    if state.replica.is_none() {
        return Reader::Anyone;
    }
    let Some(token) = session::bearer_token(headers).or_else(|| session::cookie_token(headers))
    else {
        return Reader::Anyone;
    };
    let Ok(claims) = state.tokens.verify(token, state.clock.now()) else {
        return Reader::Anyone;
    };
    match state
        .cache
        .is_marked(&wrote_key(state, claims.account_id))
        .await
    {
        Some(false) => Reader::Anyone,
        Some(true) | None => Reader::JustWrote,
    }
}

/// Remembers that `account_id` just wrote, so its next public reads come
/// from the primary. Called after the write committed, before its answer.
pub async fn note_write(state: &AppState, account_id: i64) {
    if let Some(replica) = &state.replica {
        state
            .cache
            .mark(&wrote_key(state, account_id), replica.read_your_writes())
            .await;
    }
}

/// Runs a public read on the replica when `reader` may use it and it is
/// usable; on the primary otherwise, or when the replica fails it.
/// `read` must only read: it may run twice.
pub async fn public_read<T, F, Fut>(
    state: &AppState,
    reader: Reader,
    read: F,
) -> Result<T, sqlx::Error>
where
    F: Fn(PgPool) -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    if reader == Reader::Anyone
        && let Some(replica) = state.replica.as_ref().filter(|replica| replica.is_usable())
    {
        match read(replica.inner.pool.clone()).await {
            Ok(answer) => {
                metrics::public_read(ReadSource::Replica);
                return Ok(answer);
            }
            Err(error) => {
                tracing::warn!(%error, "a read on the replica failed; reading from the primary");
                replica.set_usable(false, "a read failed");
            }
        }
    }
    metrics::public_read(ReadSource::Primary);
    read(state.db.clone()).await
}

/// The primary's WAL positions over the last `max_lag`: a replica that has
/// replayed at least as far as the primary had written `max_lag` ago is at
/// most `max_lag` behind.
#[derive(Debug)]
pub struct LagWindow {
    max_lag: Duration,
    /// (when, the primary's WAL position then), oldest first.
    samples: VecDeque<(Instant, i64)>,
}

impl LagWindow {
    pub fn new(max_lag: Duration) -> Self {
        LagWindow {
            max_lag,
            samples: VecDeque::new(),
        }
    }

    /// Records the primary's position at `now`, and forgets positions that
    /// a newer one at least `max_lag` old has replaced.
    pub fn primary_at(&mut self, now: Instant, position: i64) {
        self.samples.push_back((now, position));
        while self
            .samples
            .get(1)
            .is_some_and(|(when, _)| now.saturating_duration_since(*when) >= self.max_lag)
        {
            self.samples.pop_front();
        }
    }

    /// Whether a replica that has replayed up to `replayed` is at most
    /// `max_lag` behind. Before `max_lag` has passed it is held to the
    /// oldest position seen, which is stricter. Never, before any sample.
    pub fn keeps_up(&self, replayed: i64) -> bool {
        self.samples
            .front()
            .is_some_and(|(_, position)| replayed >= *position)
    }
}

/// Compares the replica's position with the primary's every
/// [`WATCH_EVERY`], and lets public reads use the replica only while it is
/// a replica (in recovery) keeping up within `max_lag`. Runs for as long as
/// the process; returns at once without a replica.
pub async fn watch(state: AppState) {
    let Some(replica) = state.replica.clone() else {
        return;
    };
    let mut window = LagWindow::new(replica.inner.max_lag);
    let mut ticks = tokio::time::interval(WATCH_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // Without the primary's position the lag is unknown; nothing can be
        // written meanwhile either, so the replica keeps its standing.
        let Ok(position) =
            sqlx::query_scalar::<_, i64>("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
                .fetch_one(&state.db)
                .await
        else {
            continue;
        };
        window.primary_at(Instant::now(), position);
        let replica_state = sqlx::query_as::<_, (bool, Option<i64>)>(
            "SELECT pg_is_in_recovery(), (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint",
        )
        .fetch_one(&replica.inner.pool)
        .await;
        match replica_state {
            Ok((true, Some(replayed))) if window.keeps_up(replayed) => {
                replica.set_usable(true, "");
            }
            Ok((true, Some(_))) => replica.set_usable(false, "it is too far behind"),
            Ok(_) => replica.set_usable(false, "it is not a streaming replica"),
            Err(_) => replica.set_usable(false, "it cannot be reached"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAG: Duration = Duration::from_secs(5);

    #[test]
    fn nothing_keeps_up_before_the_primary_was_seen() {
        assert!(!LagWindow::new(LAG).keeps_up(i64::MAX));
    }

    #[test]
    fn an_idle_primary_is_kept_up_with_by_a_replica_at_its_position() {
        let start = Instant::now();
        let mut window = LagWindow::new(LAG);
        for second in 0..20 {
            window.primary_at(start + Duration::from_secs(second), 1_000);
        }
        assert!(window.keeps_up(1_000));
        assert!(!window.keeps_up(999));
    }

    #[test]
    fn a_replica_may_trail_a_busy_primary_by_up_to_the_lag() {
        let start = Instant::now();
        let mut window = LagWindow::new(LAG);
        // The primary writes 100 bytes of WAL a second.
        for second in 0..=20 {
            window.primary_at(start + Duration::from_secs(second), second as i64 * 100);
        }
        // At second 20: 5 s behind is position 1,500.
        assert!(window.keeps_up(2_000));
        assert!(window.keeps_up(1_500));
        assert!(!window.keeps_up(1_499));
        assert!(!window.keeps_up(0));
    }

    #[test]
    fn before_the_lag_has_passed_the_oldest_position_is_the_bar() {
        let start = Instant::now();
        let mut window = LagWindow::new(LAG);
        window.primary_at(start, 100);
        window.primary_at(start + Duration::from_secs(1), 200);
        assert!(window.keeps_up(100));
        assert!(!window.keeps_up(99));
    }

    #[test]
    fn only_what_answers_the_lag_is_kept() {
        let start = Instant::now();
        let mut window = LagWindow::new(LAG);
        for tick in 0..10_000 {
            window.primary_at(start + Duration::from_millis(tick * 500), tick as i64);
        }
        assert!(window.samples.len() <= 12, "{}", window.samples.len());
    }
}
