//! Listens for the database's `moa_post_figures` notifications (sent on
//! commit by a trigger whenever a project's total, backer count, status or
//! deletion changes, through any server process), reads that project's
//! figures once and hands them to this process's open streams. Reconnects
//! by itself when PostgreSQL goes away; notifications sent while it was not
//! listening are lost, so each time it starts listening it tells every open
//! stream to reread its project.

use std::time::Duration;

use app::{error::ErrorCode, live::Change, service, state::AppState};
use sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

const CHANNEL: &str = "moa_post_figures";
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub fn spawn_listener(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listen(&state).await {
                Ok(()) => tracing::info!("live figures: listener reconnecting"),
                Err(error) => {
                    tracing::warn!(%error, "live figures: lost the notification listener; reconnecting");
                    tokio::time::sleep(RETRY_AFTER).await;
                }
            }
        }
    })
}

/// Listens on one connection until it drops (`Ok`) or fails (`Err`).
async fn listen(state: &AppState) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(&state.db).await?;
    listener.listen(CHANNEL).await?;
    // Listening now: whatever changed before (while the last connection
    // was down, or before the first) is read afresh by every stream.
    state.live.resync();
    loop {
        // `try_recv` reports a lost connection as `None`; this connection
        // is then done, and the next one starts with a resync.
        let Some(notification) = listener.try_recv().await? else {
            return Ok(());
        };
        let Ok(post_id) = notification.payload().parse::<i64>() else {
            tracing::warn!(
                payload = notification.payload(),
                "live figures: odd payload"
            );
            continue;
        };
        match service::posts::figures(state, post_id).await {
            Ok(figures) => state.live.changed(Change::Figures(post_id, Some(figures))),
            Err(error) if error.code == ErrorCode::PostNotFound => {
                state.live.changed(Change::Figures(post_id, None));
            }
            Err(error) => {
                tracing::warn!(code = %error.code, post_id, "live figures: cannot read a project's figures");
            }
        }
    }
}
