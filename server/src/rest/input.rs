//! What every handler does first with what a client sent: a body or query
//! string that cannot be read is a 422 `VALIDATION_FAILED` naming it, never
//! axum's plain-text rejection; a page of a list is parsed by
//! `domain::Paging`'s rules.

use app::{
    domain::{Paging, pocket::IdempotencyKey},
    error::AppError,
};
use axum::{
    Json,
    extract::{
        Query,
        rejection::{JsonRejection, QueryRejection},
    },
    http::HeaderMap,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiError;

/// The JSON body, or 422 with the reason under `details.body`.
pub fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload.map(|Json(value)| value).map_err(|rejection| {
        AppError::validation(
            app::error::Problem::Unreadable {
                reason: rejection.body_text(),
            }
            .on("body"),
        )
        .into()
    })
}

/// The query parameters, or 422 with the reason under `details.query`.
pub fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params.map(|Query(value)| value).map_err(|rejection| {
        AppError::validation(
            app::error::Problem::Unreadable {
                reason: rejection.body_text(),
            }
            .on("query"),
        )
        .into()
    })
}

/// Which page of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number (default 1).
    page: Option<String>,
    /// Items per page, 1–50 (default 10).
    per_page: Option<String>,
}

impl PageParams {
    pub fn parse(&self) -> Result<Paging, ApiError> {
        Paging::parse(self.page.as_deref(), self.per_page.as_deref())
            .map_err(|errors| AppError::validation(errors).into())
    }
}

/// The request's `Idempotency-Key`, if it sent one: 422 (naming the
/// header) when it is not 1–200 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|value| {
            IdempotencyKey::parse(value.to_str().unwrap_or_default()).map_err(AppError::validation)
        })
        .transpose()
        .map_err(ApiError::from)
}
