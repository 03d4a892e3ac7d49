//! `POST /api/v1/accounts`, `POST /api/v1/auth/token`, `GET /api/v1/me`.

use app::{
    domain::{Credentials, NewAccount},
    error::AppError,
    model::Account,
    service::{self, auth::TOKEN_LIFETIME_SECONDS},
    state::AppState,
};
use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ApiError,
    auth::{ClientAddress, Signed},
    error::ErrorBody,
    input::body,
    pockets::PocketResponse,
};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SignUpRequest {
    /// 3–30 letters, digits or underscores; unique regardless of case.
    username: String,
    /// Unique regardless of case.
    email: String,
    /// At least 10 characters.
    password: String,
    /// `backer` or `publisher`.
    #[schema(example = "backer")]
    role: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountResponse {
    pub id: i64,
    pub username: String,
    pub email: String,
    #[schema(example = "backer")]
    pub role: String,
}

impl From<Account> for AccountResponse {
    fn from(account: Account) -> Self {
        AccountResponse {
            id: account.id,
            username: account.username,
            email: account.email,
            role: account.role.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TokenRequest {
    username: String,
    password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeResponse {
    #[serde(flatten)]
    pub account: AccountResponse,
    /// The registered wallet, or null before one is registered.
    pub pocket: Option<PocketResponse>,
}

/// Create an account.
#[utoipa::path(
    post,
    path = "/api/v1/accounts",
    tag = "accounts",
    request_body = SignUpRequest,
    responses(
        (status = 201, description = "Created", body = AccountResponse),
        (status = 409, description = "`USERNAME_TAKEN` or `EMAIL_TAKEN`", body = ErrorBody),
        (status = 422, description = "`VALIDATION_FAILED`, per field in `details`", body = ErrorBody),
        (status = 429, description = "`TOO_MANY_ATTEMPTS`: too many sign-ups from this client, with `Retry-After`", body = ErrorBody),
    )
)]
pub async fn sign_up(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    payload: Result<Json<SignUpRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<AccountResponse>), ApiError> {
    let request = body(payload)?;
    let new = NewAccount::parse(
        &request.username,
        &request.email,
        &request.password,
        &request.role,
    )
    .map_err(AppError::validation)?;
    let account = service::accounts::sign_up(&state, new, client).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// Exchange a username and password for a bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "accounts",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A token for `Authorization: Bearer`", body = TokenResponse),
        (status = 401, description = "`INVALID_CREDENTIALS`", body = ErrorBody),
        (status = 422, description = "`VALIDATION_FAILED`: not a possible username or password", body = ErrorBody),
        (status = 429, description = "`TOO_MANY_ATTEMPTS`, with `Retry-After`", body = ErrorBody),
    )
)]
pub async fn issue_token(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    payload: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<Json<TokenResponse>, ApiError> {
    let request = body(payload)?;
    let credentials =
        Credentials::parse(&request.username, &request.password).map_err(AppError::validation)?;
    let account = service::accounts::log_in(&state, credentials, client).await?;
    Ok(Json(TokenResponse {
        access_token: service::sessions::start(&state, &account).await?,
        token_type: "Bearer".to_owned(),
        expires_in: TOKEN_LIFETIME_SECONDS,
    }))
}

/// End the session of the token this request carries (log out). Other
/// sessions of the account stay.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/token",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The token no longer works"),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
) -> Result<StatusCode, ApiError> {
    service::sessions::end(&state, &session.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account and its pocket", body = MeResponse),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
    )
)]
pub async fn me(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
) -> Result<Json<MeResponse>, ApiError> {
    let account = service::accounts::get(&state, session.account_id).await?;
    let pocket = service::pockets::find(&state, session.account_id).await?;
    Ok(Json(MeResponse {
        account: account.into(),
        pocket: pocket.map(PocketResponse::from),
    }))
}
