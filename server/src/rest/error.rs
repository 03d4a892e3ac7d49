use std::collections::BTreeMap;

use app::error::{AppError, ErrorCode};
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

/// An `AppError` on its way out of the REST API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, e.g. `POST_NOT_FOUND`, `VALIDATION_FAILED`.
    #[schema(example = "POST_NOT_FOUND")]
    pub code: String,
    /// For people, in the request's language (the `moa_locale` cookie,
    /// else `Accept-Language`: Korean for `ko`, English otherwise); may
    /// change. Programs read `code`.
    pub message: String,
    /// Field name → problem, in the same language, for validation errors;
    /// otherwise empty.
    pub details: BTreeMap<String, String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let locale = crate::language::current();
        let message = self.0.message(locale);
        let details = self.0.worded_details(locale);
        let AppError {
            code, retry_after, ..
        } = self.0;
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.as_str().to_owned(),
                message,
                details,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        if code == ErrorCode::Unauthenticated {
            // RFC 6750: tell the client which scheme to use.
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// A server function's path (`/api/<name>`), as opposed to the REST API's
/// (`/api/v1/…`).
pub fn is_server_function(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

/// An error answered before a handler runs (a refused origin, a timeout),
/// in the encoding its caller reads: server functions get their own
/// (`AppError` as JSON, which the page decodes and words in its language),
/// everything else the REST shape.
pub fn answer(path: &str, error: AppError) -> Response {
    if !is_server_function(path) {
        return ApiError(error).into_response();
    }
    let status =
        StatusCode::from_u16(error.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(&error)).into_response();
    if let Some(seconds) = error.retry_after {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    response
}

/// For an endpoint asked with a method it does not take (axum adds
/// `Allow`).
pub async fn method_not_allowed() -> ApiError {
    ApiError(AppError::new(
        ErrorCode::MethodNotAllowed,
        app::error::Problem::MethodNotTaken,
    ))
}

pub async fn unknown_endpoint() -> ApiError {
    ApiError(AppError::new(
        ErrorCode::NotFound,
        app::error::Problem::NoSuchEndpoint,
    ))
}
