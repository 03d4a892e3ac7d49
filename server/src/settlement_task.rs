//! The settlement task: every `MOA_SETTLEMENT_INTERVAL_SECONDS` it settles
//! the projects whose end date passed (`service::settlement::settle_due`).
//! Every server process runs one; each project still settles once. On
//! shutdown it stops between projects, never inside one.

use std::time::Duration;

use app::{service::settlement, state::AppState};
use tokio::{sync::watch, task::JoinHandle};

pub fn spawn(
    state: AppState,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let stopping = stop.clone();
            match settlement::settle_due(&state, state.today(), move || *stopping.borrow()).await {
                Ok(done) if !done.is_empty() => {
                    tracing::info!(
                        projects = done.len(),
                        "settled projects whose end date passed"
                    );
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(code = %error.code, message = %error, "settlement pass failed; retrying later");
                }
            }
            if *stop.borrow() {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stop.changed() => break,
            }
        }
        tracing::info!("settlement task stopped");
    })
}
