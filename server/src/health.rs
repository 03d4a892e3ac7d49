//! Liveness and readiness. PostgreSQL holds the truth, so without it Moa is
//! not ready (503); Redis is only a cache, so without it Moa is degraded but
//! still serves (200).

use std::time::Duration;

use app::{cache::CacheHealth, state::AppState};
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;

const DATABASE_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The smallest answer the server can give, through the same middleware as
/// every other route: benchmarks measure it beside the real routes, so their
/// figures are also ratios to what the machine can serve at all.
pub async fn hello() -> &'static str {
    "hello"
}

/// The process is up and answering.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Readiness {
    Ok,
    Degraded,
    Unavailable,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DependencyState {
    Up,
    Down,
}

#[derive(Debug, Serialize)]
pub struct ReadinessReport {
    pub status: Readiness,
    pub checks: Checks,
}

#[derive(Debug, Serialize)]
pub struct Checks {
    pub postgres: DependencyState,
    pub redis: DependencyState,
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let (postgres, redis) = tokio::join!(check_postgres(&state), state.cache.health());
    let redis = match redis {
        CacheHealth::Up => DependencyState::Up,
        CacheHealth::Down => DependencyState::Down,
    };
    let (http_status, status) = match (&postgres, &redis) {
        (DependencyState::Down, _) => (StatusCode::SERVICE_UNAVAILABLE, Readiness::Unavailable),
        (DependencyState::Up, DependencyState::Down) => (StatusCode::OK, Readiness::Degraded),
        (DependencyState::Up, DependencyState::Up) => (StatusCode::OK, Readiness::Ok),
    };
    (
        http_status,
        Json(ReadinessReport {
            status,
            checks: Checks { postgres, redis },
        }),
    )
}

async fn check_postgres(state: &AppState) -> DependencyState {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(DATABASE_CHECK_TIMEOUT, probe).await {
        Ok(Ok(_)) => DependencyState::Up,
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: postgres check failed");
            DependencyState::Down
        }
        Err(_) => {
            tracing::warn!("readiness: postgres check timed out");
            DependencyState::Down
        }
    }
}
