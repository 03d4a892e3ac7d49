//! `GET /api/v1/me/posts` (publishers) and `GET /api/v1/me/backings`
//! (backers): each account type's own side of the projects.

use app::{
    model::BackedProject,
    service::{
        self,
        access::{BackerOnly, PublisherOnly},
    },
    state::AppState,
};
use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, auth::Signed, error::ErrorBody, posts::PostItem};

/// A project the backer backed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BackingItem {
    pub post: PostItem,
    /// KRW paid.
    pub amount: i64,
    /// ACTIVE, WITHDRAWN, REFUNDED or PAID_OUT.
    #[schema(example = "ACTIVE")]
    pub status: String,
    pub backed_at: DateTime<Utc>,
}

impl From<BackedProject> for BackingItem {
    fn from(backed: BackedProject) -> Self {
        BackingItem {
            post: backed.project.into(),
            amount: backed.amount.as_won(),
            status: backed.status.as_str().to_owned(),
            backed_at: backed.backed_at,
        }
    }
}

/// The publisher's own projects, every status (CANCEL included), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/posts",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The publisher's projects", body = [PostItem]),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a publisher account", body = ErrorBody),
    )
)]
pub async fn my_posts(
    State(state): State<AppState>,
    Signed { session, .. }: Signed<PublisherOnly>,
) -> Result<Json<Vec<PostItem>>, ApiError> {
    let posts = service::posts::published_by(&state, session.account_id).await?;
    Ok(Json(posts.into_iter().map(PostItem::from).collect()))
}

/// The projects the backer backed, most recent backing first.
#[utoipa::path(
    get,
    path = "/api/v1/me/backings",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The backer's backings", body = [BackingItem]),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 403, description = "`FORBIDDEN`: not a backer account", body = ErrorBody),
    )
)]
pub async fn my_backings(
    State(state): State<AppState>,
    Signed { session, .. }: Signed<BackerOnly>,
) -> Result<Json<Vec<BackingItem>>, ApiError> {
    let backings = service::backings::of_backer(&state, session.account_id).await?;
    Ok(Json(backings.into_iter().map(BackingItem::from).collect()))
}
