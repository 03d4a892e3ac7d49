//! Listens for the database's `moa_post_figures` notifications (sent on
//! commit by a trigger whenever a project's total, backer count or status
//! changes, through any server process) and hands each project id to this
//! process's open streams. Reconnects by itself when PostgreSQL goes away.

use std::time::Duration;

use app::state::AppState;
use sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

const CHANNEL: &str = "moa_post_figures";
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub fn spawn_listener(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listen(&state).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "live figures: lost the notification listener; reconnecting");
                    tokio::time::sleep(RETRY_AFTER).await;
                }
            }
        }
    })
}

async fn listen(state: &AppState) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(&state.db).await?;
    listener.listen(CHANNEL).await?;
    loop {
        // `try_recv` reports a lost connection as `None` (and reconnects on
        // the next call); pages reread the figures on the next change.
        match listener.try_recv().await? {
            Some(notification) => match notification.payload().parse::<i64>() {
                Ok(post_id) => state.live.changed(post_id),
                Err(_) => tracing::warn!(
                    payload = notification.payload(),
                    "live figures: odd payload"
                ),
            },
            None => tracing::info!("live figures: listener reconnecting"),
        }
    }
}
