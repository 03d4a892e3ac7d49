//! The answers an operation can give that do not come from its handler but
//! from what stands around every handler, added to each operation of the
//! document here, in one place, so no handler's annotation can forget one:
//! - everywhere: 500 `INTERNAL`; 503 `SERVICE_UNAVAILABLE` (no database),
//!   `REQUEST_TIMED_OUT` (`request_timeout`) or `OVERLOADED` (`load_shed`);
//! - where a body is read: 400 `BAD_REQUEST` (it broke off), 408
//!   `REQUEST_BODY_TIMED_OUT` and 413 `PAYLOAD_TOO_LARGE` (`body_limit`),
//!   415 `UNSUPPORTED_MEDIA_TYPE` (`input::body`);
//! - where state changes: 403 `CSRF_REJECTED` (`origin_check`).
//!
//! And the error body's `code` is documented as the list of every code,
//! so a client (or schemathesis) can tell a new one from a typo.

use app::error::ErrorCode;
use axum::http::Method;
use utoipa::{
    Modify,
    openapi::{
        ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Schema, path::Operation,
        response::Response,
    },
};

use crate::body_limit;

pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (Method::GET, &mut item.get),
                (Method::PUT, &mut item.put),
                (Method::POST, &mut item.post),
                (Method::DELETE, &mut item.delete),
                (Method::PATCH, &mut item.patch),
                (Method::OPTIONS, &mut item.options),
                (Method::HEAD, &mut item.head),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    add_common(operation, &method, path);
                }
            }
        }
        list_codes(openapi);
    }
}

fn add_common(operation: &mut Operation, method: &Method, path: &str) {
    let changes_state = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state {
        add(
            operation,
            403,
            "`CSRF_REJECTED`: a browser's request that carries the session cookie but comes from another site",
        );
    }
    if operation.request_body.is_some() {
        add(
            operation,
            400,
            "`BAD_REQUEST`: the body broke off before its end",
        );
        add(
            operation,
            408,
            "`REQUEST_BODY_TIMED_OUT`: the body arrived too slowly (half of the request time limit)",
        );
        let limit = body_limit::limit_for(method, path) / 1024;
        add(
            operation,
            413,
            &format!("`PAYLOAD_TOO_LARGE`: the body is over {limit} KiB"),
        );
        add(
            operation,
            415,
            "`UNSUPPORTED_MEDIA_TYPE`: a body declared as anything but `application/json`",
        );
    }
    add(
        operation,
        500,
        "`INTERNAL`: something failed inside Moa (logged there; the answer says no more)",
    );
    add(
        operation,
        503,
        "`SERVICE_UNAVAILABLE`: the database is unreachable; `REQUEST_TIMED_OUT`: the answer took too long; or `OVERLOADED`: Moa is working on as many requests as it takes (the last two with `Retry-After`)",
    );
}

/// Adds an error response, or, when the operation documents that status
/// already, adds the description to its own.
fn add(operation: &mut Operation, status: u16, description: &str) {
    let responses = &mut operation.responses.responses;
    match responses.get_mut(&status.to_string()) {
        Some(RefOr::T(response)) => {
            response.description = format!("{}; or {description}", response.description);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            responses.insert(status.to_string(), RefOr::T(error_response(description)));
        }
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// `ErrorDetail.code`: one of `ErrorCode::ALL`.
fn list_codes(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(detail))) = components.schemas.get_mut("ErrorDetail") else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(code))) = detail.properties.get_mut("code") {
        code.enum_values = Some(
            ErrorCode::ALL
                .iter()
                .map(|code| code.as_str().into())
                .collect(),
        );
    }
}
