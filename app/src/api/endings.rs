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
/// on this site; `/me/projects` by default); `backers` and `total` are how
/// many backers and how many won the confirmation said a cancel would
/// refund (required to cancel; refused if either changed).
#[server(endpoint = "end_project")]
pub async fn end_project(
    id: i64,
    to: String,
    next: Option<String>,
    backers: Option<String>,
    total: Option<String>,
) -> Result<Settlement, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        let to = crate::domain::transition::parse_owner_move(&to).ok_or_else(|| {
            AppError::new(
                crate::error::ErrorCode::BadRequest,
                crate::error::Problem::ChooseCancelOrClose,
            )
        })?;
        // The page always says what a cancel refunds; a form without it (or
        // with something else) is not the page's.
        let out_of_date = || {
            AppError::new(
                crate::error::ErrorCode::BadRequest,
                crate::error::Problem::FormOutOfDate,
            )
        };
        let seen = |text: Option<String>| {
            text.filter(|text| !text.is_empty())
                .map(|text| text.parse::<i64>().map_err(|_| out_of_date()))
                .transpose()
        };
        let seen = crate::domain::transition::Confirmation {
            backers: seen(backers)?,
            total: seen(total)?.map(crate::domain::Money::won),
        };
        if to == crate::domain::PostStatus::Cancel
            && (seen.backers.is_none() || seen.total.is_none())
        {
            return Err(out_of_date());
        }
        // Parsed before anything changes, like every other input.
        let destination = crate::domain::account::return_path_or(next.as_deref(), "/me/projects");
        let done =
            crate::service::settlement::end_by_owner(&state()?, &session, id, to, seen).await?;
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
