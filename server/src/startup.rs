//! Turning configuration into running parts, each step failing with a cause
//! a person can act on.

use std::time::Duration;

use app::{
    cache::Cache,
    clock::Clock,
    service::{
        auth::TokenKeys, client_address::TrustedProxies, login_throttle::LoginThrottle,
        replica::ReadReplica, sign_up_limit::SignUpLimit,
    },
    state::AppState,
};
use leptos::config::{Env, LeptosOptions};
use sqlx::{
    Connection, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REPLICA_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot connect to PostgreSQL at {url}: {source}")]
    Database { url: String, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot load demo data: {0}")]
    DemoData(sqlx::Error),
    #[error("cannot hash the demo password: {0}")]
    DemoPassword(app::error::AppError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("cannot check the ledger: {0}")]
    LedgerCheck(sqlx::Error),
    #[error("the ledger does not hold: {0} broken invariant(s), listed above")]
    LedgerBroken(usize),
    #[error("settlement failed: {0}")]
    Settlement(String),
}

pub async fn connect_database(config: &Config) -> Result<PgPool, StartupError> {
    let failed = |source| StartupError::Database {
        url: config.redacted_database_url(),
        source,
    };
    // One direct connection first: a pool only reports "timed out", while a
    // single attempt names the cause (refused, unknown database, auth).
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(&config.database_url))
        .await
        .map_err(|_| failed(sqlx::Error::PoolTimedOut))?
        .map_err(failed)?;
    let _ = probe.close().await;
    // Every pooled connection carries time limits: a runaway statement, or
    // a transaction left open by a stuck request, cannot hold a connection
    // (and its row locks) for ever.
    let limit = config.db_statement_timeout.as_millis().to_string();
    let options = config
        .database_url
        .parse::<PgConnectOptions>()
        .map_err(failed)?
        .options([
            ("statement_timeout", limit.as_str()),
            ("idle_in_transaction_session_timeout", limit.as_str()),
        ]);
    PgPoolOptions::new()
        .max_connections(config.db_pool_size)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(failed)
}

/// Forward-only migrations from `migrations/`, compiled into the binary.
pub async fn migrate(pool: &PgPool) -> Result<(), StartupError> {
    sqlx::migrate!("../migrations").run(pool).await?;
    Ok(())
}

/// The read replica's pool, when `DATABASE_READ_URL` names one. Lazy: a
/// replica that is down at start-up does not stop Moa, whose public reads
/// stay on the primary until `replica::watch` finds the replica keeping up.
fn read_replica(config: &Config) -> Option<ReadReplica> {
    let url = config.database_read_url.as_deref()?;
    let limit = config.db_statement_timeout.as_millis().to_string();
    let options = url
        .parse::<PgConnectOptions>()
        .inspect_err(|error| {
            tracing::error!(%error, url = config.redacted_database_read_url(), "DATABASE_READ_URL does not parse; reading from the primary only");
        })
        .ok()?
        .options([("statement_timeout", limit.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(config.db_pool_size)
        // A replica that does not answer is left for the primary quickly.
        .acquire_timeout(REPLICA_ACQUIRE_TIMEOUT)
        .connect_lazy_with(options);
    Some(ReadReplica::new(pool, config.read_replica_max_lag))
}

pub fn build_state(config: &Config, db: PgPool, clock: Clock) -> AppState {
    let redis_client = redis::Client::open(config.redis_url.as_str())
        .inspect_err(|error| tracing::warn!(%error, "invalid REDIS_URL; running without cache"))
        .ok();
    let cache = Cache::new(redis_client, format!("moa:{}", config.database_name()));
    AppState {
        db,
        replica: read_replica(config),
        cache,
        clock,
        timezone: config.timezone,
        tokens: TokenKeys::new(config.jwt_secret.as_bytes()),
        login_throttle: LoginThrottle::default(),
        sign_up_limit: SignUpLimit::new(config.sign_ups_per_hour),
        trusted_proxies: TrustedProxies::new(config.trusted_proxies.clone()),
        public_origin: config
            .public_origin
            .as_ref()
            .map(|origin| origin.as_str().to_owned()),
        secure_cookies: config
            .public_origin
            .as_ref()
            .is_some_and(crate::config::PublicOrigin::is_https),
        leptos_options: leptos_options(config),
        live: app::live::LiveFigures::default(),
    }
}

/// Where the compiled site lives and how it is served. cargo-leptos sets the
/// `LEPTOS_*` variables when it runs the server; the defaults match
/// `[[workspace.metadata.leptos]]` in Cargo.toml for running the binary directly.
fn leptos_options(config: &Config) -> LeptosOptions {
    let var = |key: &str, default: &str| std::env::var(key).unwrap_or_else(|_| default.to_owned());
    let env = match var("LEPTOS_ENV", "PROD").to_ascii_uppercase().as_str() {
        "DEV" | "DEVELOPMENT" => Env::DEV,
        _ => Env::PROD,
    };
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "moa"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(config.addr)
        .env(env)
        .hash_files(hash_files(&var))
        .build()
}

/// Whether the built files carry content hashes in their names. The release
/// build (`hash-files = true`) writes their hashes to `hash.txt` beside the
/// server binary; `LEPTOS_HASH_FILES` overrides.
fn hash_files(var: &dyn Fn(&str, &str) -> String) -> bool {
    match var("LEPTOS_HASH_FILES", "").as_str() {
        "true" => true,
        "false" => false,
        _ => std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|folder| folder.join("hash.txt")))
            .is_some_and(|file| file.is_file()),
    }
}
