//! Signing up and logging in.

use std::net::IpAddr;

use crate::{
    domain::{Credentials, NewAccount, Role},
    error::{AppError, ErrorCode},
    model::Account,
    service::auth,
    state::AppState,
};

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    email: String,
    role: String,
}

impl AccountRow {
    fn into_account(self) -> Result<Account, AppError> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            tracing::error!(
                account_id = self.id,
                role = self.role,
                "corrupt role in database"
            );
            AppError::internal()
        })?;
        Ok(Account {
            id: self.id,
            username: self.username,
            email: self.email,
            role,
        })
    }
}

/// Creates the account, unless `client` has signed up too often lately.
/// Uniqueness (case-insensitive) is the database's job: two sign-ups racing
/// for one name cannot both win.
pub async fn sign_up(
    state: &AppState,
    new: NewAccount,
    client: Option<IpAddr>,
) -> Result<Account, AppError> {
    state
        .sign_up_limit
        .count(&state.cache, client, state.clock.now())
        .await?;
    let password_hash = auth::hash_password(new.password).await?;
    let inserted = sqlx::query_as::<_, AccountRow>(
        "INSERT INTO accounts (username, email, password_hash, role) VALUES ($1, $2, $3, $4) \
         RETURNING id, username, email, role",
    )
    .bind(&new.username)
    .bind(&new.email)
    .bind(password_hash)
    .bind(new.role.as_str())
    .fetch_one(&state.db)
    .await;
    match inserted {
        Ok(row) => row.into_account(),
        Err(sqlx::Error::Database(error))
            if error.constraint() == Some("accounts_username_key") =>
        {
            Err(AppError::on_field(
                ErrorCode::UsernameTaken,
                "username",
                crate::error::Problem::UsernameTaken,
            ))
        }
        Err(sqlx::Error::Database(error)) if error.constraint() == Some("accounts_email_key") => {
            Err(AppError::on_field(
                ErrorCode::EmailTaken,
                "email",
                crate::error::Problem::EmailTaken,
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// The account whose username (any case) and password match, unless this
/// client has tried too often lately (see `login_throttle`). The attempt is
/// counted before the password is checked.
pub async fn log_in(
    state: &AppState,
    credentials: Credentials,
    client: Option<IpAddr>,
) -> Result<Account, AppError> {
    let now = state.clock.now();
    let throttle = &state.login_throttle;
    let attempt = throttle
        .begin(&state.cache, credentials.name(), client, now)
        .await?;
    let result = verify_credentials(state, credentials).await;
    match &result {
        Ok(_) => throttle.succeeded(&state.cache, attempt).await,
        Err(error) if error.code == ErrorCode::InvalidCredentials => {
            throttle.failed(&state.cache, attempt, now).await;
        }
        Err(_) => throttle.abandoned(&state.cache, attempt).await,
    }
    result
}

async fn verify_credentials(
    state: &AppState,
    credentials: Credentials,
) -> Result<Account, AppError> {
    // The name is ASCII lower case already; `lower()` matches the index.
    let found: Option<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT id, username, email, role, password_hash FROM accounts WHERE lower(username) = $1",
    )
    .bind(credentials.name().as_str())
    .fetch_optional(&state.db)
    .await?;
    let password = credentials.into_password();
    let invalid = || {
        AppError::new(
            ErrorCode::InvalidCredentials,
            crate::error::Problem::CredentialsWrong,
        )
    };
    let Some((id, username, email, role, password_hash)) = found else {
        auth::spend_equal_time(password).await;
        return Err(invalid());
    };
    if !auth::verify_password(password, password_hash).await? {
        return Err(invalid());
    }
    AccountRow {
        id,
        username,
        email,
        role,
    }
    .into_account()
}

pub async fn get(state: &AppState, id: i64) -> Result<Account, AppError> {
    let row: Option<AccountRow> =
        sqlx::query_as("SELECT id, username, email, role FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db)
            .await?;
    // A valid token for an account that no longer exists is no session.
    row.ok_or_else(AppError::unauthenticated)?.into_account()
}
