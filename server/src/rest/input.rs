//! What every handler does first with what a client sent: a body or query
//! string that cannot be read is a 422 `VALIDATION_FAILED` naming it, a
//! body that is not JSON a 415, a path id that names no project a 404,
//! never axum's plain-text rejection; a page of a list is parsed by
//! `domain::Paging`'s rules. (Bodies too large never get here: see
//! `body_limit`.)

use app::{
    domain::{Paging, pocket::IdempotencyKey},
    error::{AppError, ErrorCode, Problem},
};
use axum::{
    Json,
    body::Bytes,
    extract::{
        FromRequestParts, Path, Query,
        rejection::{JsonRejection, QueryRejection},
    },
    http::{HeaderMap, header, request::Parts},
};
use serde::{Deserialize, de::DeserializeOwned};
use utoipa::IntoParams;

use super::ApiError;

/// The JSON body: 415 when it is declared as anything but JSON, 422 with
/// the reason under `details.body` when it does not read as `T`.
pub fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload.map(|Json(value)| value).map_err(|rejection| {
        if let JsonRejection::MissingJsonContentType(_) = rejection {
            return json_only();
        }
        AppError::validation(
            Problem::Unreadable {
                reason: rejection.body_text(),
            }
            .on("body"),
        )
        .into()
    })
}

/// A JSON body that may be left out: none at all (or only whitespace),
/// whatever type it is declared as, or JSON's `null`, reads as
/// `T::default()`; any other body is read as `body` reads it.
pub fn optional_body<T: DeserializeOwned + Default>(
    headers: &HeaderMap,
    payload: &Bytes,
) -> Result<T, ApiError> {
    if payload.trim_ascii().is_empty() {
        return Ok(T::default());
    }
    if !declared_json(headers) {
        return Err(json_only());
    }
    Ok(body(Json::<Option<T>>::from_bytes(payload))?.unwrap_or_default())
}

/// `application/json` or `application/…+json`, parameters aside, as axum's
/// `Json` decides.
fn declared_json(headers: &HeaderMap) -> bool {
    let Some(essence) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
    else {
        return false;
    };
    let essence = essence.trim().to_ascii_lowercase();
    essence
        .strip_prefix("application/")
        .is_some_and(|subtype| subtype == "json" || subtype.ends_with("+json"))
}

fn json_only() -> ApiError {
    AppError::on_field(
        ErrorCode::UnsupportedMediaType,
        "Content-Type",
        Problem::JsonOnly,
    )
    .into()
}

/// The project the path's `{id}` names. Anything but a positive 64-bit
/// integer (text, a fraction, a number too large, bytes that are not
/// UTF-8) names none: 404 `POST_NOT_FOUND`, as an unknown id is.
pub struct PostId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PostId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::post_not_found())?;
        id.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(PostId)
            .ok_or_else(|| AppError::post_not_found().into())
    }
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
