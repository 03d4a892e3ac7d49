//! The documented REST API under `/api/v1`. Handlers are thin: they parse the
//! request, call the same `app::service` functions as the server functions,
//! and shape the JSON. All errors look like
//! `{"error": {"code": "POST_NOT_FOUND", "message": "…", "details": {…}}}`.

pub mod accounts;
pub mod auth;
pub mod backings;
pub mod common_responses;
pub mod constraints;
pub mod docs;
pub mod endings;
pub mod error;
pub mod events;
pub mod input;
pub mod mine;
pub mod pockets;
pub mod posts;
pub mod publishing;

use app::state::AppState;
use axum::{
    Router,
    routing::{get, post, put},
};

pub use error::{ApiError, answer, is_server_function};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/posts", get(posts::list).post(publishing::create))
        .route(
            "/api/v1/posts/{id}",
            get(posts::get)
                .delete(posts::delete)
                .patch(publishing::edit),
        )
        .route("/api/v1/me/posts/{id}/backers", get(publishing::backers))
        .route("/api/v1/posts/{id}/events", get(events::figures))
        .route("/api/v1/posts/{id}/cancel", post(endings::cancel))
        .route("/api/v1/posts/{id}/close", post(endings::close))
        .route(
            "/api/v1/me/posts/{id}/transitions",
            get(endings::transitions),
        )
        .route("/api/v1/posts/{id}/eligibility", get(backings::eligibility))
        .route("/api/v1/posts/{id}/backings", post(backings::back))
        .route(
            "/api/v1/posts/{id}/backings/mine",
            axum::routing::delete(backings::withdraw),
        )
        .route("/api/v1/me/pocket/cash-outs", post(pockets::cash_out))
        .route("/api/v1/accounts", post(accounts::sign_up))
        .route(
            "/api/v1/auth/token",
            post(accounts::issue_token).delete(accounts::revoke_token),
        )
        .route("/api/v1/me", get(accounts::me))
        .route("/api/v1/me/posts", get(mine::my_posts))
        .route("/api/v1/me/backings", get(mine::my_backings))
        .route("/api/v1/me/pocket", put(pockets::register))
        .route("/api/v1/me/pocket/deposits", post(pockets::deposit))
        .route("/api/v1/me/pocket/entries", get(pockets::entries))
        .route("/api/v1/openapi.json", get(docs::openapi_json))
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(error::unknown_endpoint),
        )
        .route("/swagger", get(docs::swagger_ui))
        .route("/redoc", get(docs::redoc))
        .method_not_allowed_fallback(error::method_not_allowed)
}
