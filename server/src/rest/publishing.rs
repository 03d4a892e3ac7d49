//! `POST /api/v1/posts`, `PATCH /api/v1/posts/{id}` and
//! `GET /api/v1/me/posts/{id}/backers`: publishers creating and changing
//! their projects, and seeing who backed them. Bodies are parsed with
//! `domain::post`'s rules, like the publishing form's server functions;
//! unknown fields are refused, not ignored.

use app::{
    domain::{EditDraft, NewPost, PostDraft, PostEdit},
    error::AppError,
    model::{Backer, Paged},
    service::{self, access::PublisherOnly},
    state::AppState,
};
use axum::{
    Json,
    extract::{
        Query, State,
        rejection::{JsonRejection, QueryRejection},
    },
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    ApiError,
    auth::Signed,
    error::ErrorBody,
    input::{PageParams, PostId, body, query},
    posts::PostDetail,
};

/// A new project. Amounts are integer KRW.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CreatePostRequest {
    /// 1–100 characters.
    #[schema(example = "Paper lantern")]
    title: String,
    /// 1–50 characters, shown as "by …".
    #[schema(example = "Studio Han")]
    publisher_name: String,
    /// Markdown, at most 20,000 characters.
    content: String,
    /// 10,000 to 9,999,999,999. Never changes afterwards.
    #[schema(value_type = i64, example = 1_000_000)]
    target_amount: Value,
    /// Per backing: 1,000 up to the target.
    #[schema(value_type = i64, example = 15_000)]
    price: Value,
    /// The last day of funding (YYYY-MM-DD): after today in Moa's time
    /// zone, at most a year ahead.
    #[schema(value_type = String, format = Date, example = "2026-12-31")]
    final_date: String,
}

/// Any subset of the editable fields. `price` and `final_date` only while
/// nobody has backed; `target_amount` never.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EditPostRequest {
    title: Option<String>,
    publisher_name: Option<String>,
    content: Option<String>,
    #[schema(value_type = Option<i64>)]
    price: Option<Value>,
    #[schema(value_type = Option<String>, format = Date)]
    final_date: Option<String>,
    /// Refused whenever it is sent, even as `null` (`TARGET_AMOUNT_IMMUTABLE`).
    #[schema(value_type = Option<i64>)]
    #[serde(deserialize_with = "present")]
    target_amount: Option<Value>,
}

/// Someone who backed the project.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BackerItem {
    pub username: String,
    /// KRW paid.
    pub amount: i64,
    pub backed_at: DateTime<Utc>,
}

/// One page of backers, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BackerList {
    pub items: Vec<BackerItem>,
    pub page: u32,
    pub per_page: u32,
    pub total_items: u64,
    pub total_pages: u32,
}

impl From<Paged<Backer>> for BackerList {
    fn from(page: Paged<Backer>) -> Self {
        BackerList {
            items: page
                .items
                .into_iter()
                .map(|backer| BackerItem {
                    username: backer.username,
                    amount: backer.amount.as_won(),
                    backed_at: backer.backed_at,
                })
                .collect(),
            page: page.page,
            per_page: page.per_page,
            total_items: page.total_items,
            total_pages: page.total_pages,
        }
    }
}

/// A field that counts as sent when its key is there, whatever its value
/// (`null` included); missing keys take the default, `None`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// An amount as JSON sent it, as text for the domain's parser: an integer
/// as its digits; anything else (a fraction, a negative, a word) as text
/// the parser refuses with a field error.
fn amount_text(value: &Value) -> String {
    match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        _ => String::new(),
    }
}

