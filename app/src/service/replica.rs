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
//!
//! The replica is trusted only for a moment at a time: each check that
//! finds it keeping up (the same cluster and database as the primary, in
//! recovery, within `max_lag`) lets it serve until shortly after the next
//! check is due. A check that hangs or fails, or a watch that stops, lets
//! that run out.

use std::{
    collections::VecDeque,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use http::HeaderMap;
use sqlx::PgPool;

use crate::{
    metrics::{self, ReadSource},
    service::{posts::LIST_CACHE_TTL, session},
    state::AppState,
};

/// How often the replica's position is compared with the primary's.
pub const WATCH_EVERY: Duration = Duration::from_millis(500);

/// How long one check may take, and how long past the next check's time
/// a check that found the replica keeping up lets it serve.
const CHECK_LIMIT: Duration = Duration::from_millis(1000);

/// The longest a public read may take on the replica before it is taken
/// as hung and run on the primary.
const READ_LIMIT: Duration = Duration::from_secs(2);

/// A replica and whether public reads may use it right now.
#[derive(Clone)]
pub struct ReadReplica {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    max_lag: Duration,
    /// When this replica was made; the two deadlines below count from it.
    born: Instant,
    /// Milliseconds after `born` until which public reads may use the
    /// replica (0: not until a check finds it keeping up).
    usable_until: AtomicU64,
    /// Milliseconds after `born` until which every signed-in reader reads
    /// from the primary: a write could not be noted in Redis.
    distrust_until: AtomicU64,
}

impl ReadReplica {
    pub fn new(pool: PgPool, max_lag: Duration) -> Self {
        ReadReplica {
            inner: Arc::new(Inner {
                pool,
                max_lag,
                born: Instant::now(),
                usable_until: AtomicU64::new(0),
                distrust_until: AtomicU64::new(0),
            }),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.inner.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn later(&self, from: Instant, by: Duration) -> u64 {
        let at = from.saturating_duration_since(self.inner.born) + by;
        u64::try_from(at.as_millis()).unwrap_or(u64::MAX)
    }

    pub fn is_usable(&self) -> bool {
        self.now() < self.inner.usable_until.load(Ordering::Acquire)
    }

    /// How long an account's public reads stay on the primary after it
    /// wrote. While in use the replica is at most `max_lag` (and a check's
    /// spacing) behind; a list cached from it under the new generation
    /// lives [`LIST_CACHE_TTL`] more.
    pub fn read_your_writes(&self) -> Duration {
        self.inner.max_lag * 2 + WATCH_EVERY * 2 + CHECK_LIMIT + LIST_CACHE_TTL
    }

    /// A check that began at `checked_at` found the replica keeping up.
    fn trust(&self, checked_at: Instant) {
        let was = self.is_usable();
        self.inner.usable_until.store(
            self.later(checked_at, WATCH_EVERY + CHECK_LIMIT),
            Ordering::Release,
        );
        if !was {
            tracing::info!("public reads go to the read replica");
        }
    }

    fn distrust(&self, why: &str) {
        if self.is_usable() {
            tracing::warn!(why, "public reads leave the read replica for the primary");
        }
        self.inner.usable_until.store(0, Ordering::Release);
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
    let Some(replica) = &state.replica else {
        return Reader::Anyone;
    };
    let Some(token) = session::presented_token(headers) else {
        return Reader::Anyone;
    };
    let Ok(claims) = state.tokens.verify(token, state.clock.now()) else {
        return Reader::Anyone;
    };
    if replica.now() < replica.inner.distrust_until.load(Ordering::Acquire) {
        return Reader::JustWrote;
    }
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
/// If Redis does not take the note, every signed-in reader of this process
/// reads from the primary for the window instead.
pub async fn note_write(state: &AppState, account_id: i64) {
    let Some(replica) = &state.replica else {
        return;
    };
    let window = replica.read_your_writes();
    if !state
        .cache
        .mark(&wrote_key(state, account_id), window)
        .await
    {
        tracing::warn!(
            account_id,
            "a write could not be noted in Redis; signed-in reads go to the primary for a while"
        );
        replica
            .inner
            .distrust_until
            .fetch_max(replica.later(Instant::now(), window), Ordering::AcqRel);
    }
}

/// What a failed read on the replica says about it.
#[derive(Debug, PartialEq, Eq)]
enum ReplicaFailure {
    /// It cannot be reached or has gone away: leave it until a check
    /// finds it again, and read from the primary.
    Gone,
    /// It is busy (no connection free in time) or cancelled the read
    /// (a conflict with recovery): read from the primary this time.
    Busy,
    /// The read itself ran too long (`statement_timeout`): the primary
    /// would not do better, so the error stands.
    TooSlow,
}

fn classify(error: &sqlx::Error) -> ReplicaFailure {
    match error {
        sqlx::Error::PoolTimedOut => ReplicaFailure::Busy,
        sqlx::Error::Database(database) => match database.code().as_deref() {
            Some("57014") => ReplicaFailure::TooSlow,
            Some(code) if code.starts_with("08") || code.starts_with("57P") => ReplicaFailure::Gone,
            _ => ReplicaFailure::Busy,
        },
        _ => ReplicaFailure::Gone,
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
        match tokio::time::timeout(READ_LIMIT, read(replica.inner.pool.clone())).await {
            Ok(Ok(answer)) => {
                metrics::public_read(ReadSource::Replica);
                return Ok(answer);
            }
            Ok(Err(error)) => match classify(&error) {
                ReplicaFailure::TooSlow => return Err(error),
                ReplicaFailure::Busy => {
                    tracing::warn!(%error, "the replica could not take this read; reading from the primary");
                }
                ReplicaFailure::Gone => {
                    tracing::warn!(%error, "a read on the replica failed; reading from the primary");
                    replica.distrust("a read failed");
                }
            },
            Err(_) => replica.distrust("a read hung"),
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
        let checked_at = Instant::now();
        match tokio::time::timeout(CHECK_LIMIT, check(&state.db, &replica.inner.pool)).await {
            Ok(Ok(Positions {
                primary,
                replica: standby,
            })) => {
                window.primary_at(checked_at, primary.position);
                if standby.cluster != primary.cluster || standby.database != primary.database {
                    replica.distrust("it is not a replica of DATABASE_URL's database");
                } else if !standby.in_recovery {
                    replica.distrust("it is not a streaming replica (promoted?)");
                } else if !window.keeps_up(standby.position) {
                    replica.distrust("it is too far behind");
                } else {
                    replica.trust(checked_at);
                }
            }
            Ok(Err(error)) => replica.distrust(&format!("a check failed: {error}")),
            Err(_) => replica.distrust("a check hung"),
        }
    }
}

/// Where a server stands: its cluster, database, WAL position and whether
/// it is replaying (a standby).
#[derive(sqlx::FromRow)]
struct Standing {
    cluster: i64,
    database: String,
    in_recovery: bool,
    /// Written (primary) or replayed (standby), in bytes from the start.
    position: i64,
}

struct Positions {
    primary: Standing,
    replica: Standing,
}

const STANDING: &str = "SELECT (SELECT system_identifier FROM pg_control_system()) AS cluster, \
     current_database()::text AS database, pg_is_in_recovery() AS in_recovery, \
     (CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_replay_lsn(), '0/0') \
      ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::bigint AS position";

/// The primary first, then the replica: a replica at least as far as the
/// primary was a moment ago is at least that current.
async fn check(primary: &PgPool, replica: &PgPool) -> Result<Positions, sqlx::Error> {
    let primary = sqlx::query_as::<_, Standing>(STANDING)
        .fetch_one(primary)
        .await?;
    let replica = sqlx::query_as::<_, Standing>(STANDING)
        .fetch_one(replica)
        .await?;
    Ok(Positions { primary, replica })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAG: Duration = Duration::from_secs(5);

    #[test]
    fn a_busy_replica_is_kept_and_a_gone_one_left() {
        assert_eq!(classify(&sqlx::Error::PoolTimedOut), ReplicaFailure::Busy);
        assert_eq!(
            classify(&sqlx::Error::Io(
                std::io::ErrorKind::ConnectionRefused.into()
            )),
            ReplicaFailure::Gone
        );
        assert_eq!(classify(&sqlx::Error::PoolClosed), ReplicaFailure::Gone);
    }

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
