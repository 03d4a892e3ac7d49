//! Server functions: thin doors from the UI into `service`. Each one finds
//! the shared state, makes one service call and returns a DTO.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{ListQuery, ProjectDetail, ProjectPage},
};

#[cfg(feature = "ssr")]
fn state() -> Result<crate::state::AppState, AppError> {
    use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::internal()
    })
}

#[server(endpoint = "list_projects")]
pub async fn list_projects(query: ListQuery) -> Result<ProjectPage, AppError> {
    crate::service::posts::list(&state()?, &query).await
}

#[server(endpoint = "get_project")]
pub async fn get_project(id: i64) -> Result<ProjectDetail, AppError> {
    crate::service::posts::get(&state()?, id).await
}
