//! Browsing projects.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{ListQuery, ProjectDetail, ProjectPage},
};

#[cfg(feature = "ssr")]
use super::state;

#[server(endpoint = "list_projects")]
pub async fn list_projects(query: ListQuery) -> Result<ProjectPage, AppError> {
    super::with_status(async move { crate::service::posts::list(&state()?, &query).await }).await
}

#[server(endpoint = "get_project")]
pub async fn get_project(id: i64) -> Result<ProjectDetail, AppError> {
    super::with_status(async move { crate::service::posts::get(&state()?, id).await }).await
}
