//! Server functions: thin doors from the UI into `service`. Each one finds
//! the shared state, makes one service call and returns a DTO.

pub mod accounts;
pub mod posts;

pub use accounts::{CurrentAccount, LogIn, LogOut, SignUp, current_account};
pub use posts::{get_project, list_projects};

#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::state::AppState, crate::error::AppError> {
    leptos::prelude::use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        crate::error::AppError::internal()
    })
}

/// Gives a failed server function the HTTP status of its error code (a
/// validation error is a 422, not a 500). Plain form posts (no JavaScript)
/// are left alone: Leptos answers those with a redirect back to the form,
/// carrying the error in the URL.
#[cfg(feature = "ssr")]
pub(crate) fn with_status<T>(
    result: Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError> {
    use leptos::prelude::use_context;
    if let Err(error) = &result {
        let plain_form_post = use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::ACCEPT).cloned())
            .and_then(|accept| {
                accept
                    .to_str()
                    .ok()
                    .map(|accept| accept.contains("text/html"))
            })
            .unwrap_or(false);
        let status = http::StatusCode::from_u16(error.code.http_status());
        if let (false, Ok(status), Some(response)) = (
            plain_form_post,
            status,
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            response.set_status(status);
        }
    }
    result
}
