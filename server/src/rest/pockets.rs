//! `PUT /api/v1/me/pocket`, `POST /api/v1/me/pocket/deposits`,
//! `POST /api/v1/me/pocket/cash-outs`, `GET /api/v1/me/pocket/entries`.

use app::{
    domain::{
        PocketRegistration,
        pocket::{check_cash_out, check_deposit},
    },
    error::AppError,
    model::{LedgerEntry, Pocket},
    service,
    state::AppState,
};
use axum::{
    Json,
    extract::{
        Query, State,
        rejection::{JsonRejection, QueryRejection},
    },
    http::{HeaderMap, StatusCode},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ApiError,
    auth::Signed,
    error::ErrorBody,
    input::{PageParams, body, idempotency_key, query},
};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PocketRequest {
    /// A bank code: KB, SHINHAN, WOORI, HANA, NH, IBK, KAKAO, TOSS, KBANK, SC, BUSAN, DAEGU.
    #[schema(example = "KB")]
    bank: String,
    /// 10–14 digits; hyphens and spaces are ignored.
    #[schema(example = "110-123-456789")]
    account_number: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PocketResponse {
    #[schema(example = "KB")]
    pub bank: String,
    #[schema(example = "*****456789")]
    pub account_number_masked: String,
    /// KRW.
    pub balance: i64,
}

impl From<Pocket> for PocketResponse {
    fn from(pocket: Pocket) -> Self {
        PocketResponse {
            bank: pocket.bank.code().to_owned(),
            account_number_masked: pocket.account_number_masked,
            balance: pocket.balance.as_won(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositRequest {
    /// KRW, 1,000–10,000,000.
    amount: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BalanceResponse {
    pub balance: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EntryResponse {
    pub id: i64,
    /// DEPOSIT, BACKING, WITHDRAWAL, REFUND, PAYOUT or CASH_OUT.
    pub kind: String,
    /// KRW; positive into the pocket, negative out of it.
    pub amount: i64,
    pub balance_after: i64,
    /// The project the money went to or came from (backings, withdrawals,
    /// refunds, payouts).
    pub post_id: Option<i64>,
    /// That project's title.
    pub post_title: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<LedgerEntry> for EntryResponse {
    fn from(entry: LedgerEntry) -> Self {
        EntryResponse {
            id: entry.id,
            kind: entry.kind.as_str().to_owned(),
            amount: entry.amount.as_won(),
            balance_after: entry.balance_after.as_won(),
            post_id: entry.project.as_ref().map(|(id, _)| *id),
            post_title: entry.project.map(|(_, title)| title),
            created_at: entry.created_at,
        }
    }
}

/// Register the pocket (or change its bank account; the balance stays).
#[utoipa::path(
    put,
    path = "/api/v1/me/pocket",
    tag = "pockets",
    security(("bearer" = [])),
    request_body = PocketRequest,
    responses(
        (status = 200, description = "The pocket", body = PocketResponse),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 422, description = "`VALIDATION_FAILED` (bank, account_number)", body = ErrorBody),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
    payload: Result<Json<PocketRequest>, JsonRejection>,
) -> Result<Json<PocketResponse>, ApiError> {
    let request = body(payload)?;
    let registration = PocketRegistration::parse(&request.bank, &request.account_number)
        .map_err(AppError::validation)?;
    Ok(Json(
        service::pockets::register(&state, session.account_id, registration)
            .await?
            .into(),
    ))
}

/// Top up the pocket (a simulated deposit). Send an `Idempotency-Key` to
/// make retrying safe: a repeat with the same key and amount deposits
/// nothing and answers as the first did (with `Idempotent-Replayed: true`).
#[utoipa::path(
    post,
    path = "/api/v1/me/pocket/deposits",
    tag = "pockets",
    security(("bearer" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header,
            description = "1–200 visible ASCII characters, e.g. a UUID, unique per intended deposit"),
    ),
    request_body = DepositRequest,
    responses(
        (status = 201, description = "The new balance", body = BalanceResponse),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 409, description = "`POCKET_NOT_REGISTERED`, or `IDEMPOTENCY_KEY_REUSED` for a different amount", body = ErrorBody),
        (status = 422, description = "`VALIDATION_FAILED` (amount, Idempotency-Key)", body = ErrorBody),
    )
)]
pub async fn deposit(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
    headers: HeaderMap,
    payload: Result<Json<DepositRequest>, JsonRejection>,
) -> Result<BalanceMoved, ApiError> {
    let key = idempotency_key(&headers)?;
    let request = body(payload)?;
    let amount = check_deposit(request.amount).map_err(AppError::validation)?;
    let deposit =
        service::pockets::deposit(&state, session.account_id, amount, key.as_ref()).await?;
    Ok(balance_moved(deposit))
}

/// A deposit's or cash-out's answer: 201 with the new balance, and whether
/// it repeats an earlier request with the same `Idempotency-Key`.
type BalanceMoved = (
    StatusCode,
    [(&'static str, &'static str); 1],
    Json<BalanceResponse>,
);

fn balance_moved(moved: service::pockets::Deposit) -> BalanceMoved {
    let replayed = if moved.replayed { "true" } else { "false" };
    (
        StatusCode::CREATED,
        [("idempotent-replayed", replayed)],
        Json(BalanceResponse {
            balance: moved.balance.as_won(),
        }),
    )
}

/// One page of the movements, in the same shape as the project list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EntryList {
    pub items: Vec<EntryResponse>,
    pub page: u32,
    pub per_page: u32,
    pub total_items: u64,
    pub total_pages: u32,
}

/// The movements of the pocket's money, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/me/pocket/entries",
    tag = "pockets",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of ledger rows", body = EntryList),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 409, description = "`POCKET_NOT_REGISTERED`", body = ErrorBody),
        (status = 422, description = "`VALIDATION_FAILED` (page, per_page)", body = ErrorBody),
    )
)]
pub async fn entries(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
    params: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<EntryList>, ApiError> {
    let paging = query(params)?.parse()?;
    let page = service::pockets::entries(&state, session.account_id, paging).await?;
    Ok(Json(EntryList {
        items: page.items.into_iter().map(EntryResponse::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total_items: page.total_items,
        total_pages: page.total_pages,
    }))
}

/// How much to cash out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashOutRequest {
    /// KRW, at least 1 and at most the balance.
    pub amount: i64,
}

/// Pay money out of the pocket to its registered bank account (simulated).
#[utoipa::path(
    post,
    path = "/api/v1/me/pocket/cash-outs",
    tag = "pockets",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "1–200 visible ASCII characters, unique per intended cash-out")),
    request_body = CashOutRequest,
    responses(
        (status = 201, description = "The new balance", body = BalanceResponse),
        (status = 401, description = "`UNAUTHENTICATED`", body = ErrorBody),
        (status = 409, description = "`INSUFFICIENT_BALANCE`, `POCKET_NOT_REGISTERED` or `IDEMPOTENCY_KEY_REUSED`", body = ErrorBody,
            example = json!({"error": {"code": "INSUFFICIENT_BALANCE", "message": "That is more than your pocket holds.", "details": {"amount": "That is more than your pocket holds."}}})),
        (status = 422, description = "`VALIDATION_FAILED` (amount, Idempotency-Key)", body = ErrorBody),
    )
)]
pub async fn cash_out(
    State(state): State<AppState>,
    Signed { session, .. }: Signed,
    headers: HeaderMap,
    payload: Result<Json<CashOutRequest>, JsonRejection>,
) -> Result<BalanceMoved, ApiError> {
    let key = idempotency_key(&headers)?;
    let request = body(payload)?;
    let amount = check_cash_out(request.amount).map_err(AppError::validation)?;
    let done = service::pockets::cash_out(&state, session.account_id, amount, key.as_ref()).await?;
    Ok(balance_moved(done))
}
