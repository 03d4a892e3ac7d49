//! Server functions: thin doors from the UI into `service`. Each one finds
//! the shared state, makes one service call and returns a DTO.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{ProjectSort, ProjectSummary},
};

/// How many projects the home page shows.
pub const HOME_PAGE_SIZE: i64 = 12;

#[cfg(feature = "ssr")]
fn state() -> Result<crate::state::AppState, AppError> {
    use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::internal()
    })
}

#[server(endpoint = "list_projects")]
pub async fn list_projects(sort: ProjectSort) -> Result<Vec<ProjectSummary>, AppError> {
    crate::service::posts::list(&state()?, sort, HOME_PAGE_SIZE).await
}