/// Publish a project (publishers with a registered pocket).
#[utoipa::path(
    post,
    path = "/api/v1/posts",
    tag = "posts",
    security(("bearer" = [])),
    request_body = CreatePostRequest,
    responses(
        (status = 201, description = "Published; `Location` names it", body = PostDetail),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher", body = ErrorBody,
            example = json!({"error": {"code": "FORBIDDEN", "message": "Only publisher accounts can do this.", "details": {}}})),
        (status = 409, description = "`POCKET_NOT_REGISTERED`: register a pocket first", body = ErrorBody,
            example = json!({"error": {"code": "POCKET_NOT_REGISTERED", "message": "Register a pocket first: it is where the money you raise will be paid.", "details": {}}})),
        (status = 422, description = "`TARGET_AMOUNT_OUT_OF_BOUND`, `INVALID_FINAL_DATE`, or `VALIDATION_FAILED` (several fields, or an unknown one); `details` names each field", body = ErrorBody,
            example = json!({"error": {"code": "TARGET_AMOUNT_OUT_OF_BOUND", "message": "The target must be from ₩10,000 to ₩9,999,999,999.", "details": {"target_amount": "The target must be from ₩10,000 to ₩9,999,999,999."}}})),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Signed { session, .. }: Signed<PublisherOnly>,
    payload: Result<Json<CreatePostRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = body(payload)?;
    let (target, price) = (
        amount_text(&request.target_amount),
        amount_text(&request.price),
    );
    let draft = PostDraft {
        title: &request.title,
        publisher_name: &request.publisher_name,
        content: &request.content,
        target_amount: &target,
        price: &price,
        final_date: &request.final_date,
    };
    let post = NewPost::parse(&draft, state.today()).map_err(AppError::from)?;
    let created = service::publishing::create(&state, &session, post).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/posts/{}", created.summary.id))
        .map_err(|_| AppError::internal())?;
    let detail: PostDetail = created.into();
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(detail),
    )
        .into_response())
}

/// Change a project while it is funding (its publisher only).
#[utoipa::path(
    patch,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    request_body = EditPostRequest,
    responses(
        (status = 200, description = "The project as changed", body = PostDetail),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher, or not this project's", body = ErrorBody,
            example = json!({"error": {"code": "FORBIDDEN", "message": "Only the project's publisher can do this.", "details": {}}})),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody,
            example = json!({"error": {"code": "POST_NOT_FOUND", "message": "This project does not exist or is no longer available.", "details": {}}})),
        (status = 409, description = "`POST_NOT_FUNDING` (it ended), or `POST_TERMS_LOCKED` (price or end date after someone backed)", body = ErrorBody,
            example = json!({"error": {"code": "POST_TERMS_LOCKED", "message": "Someone has backed this project: its price and end date are what they agreed to.", "details": {"price": "Someone has backed this project: its price and end date are what they agreed to."}}})),
        (status = 422, description = "`TARGET_AMOUNT_IMMUTABLE` (the target was sent), `INVALID_FINAL_DATE`, or `VALIDATION_FAILED` with `details`", body = ErrorBody,
            example = json!({"error": {"code": "TARGET_AMOUNT_IMMUTABLE", "message": "The target amount cannot change after publishing.", "details": {"target_amount": "The target amount cannot change after publishing."}}})),
    )
)]
pub async fn edit(
    State(state): State<AppState>,
    Signed { session, .. }: Signed<PublisherOnly>,
    PostId(id): PostId,
    payload: Result<Json<EditPostRequest>, JsonRejection>,
) -> Result<Json<PostDetail>, ApiError> {
    let request = body(payload)?;
    let price = request.price.as_ref().map(amount_text);
    let draft = EditDraft {
        title: request.title.as_deref(),
        publisher_name: request.publisher_name.as_deref(),
        content: request.content.as_deref(),
        price: price.as_deref(),
        final_date: request.final_date.as_deref(),
        target_amount_sent: request.target_amount.is_some(),
    };
    let edit = PostEdit::parse(&draft, state.today()).map_err(AppError::from)?;
    let changed = service::publishing::edit(&state, &session, id, edit).await?;
    Ok(Json(changed.into()))
}

/// Who backed one of your projects, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/posts/{id}/backers",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id"), PageParams),
    responses(
        (status = 200, description = "One page of backers", body = BackerList),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher, or not this project's", body = ErrorBody),
        (status = 404, description = "`POST_NOT_FOUND`", body = ErrorBody),
        (status = 422, description = "`VALIDATION_FAILED` (page, per_page)", body = ErrorBody),
    )
)]
pub async fn backers(
    State(state): State<AppState>,
    Signed { session, .. }: Signed<PublisherOnly>,
    PostId(id): PostId,
    params: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<BackerList>, ApiError> {
    let paging = query(params)?.parse()?;
    let page = service::publishing::backers(&state, &session, id, paging).await?;
    Ok(Json(page.into()))
}
