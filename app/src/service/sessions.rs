//! Server-side sessions. A token (bearer or cookie) carries a session id;
//! every authenticated request checks that the session is still live and
//! reads the account's current role, so logging out ends a session at once
//! and a changed account is seen on the next request.
//!
//! PostgreSQL holds the truth. Redis keeps each session's answer for a
//! minute (a live session with its role, or "ended" until the token would
//! have expired anyway); ending a session overwrites its entry after the
//! commit, and a "live" entry is only ever written where there is none, so
//! a request that read the session just before the log-out committed
//! cannot put it back. If Redis cannot be written at the moment of the
//! log-out, a stale "live" entry can outlast it by at most `LIVE_FOR`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::{
    domain::Role,
    error::AppError,
    model::Account,
    service::{
        auth::{Session, TOKEN_LIFETIME_SECONDS, TokenClaims, new_session_id},
        session as cookies,
    },
    state::AppState,
};

const LIVE_FOR: Duration = Duration::from_secs(60);
const ENDED_FOR: Duration = Duration::from_secs(TOKEN_LIFETIME_SECONDS.unsigned_abs());

#[derive(Serialize, Deserialize)]
enum Cached {
    Live { account_id: i64, role: Role },
    Ended,
}

fn cache_key(state: &AppState, session_id: &str) -> String {
    state.cache.key(&format!("session:{session_id}"))
}

/// Starts a session for the account and returns its token.
pub async fn start(state: &AppState, account: &Account) -> Result<String, AppError> {
    let now = state.clock.now();
    let claims = TokenClaims {
        account_id: account.id,
        session_id: new_session_id(),
    };
    // Ended sessions of this account are of no further use.
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND expires_at < $2")
        .bind(account.id)
        .bind(now)
        .execute(&state.db)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (id, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&claims.session_id)
    .bind(account.id)
    .bind(now)
    .bind(now + chrono::Duration::seconds(TOKEN_LIFETIME_SECONDS))
    .execute(&state.db)
    .await?;
    state.tokens.issue(&claims, now)
}

/// The live session a token names: 401 `UNAUTHENTICATED` for a bad token,
/// an ended or expired session, or a deleted account.
pub async fn resolve(state: &AppState, token: &str) -> Result<Session, AppError> {
    let now = state.clock.now();
    let claims = state.tokens.verify(token, now)?;
    let key = cache_key(state, &claims.session_id);
    let cached = state.cache.get_json::<Cached>(&key).await;
    let (account_id, role) = match cached {
        Some(Cached::Live { account_id, role }) => (account_id, role),
        Some(Cached::Ended) => return Err(AppError::unauthenticated()),
        None => match load(state, &claims.session_id, now).await? {
            Some(live) => {
                // Only if nothing is there: a log-out that committed after
                // the read above has written "ended", which must win.
                state
                    .cache
                    .set_json_if_absent(
                        &key,
                        &Cached::Live {
                            account_id: live.0,
                            role: live.1,
                        },
                        LIVE_FOR,
                    )
                    .await;
                live
            }
            None => {
                state.cache.set_json(&key, &Cached::Ended, ENDED_FOR).await;
                return Err(AppError::unauthenticated());
            }
        },
    };
    if account_id != claims.account_id {
        return Err(AppError::unauthenticated());
    }
    Ok(Session {
        account_id,
        role,
        session_id: claims.session_id,
    })
}

async fn load(
    state: &AppState,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<(i64, Role)>, AppError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT a.id, a.role FROM sessions s JOIN accounts a ON a.id = s.account_id \
          WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
    )
    .bind(session_id)
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    row.map(|(id, role)| {
        Role::parse(&role).map(|role| (id, role)).ok_or_else(|| {
            tracing::error!(account_id = id, role, "corrupt role in database");
            AppError::internal()
        })
    })
    .transpose()
}

/// The session of a request's bearer token (API clients) or cookie
/// (browsers), if it is live.
pub async fn from_headers(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let token = cookies::presented_token(headers)?;
    resolve(state, token).await.ok()
}

/// Ends one session (log-out).
pub async fn end(state: &AppState, session_id: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(session_id)
        .bind(state.clock.now())
        .execute(&state.db)
        .await?;
    state
        .cache
        .set_json(&cache_key(state, session_id), &Cached::Ended, ENDED_FOR)
        .await;
    Ok(())
}

/// Ends every session of an account (for a password change or a
/// compromised account).
pub async fn end_all(state: &AppState, account_id: i64) -> Result<(), AppError> {
    let ended: Vec<String> = sqlx::query_scalar(
        "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL RETURNING id",
    )
    .bind(account_id)
    .bind(state.clock.now())
    .fetch_all(&state.db)
    .await?;
    for session_id in ended {
        state
            .cache
            .set_json(&cache_key(state, &session_id), &Cached::Ended, ENDED_FOR)
            .await;
    }
    Ok(())
}

/// Drops the cached answers for an account's sessions, so a change to the
/// account (its role, say) counts on its next request.
pub async fn forget_cached_account(state: &AppState, account_id: i64) {
    let live: Result<Vec<String>, _> =
        sqlx::query_scalar("SELECT id FROM sessions WHERE account_id = $1 AND revoked_at IS NULL")
            .bind(account_id)
            .fetch_all(&state.db)
            .await;
    match live {
        Ok(ids) => {
            for session_id in ids {
                state.cache.delete(&cache_key(state, &session_id)).await;
            }
        }
        Err(error) => tracing::warn!(%error, account_id, "cannot list sessions to forget"),
    }
}
