//! The OpenAPI document, generated from the handlers' annotations, and two
//! readers for it. Their assets are served by Moa itself (`/vendor/…`,
//! copied from npm packages at set-up), so the docs work offline.

use axum::{Json, response::Html};
use utoipa::OpenApi;

use super::{error, posts};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Moa API",
        version = "1",
        description = "Moa 모아 crowdfunding: browse funding projects. Amounts are integer KRW."
    ),
    paths(posts::list, posts::get),
    components(schemas(posts::PostItem, posts::PostList, posts::PostDetail, error::ErrorBody, error::ErrorDetail)),
    tags((name = "posts", description = "Funding projects"))
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub async fn swagger_ui() -> Html<&'static str> {
    Html(include_str!("swagger.html"))
}

pub async fn redoc() -> Html<&'static str> {
    Html(include_str!("redoc.html"))
}
