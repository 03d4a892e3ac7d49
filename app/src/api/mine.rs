//! Each account type's own side: a publisher's projects, a backer's
//! backings. Guarded like their REST twins (`/api/v1/me/posts`,
//! `/api/v1/me/backings`).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{authorize, state, with_status};
#[cfg(feature = "ssr")]
use crate::service::access::{BackerOnly, PublisherOnly};
use crate::{
    error::AppError,
    model::{BackedProject, ProjectSummary},
};

#[server(endpoint = "my_projects")]
pub async fn my_projects() -> Result<Vec<ProjectSummary>, AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        crate::service::posts::published_by(&state()?, session.account_id).await
    })
    .await
}

#[server(endpoint = "my_backings")]
pub async fn my_backings() -> Result<Vec<BackedProject>, AppError> {
    with_status(async move {
        let session = authorize::<BackerOnly>().await?;
        crate::service::backings::of_backer(&state()?, session.account_id).await
    })
    .await
}

/// Deletes one of the publisher's projects (never while it is funding).
#[server(endpoint = "delete_project")]
pub async fn delete_project(id: i64) -> Result<(), AppError> {
    with_status(async move {
        let session = authorize::<PublisherOnly>().await?;
        crate::service::posts::delete(&state()?, &session, id).await?;
        leptos_axum::redirect("/me/projects");
        Ok(())
    })
    .await
}
