//! Browsing projects.

use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{ListQuery, ProjectDetail, ProjectPage},
};

#[cfg(feature = "ssr")]
use super::state;

/// Takes the list's parameters as raw text, like `GET /api/v1/posts`, and
/// parses them by the same rules: anyone can post to this.
#[server(endpoint = "list_projects")]
pub async fn list_projects(
    search: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<ProjectPage, AppError> {
    super::with_status(async move {
        let query = crate::domain::ListQuery::parse(crate::domain::listing::RawListQuery {
            search: search.as_deref(),
            sort: sort.as_deref(),
            page: page.as_deref(),
            per_page: per_page.as_deref(),
        })
        .map_err(AppError::validation)?;
        let state = state()?;
        let reader = super::reader(&state).await?;
        crate::service::posts::list(&state, reader, &query).await
    })
    .await
}

/// Calls [`list_projects`] with a query the page already parsed.
pub async fn list_projects_for(query: ListQuery) -> Result<ProjectPage, AppError> {
    list_projects(
        query.search().map(str::to_owned),
        Some(query.sort().as_query().to_owned()),
        Some(query.page().to_string()),
        Some(query.per_page().to_string()),
    )
    .await
}

#[server(endpoint = "get_project")]
pub async fn get_project(id: i64) -> Result<ProjectDetail, AppError> {
    super::with_status(async move {
        let state = state()?;
        let reader = super::reader(&state).await?;
        crate::service::posts::get(&state, reader, id).await
    })
    .await
}
