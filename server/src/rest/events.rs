//! `GET /api/v1/posts/{id}/events`: a project's figures (total, backer
//! count, status) as server-sent events, first as they are now and then
//! each time they change, through whichever server process changed them.
//! Browsers' `EventSource` reconnects by itself when the stream drops.
//! Streams are capped per process, per client network and per client
//! (503 beyond; clients of unknown address share one client's share), end when
//! the project ends for good (CANCEL, CLOSE) or is deleted, and end at
//! shutdown. A project that has already ended for good answers
//! `204 No Content`, which tells `EventSource` to stop reconnecting.

use std::{convert::Infallible, time::Duration};

use app::{
    error::{AppError, ErrorCode},
    live::{Change, StreamPermit},
    model::Figures,
    service,
    state::AppState,
};
use axum::{
    extract::State,
    http::{HeaderName, StatusCode},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures_util::stream;
use tokio::sync::{
    broadcast::{self, error::RecvError},
    watch,
};

use super::{ApiError, auth::ClientAddress, error::ErrorBody, input::PostId};

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What the stream waits on between events.
struct Watch {
    state: AppState,
    post_id: i64,
    changes: broadcast::Receiver<Change>,
    closing: watch::Receiver<bool>,
    last: Option<Figures>,
    first: Option<Figures>,
    done: bool,
    _permit: StreamPermit,
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
        (status = 204, description = "The project has ended for good (`CANCEL` or `CLOSE`): its figures never change again, so there is no stream, and a browser's `EventSource` stops reconnecting"),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: too many open streams (in all, from this client's network, or from this client)", body = ErrorBody),
    )
)]
pub async fn figures(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    PostId(post_id): PostId,
) -> Result<Response, ApiError> {
    let permit = state.live.admit(client).ok_or_else(|| {
        AppError::new(
            ErrorCode::ServiceUnavailable,
            app::error::Problem::TooManyStreams,
        )
    })?;
    // Subscribe before reading, so no change between the two is missed.
    let changes = state.live.subscribe();
    let now = service::posts::figures(&state, post_id).await?;
    // Nothing will ever follow; 204 (unlike an ended stream) also stops a
    // browser's EventSource from reconnecting.
    if now.status.is_final() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let watch = Watch {
        state: state.clone(),
        post_id,
        changes,
        closing: state.live.closing(),
        last: None,
        first: Some(now),
        done: false,
        _permit: permit,
    };
    let events = stream::unfold(watch, |mut watch| async move {
        if watch.done {
            return None;
        }
        let figures = match watch.first.take() {
            Some(first) => first,
            None => next_change(&mut watch).await?,
        };
        watch.last = Some(figures);
        watch.done = figures.status.is_final();
        let event = Event::default()
            .event("figures")
            .json_data(figures)
            .unwrap_or_else(|_| Event::default().comment("unserialisable figures"));
        Some((Ok::<_, Infallible>(event), watch))
    });
    Ok((
        // A reverse proxy must pass each event on at once.
        [(HeaderName::from_static("x-accel-buffering"), "no")],
        Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)),
    )
        .into_response())
}

/// The project's figures after its next change; `None` ends the stream
/// (the project is gone, or the server is shutting down). When changes may
/// have been missed (this stream fell behind, or the listener was not
/// listening for a while), the project is read afresh.
async fn next_change(watch: &mut Watch) -> Option<Figures> {
    loop {
        if *watch.closing.borrow() {
            return None;
        }
        let change = tokio::select! {
            change = watch.changes.recv() => change,
            _ = watch.closing.changed() => return None,
        };
        let figures = match change {
            Ok(Change::Figures(id, _)) if id != watch.post_id => continue,
            Ok(Change::Figures(_, None)) | Err(RecvError::Closed) => return None,
            Ok(Change::Figures(_, Some(figures))) => figures,
            Ok(Change::Resync) => reread(watch).await?,
            Err(RecvError::Lagged(skipped)) => {
                tracing::debug!(skipped, "live figures: a stream fell behind");
                reread(watch).await?
            }
        };
        if Some(figures) != watch.last {
            return Some(figures);
        }
    }
}

/// The project's figures as they are now: `None` when it is gone (the
/// stream ends), the last ones sent when they cannot be read (the next
/// change or resync tries again).
async fn reread(watch: &Watch) -> Option<Figures> {
    match service::posts::figures(&watch.state, watch.post_id).await {
        Ok(figures) => Some(figures),
        Err(error) if error.code == ErrorCode::PostNotFound => None,
        Err(error) => {
            tracing::warn!(code = %error.code, post_id = watch.post_id, "live figures: cannot reread a project's figures");
            watch.last
        }
    }
}
