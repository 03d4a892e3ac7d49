//! The owner ends a project (cancel while funding, close after success)
//! and reads its history. Guarded like their REST twins
//! (`POST /api/v1/posts/{id}/cancel`, `/close`,
//! `GET /api/v1/me/posts/{id}/transitions`).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{authorize, state, with_status};
#[cfg(feature = "ssr")]
use crate::service::access::PublisherOnly;
use crate::{
    error::AppError,
    model::{Settlement, TransitionRecord},
};

/// `to` is `CANCEL` or `CLOSE`; `next` is where to go afterwards (a path
/// on this site; `/me/projects` by default); `backers` is how many backers
/// the confirmation said would be refunded (refused if that changed).
#[server(endpoint = "end_project")]
pub async fn end_project(
    id: i64,
    to: String,
    next: Option<String>,
    backers: Option<String>,
) -> Result<Settlement, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        let to = crate::domain::transition::parse_owner_move(&to).ok_or_else(|| {
            AppError::new(
                crate::error::ErrorCode::BadRequest,
                crate::error::Problem::ChooseCancelOrClose,
            )
        })?;
        let seen_backers = backers
            .filter(|text| !text.is_empty())
            .map(|text| {
                text.parse::<i64>().map_err(|_| {
                    AppError::new(
                        crate::error::ErrorCode::BadRequest,
                        crate::error::Problem::FormOutOfDate,
                    )
                })
            })
            .transpose()?;
        // Parsed before anything changes, like every other input.
        let destination = crate::domain::account::return_path_or(next.as_deref(), "/me/projects");
        let done =
            crate::service::settlement::end_by_owner(&state()?, &session, id, to, seen_backers)
                .await?;
        leptos_axum::redirect(&destination);
        Ok(done)
    })
    .await
}

#[server(endpoint = "project_history")]
pub async fn project_history(id: i64) -> Result<Vec<TransitionRecord>, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        crate::service::settlement::history(&state()?, &session, id).await
    })
    .await
}
