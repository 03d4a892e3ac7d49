//! Signing up, logging in and out in the browser. The session is a cookie
//! set on the server response; the same rules as the REST API apply.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::{request_parts, state};
use crate::{
    error::AppError,
    model::{Account, Pocket},
};

/// The signed-in account and its pocket, for the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub account: Account,
    pub pocket: Option<Pocket>,
}

#[cfg(feature = "ssr")]
async fn start_session(state: &crate::state::AppState, account: &Account) -> Result<(), AppError> {
    use crate::service::session;
    let token = crate::service::sessions::start(state, account).await?;
    let cookie =
        session::set_cookie(&token, state.secure_cookies).ok_or_else(AppError::internal)?;
    expect_context::<leptos_axum::ResponseOptions>()
        .append_header(http::header::SET_COOKIE, cookie);
    Ok(())
}

#[cfg(feature = "ssr")]
fn response_options() -> Result<leptos_axum::ResponseOptions, AppError> {
    use_context::<leptos_axum::ResponseOptions>().ok_or_else(AppError::internal)
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    email: String,
    password: String,
    role: String,
    /// Where to go afterwards (a path on this site).
    next: Option<String>,
) -> Result<Account, AppError> {
    super::with_status(async move {
        let state = state()?;
        let new = crate::domain::NewAccount::parse(&username, &email, &password, &role)
            .map_err(AppError::validation)?;
        let account =
            crate::service::accounts::sign_up(&state, new, super::client_address()?).await?;
        start_session(&state, &account).await?;
        leptos_axum::redirect(&crate::domain::account::return_path(next.as_deref()));
        Ok(account)
    })
    .await
}

#[server(endpoint = "log_in")]
pub async fn log_in(
    username: String,
    password: String,
    /// Where to go afterwards (a path on this site).
    next: Option<String>,
) -> Result<Account, AppError> {
    super::with_status(async move {
        let state = state()?;
        let credentials = crate::domain::Credentials::parse(&username, &password)
            .map_err(AppError::validation)?;
        let account =
            crate::service::accounts::log_in(&state, credentials, super::client_address()?).await?;
        start_session(&state, &account).await?;
        leptos_axum::redirect(&crate::domain::account::return_path(next.as_deref()));
        Ok(account)
    })
    .await
}

#[server(endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    super::with_status(async move {
        let state = state()?;
        // End the cookie's session on the server, so a copy of the cookie
        // is worthless. If that fails, say so rather than pretend.
        let parts = request_parts()?;
        if let Some(token) = crate::service::session::cookie_token(&parts.headers)
            && let Ok(claims) = state.tokens.verify(token, state.clock.now())
        {
            crate::service::sessions::end(&state, &claims.session_id).await?;
        }
        response_options()?.append_header(
            http::header::SET_COOKIE,
            crate::service::session::clear_cookie(state.secure_cookies),
        );
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(endpoint = "current_account")]
pub async fn current_account() -> Result<Option<Me>, AppError> {
    super::with_status(async move {
        let state = state()?;
        let Some(session) =
            crate::service::sessions::from_headers(&state, &request_parts()?.headers).await
        else {
            return Ok(None);
        };
        let account = match crate::service::accounts::get(&state, session.account_id).await {
            Ok(account) => account,
            Err(error) if error.code == crate::error::ErrorCode::Unauthenticated => {
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let pocket = crate::service::pockets::find(&state, account.id).await?;
        Ok(Some(Me { account, pocket }))
    })
    .await
}
