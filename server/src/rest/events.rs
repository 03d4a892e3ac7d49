//! `GET /api/v1/posts/{id}/events`: a project's figures (total, backer
//! count, status) as server-sent events, first as they are now and then
//! each time they change, through whichever server process changed them.
//! Browsers' `EventSource` reconnects by itself when the stream drops.

use std::{convert::Infallible, time::Duration};

use app::{error::AppError, model::Figures, service, state::AppState};
use axum::{
    extract::{Path, State},
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::{Stream, stream};
use tokio::sync::broadcast::{self, error::RecvError};

use super::{ApiError, error::ErrorBody};

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What the stream waits on between events.
struct Watch {
    state: AppState,
    post_id: i64,
    changes: broadcast::Receiver<i64>,
    last: Option<Figures>,
    first: Option<Figures>,
}

/// Live figures of one project, as `figures` events whose data is
/// `{"total_amount", "backer_count", "status"}`.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}/events",
    tag = "posts",
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "`text/event-stream` of `figures` events: `{\"total_amount\": 150000, \"backer_count\": 10, \"status\": \"FUNDING\"}`", content_type = "text/event-stream"),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
    )
)]
pub async fn figures(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let post_id = id.parse::<i64>().map_err(|_| AppError::post_not_found())?;
    // Subscribe before reading, so no change between the two is missed.
    let changes = state.live.subscribe();
    let now = service::posts::figures(&state, post_id).await?;
    let watch = Watch {
        state,
        post_id,
        changes,
        last: None,
        first: Some(now),
    };
    let events = stream::unfold(watch, |mut watch| async move {
        let figures = match watch.first.take() {
            Some(first) => first,
            None => next_change(&mut watch).await?,
        };
        watch.last = Some(figures);
        let event = Event::default()
            .event("figures")
            .json_data(figures)
            .unwrap_or_else(|_| Event::default().comment("unserialisable figures"));
        Some((Ok(event), watch))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// The project's figures after its next change; `None` ends the stream
/// (the project is gone, or the server is shutting down).
async fn next_change(watch: &mut Watch) -> Option<Figures> {
    loop {
        match watch.changes.recv().await {
            Ok(id) if id != watch.post_id => continue,
            // Fell behind: the figures are reread anyway.
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return None,
        }
        match service::posts::figures(&watch.state, watch.post_id).await {
            Ok(figures) if Some(figures) == watch.last => continue,
            Ok(figures) => return Some(figures),
            Err(error) if error.code == app::error::ErrorCode::PostNotFound => return None,
            Err(error) => {
                tracing::warn!(code = %error.code, "live figures: cannot read a project's figures");
                continue;
            }
        }
    }
}
