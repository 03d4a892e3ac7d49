//! Backing from the browser: may I back, the checkout's confirm, and
//! withdrawing. The same service and rules as `/api/v1/posts/{id}/backings`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{authorize, state, with_status};
#[cfg(feature = "ssr")]
use crate::service::access::AnyAccount;
use crate::{error::AppError, model::Eligibility};

/// Whether the calling browser may back the project, and a fresh
/// idempotency key for a checkout form (so a double submit backs once).
#[server(endpoint = "backing_eligibility")]
pub async fn backing_eligibility(id: i64) -> Result<(Eligibility, String), AppError> {
    with_status(async move {
        let state = state()?;
        let parts = super::request_parts()?;
        let session = crate::service::sessions::from_headers(&state, &parts.headers).await;
        let answer = crate::service::backings::eligibility(&state, session.as_ref(), id).await?;
        Ok((answer, leptos::nonce::Nonce::new().to_string()))
    })
    .await
}

/// Confirms a backing at the price the backer saw; afterwards the browser
/// goes back to the project.
#[server(endpoint = "back_project")]
pub async fn back_project(id: i64, price: String, key: Option<String>) -> Result<i64, AppError> {
    with_status(async move {
        let session = authorize::<AnyAccount>().await?;
        let seen = crate::domain::Money::parse_typed(&price).ok_or_else(|| {
            AppError::new(
                crate::error::ErrorCode::BadRequest,
                crate::error::Problem::PriceMissing,
            )
        })?;
        let key = key
            .map(|key| {
                crate::domain::pocket::IdempotencyKey::parse(&key).map_err(|_| {
                    AppError::new(
                        crate::error::ErrorCode::BadRequest,
                        crate::error::Problem::FormOutOfDate,
                    )
                })
            })
            .transpose()?;
        let receipt =
            crate::service::backings::back(&state()?, &session, id, Some(seen), key.as_ref())
                .await?;
        leptos_axum::redirect(&format!("/posts/{id}"));
        Ok(receipt.id)
    })
    .await
}

/// Takes the caller's backing back while the project funds.
#[server(endpoint = "withdraw_backing")]
pub async fn withdraw_backing(id: i64) -> Result<i64, AppError> {
    with_status(async move {
        let session = authorize::<AnyAccount>().await?;
        crate::service::backings::withdraw(&state()?, &session, id).await?;
        leptos_axum::redirect(&format!("/posts/{id}"));
        Ok(id)
    })
    .await
}
