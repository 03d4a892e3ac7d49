//! The pocket page's server functions: what the pocket holds and every
//! movement, registering it, topping it up, cashing out.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{authorize, state, with_status};
#[cfg(feature = "ssr")]
use crate::service::access::AnyAccount;
use crate::{
    domain::Money,
    error::AppError,
    model::{Pocket, PocketStatement},
};

/// `page` is the history's page (1-based, as text like every door's input).
#[server(endpoint = "pocket_overview")]
pub async fn pocket_overview(page: Option<String>) -> Result<PocketStatement, AppError> {
    with_status(async move {
        let session = authorize::<AnyAccount>().await?;
        let paging =
            crate::domain::Paging::parse(page.as_deref(), None).map_err(AppError::validation)?;
        let state = state()?;
        let deposit_key = leptos::nonce::Nonce::new().to_string();
        let cash_out_key = leptos::nonce::Nonce::new().to_string();
        let Some(pocket) = crate::service::pockets::find(&state, session.account_id).await? else {
            return Ok(PocketStatement {
                role: session.role,
                pocket: None,
                entries: crate::model::LedgerPage::default(),
                deposit_key,
                cash_out_key,
            });
        };
        let entries = crate::service::pockets::entries(&state, session.account_id, paging).await?;
        Ok(PocketStatement {
            role: session.role,
            pocket: Some(pocket),
            entries,
            deposit_key,
            cash_out_key,
        })
    })
    .await
}

/// `next` is where to go afterwards (a path on this site; the pocket page
/// by default), e.g. back to the publishing form that asked for a pocket.
#[server(endpoint = "register_pocket")]
pub async fn register_pocket(
    bank: String,
    account_number: String,
    next: Option<String>,
) -> Result<Pocket, AppError> {
    with_status(async move {
        let session = authorize::<AnyAccount>().await?;
        let registration = crate::domain::PocketRegistration::parse(&bank, &account_number)
            .map_err(AppError::validation)?;
        let pocket =
            crate::service::pockets::register(&state()?, session.account_id, registration).await?;
        let destination = crate::domain::account::return_path_or(next.as_deref(), "/pocket");
        leptos_axum::redirect(&destination);
        Ok(pocket)
    })
    .await
}

/// Takes the amount as typed (`50,000`), so a mistyped amount is a field
/// error next to the input rather than a malformed request. `key` is the
/// form's idempotency key (`PocketStatement::deposit_key`).
#[server(endpoint = "top_up")]
pub async fn top_up(amount: String, key: Option<String>) -> Result<Money, AppError> {
    with_status(async move {
        let session = authorize::<AnyAccount>().await?;
        let amount = crate::domain::pocket::parse_deposit(&amount).map_err(AppError::validation)?;
        let key = form_key(key)?;
        let deposit =
            crate::service::pockets::deposit(&state()?, session.account_id, amount, key.as_ref())
                .await?;
        leptos_axum::redirect("/pocket");
        Ok(deposit.balance)
    })
    .await
}

/// Pays out of the pocket to its registered bank account (simulated); the
/// amount as typed, at most the balance. `key` is the form's idempotency key
/// (`PocketStatement::cash_out_key`): sent twice, it pays out once.
#[server(endpoint = "cash_out")]
pub async fn cash_out(amount: String, key: Option<String>) -> Result<Money, AppError> {
    with_status(async move {
        let session = authorize::<AnyAccount>().await?;
        let amount =
            crate::domain::pocket::parse_cash_out(&amount).map_err(AppError::validation)?;
        let key = form_key(key)?;
        let paid =
            crate::service::pockets::cash_out(&state()?, session.account_id, amount, key.as_ref())
                .await?;
        leptos_axum::redirect("/pocket");
        Ok(paid.balance)
    })
    .await
}

/// A form's idempotency key; one that does not parse was not issued by us.
#[cfg(feature = "ssr")]
fn form_key(
    key: Option<String>,
) -> Result<Option<crate::domain::pocket::IdempotencyKey>, AppError> {
    key.map(|key| {
        crate::domain::pocket::IdempotencyKey::parse(&key).map_err(|_| {
            AppError::new(
                crate::error::ErrorCode::BadRequest,
                crate::error::Problem::FormOutOfDate,
            )
        })
    })
    .transpose()
}
