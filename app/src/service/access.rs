//! Who may do what, decided in one place. Every REST handler and server
//! function that needs an account names a [`Policy`]; the REST extractor
//! (`server::rest::auth::Signed`) and the server-function guard
//! (`api::authorize`) both end in [`authorize`], so the two doors cannot
//! disagree. Owning a particular project is checked by [`owned_post`],
//! against the session this returns.

use http::HeaderMap;

use crate::{
    domain::Role,
    error::AppError,
    service::{auth::Session, session, sessions},
    state::AppState,
};

/// A rule about which signed-in accounts may go on.
pub trait Policy {
    /// Whether an account of this type may go on.
    fn allows(role: Role) -> bool;
    /// What a signed-in account that may not go on is told.
    fn refusal() -> crate::error::Problem;
}

/// Any signed-in account.
pub struct AnyAccount;

/// Backers only: publishers never back projects.
pub struct BackerOnly;

/// Publishers only: backers never publish.
pub struct PublisherOnly;

impl Policy for AnyAccount {
    fn allows(_role: Role) -> bool {
        true
    }

    fn refusal() -> crate::error::Problem {
        crate::error::Problem::NotAllowed
    }
}

impl Policy for BackerOnly {
    fn allows(role: Role) -> bool {
        role == Role::Backer
    }

    fn refusal() -> crate::error::Problem {
        crate::error::Problem::BackersOnly
    }
}

impl Policy for PublisherOnly {
    fn allows(role: Role) -> bool {
        role == Role::Publisher
    }

    fn refusal() -> crate::error::Problem {
        crate::error::Problem::PublishersOnly
    }
}

/// The session of the request, if the policy lets it through: 401
/// `UNAUTHENTICATED` without a live session (a bearer token first, for API
/// clients, else the browser's cookie; checked against the server-side
/// session, with the account's current role), 403 `FORBIDDEN` for the
/// wrong type of account.
pub async fn authorize<P: Policy>(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Session, AppError> {
    let token = session::presented_token(headers).ok_or_else(AppError::unauthenticated)?;
    let session = sessions::resolve(state, token).await?;
    if P::allows(session.role) {
        Ok(session)
    } else {
        Err(AppError::forbidden(P::refusal()))
    }
}

/// A project the session's account publishes, as far as an owner-only
/// change needs to know it.
#[derive(Clone, Debug)]
pub struct OwnedPost {
    pub id: i64,
    pub status: crate::domain::PostStatus,
}

/// The owner-only guard: the project, if it exists (deleted ones do not)
/// and the session's account publishes it; 404 `POST_NOT_FOUND` or 403
/// `FORBIDDEN` otherwise.
pub async fn owned_post(
    state: &AppState,
    session: &Session,
    post_id: i64,
) -> Result<OwnedPost, AppError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT publisher_id, status FROM posts WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(post_id)
    .fetch_optional(&state.db)
    .await?;
    let (publisher_id, status) = row.ok_or_else(AppError::post_not_found)?;
    if publisher_id != session.account_id {
        return Err(AppError::forbidden(crate::error::Problem::OwnerOnly));
    }
    let status = status.parse().map_err(|error| {
        tracing::error!(%error, post_id, "corrupt status in database");
        AppError::internal()
    })?;
    Ok(OwnedPost {
        id: post_id,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_policy_admits_exactly_its_roles() {
        assert!(AnyAccount::allows(Role::Backer) && AnyAccount::allows(Role::Publisher));
        assert!(BackerOnly::allows(Role::Backer) && !BackerOnly::allows(Role::Publisher));
        assert!(PublisherOnly::allows(Role::Publisher) && !PublisherOnly::allows(Role::Backer));
    }
}
