//! Pockets and their ledger. A balance changes only by appending a ledger
//! row through the database's `ledger_append`; the database refuses any
//! other change to it.

use chrono::{DateTime, Utc};

use crate::{
    domain::{
        Bank, LedgerKind, Money, Paging, PocketRegistration,
        pocket::{IdempotencyKey, mask_account_number},
    },
    error::{AppError, ErrorCode, Problem},
    model::{LedgerEntry, LedgerPage, Pocket},
    service::ledger,
    state::AppState,
};

#[derive(sqlx::FromRow)]
struct PocketRow {
    bank: String,
    account_number: String,
    balance: i64,
}

impl PocketRow {
    fn into_pocket(self) -> Result<Pocket, AppError> {
        let bank = Bank::from_code(&self.bank).ok_or_else(|| {
            tracing::error!(bank = self.bank, "unknown bank in database");
            AppError::internal()
        })?;
        Ok(Pocket {
            bank,
            account_number_masked: mask_account_number(&self.account_number),
            balance: Money::won(self.balance),
        })
    }
}

fn not_registered() -> AppError {
    AppError::new(ErrorCode::PocketNotRegistered, Problem::PocketFirst)
}

pub async fn find(state: &AppState, account_id: i64) -> Result<Option<Pocket>, AppError> {
    let row: Option<PocketRow> =
        sqlx::query_as("SELECT bank, account_number, balance FROM pockets WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&state.db)
            .await?;
    row.map(PocketRow::into_pocket).transpose()
}

/// Registers the pocket, or changes its bank account; the balance stays.
pub async fn register(
    state: &AppState,
    account_id: i64,
    registration: PocketRegistration,
) -> Result<Pocket, AppError> {
    let row: PocketRow = sqlx::query_as(
        "INSERT INTO pockets (account_id, bank, account_number) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE \
            SET bank = EXCLUDED.bank, account_number = EXCLUDED.account_number, updated_at = now() \
         RETURNING bank, account_number, balance",
    )
    .bind(account_id)
    .bind(registration.bank.code())
    .bind(&registration.account_number)
    .fetch_one(&state.db)
    .await?;
    row.into_pocket()
}

/// The outcome of a top-up or a cash-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deposit {
    /// The balance the deposit produced.
    pub balance: Money,
    /// True when an earlier deposit with the same idempotency key is being
    /// reported again, and no money moved this time.
    pub replayed: bool,
}

/// A simulated top-up, written as one ledger row by the database's
/// `ledger_append`, which also moves the balance (nothing else can). A
/// retry with the same key deposits nothing and reports the first deposit.
pub async fn deposit(
    state: &AppState,
    account_id: i64,
    amount: Money,
    key: Option<&IdempotencyKey>,
) -> Result<Deposit, AppError> {
    move_once(state, account_id, LedgerKind::Deposit, amount, key).await
}

/// Pays `amount` out of the pocket to its registered bank account
/// (simulated). A retry with the same key pays nothing and reports the
/// first cash-out again; the database refuses more than the balance.
pub async fn cash_out(
    state: &AppState,
    account_id: i64,
    amount: Money,
    key: Option<&IdempotencyKey>,
) -> Result<Deposit, AppError> {
    move_once(state, account_id, LedgerKind::CashOut, amount, key)
        .await
        .map_err(|error| match error.code {
            // "Top it up first" is the wrong advice for money going out.
            ErrorCode::InsufficientBalance => AppError::on_field(
                ErrorCode::InsufficientBalance,
                "amount",
                Problem::MoreThanPocketHolds,
            ),
            _ => error,
        })
}

/// Money in (`Deposit`) or out (`CashOut`) of a pocket, at most once per
/// idempotency key of that kind. The pocket row is locked first, so a
/// request sees any earlier one with the same key (the unique index backs
/// this up); the same key with another amount is refused.
async fn move_once(
    state: &AppState,
    account_id: i64,
    kind: LedgerKind,
    amount: Money,
    key: Option<&IdempotencyKey>,
) -> Result<Deposit, AppError> {
    let mut tx = state.db.begin().await?;
    let locked: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM pockets WHERE account_id = $1 FOR UPDATE")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
    locked.ok_or_else(not_registered)?;
    if let Some(key) = key {
        let earlier: Option<(i64, i64)> = sqlx::query_as(
            "SELECT abs(amount), balance_after FROM ledger_entries \
              WHERE account_id = $1 AND kind = $2 AND idempotency_key = $3",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((earlier_amount, balance_after)) = earlier {
            tx.rollback().await?;
            return if earlier_amount == amount.as_won() {
                Ok(Deposit {
                    balance: Money::won(balance_after),
                    replayed: true,
                })
            } else {
                Err(AppError::new(
                    ErrorCode::IdempotencyKeyReused,
                    Problem::KeyUsedForAnotherAmount,
                ))
            };
        }
    }
    let key = key.map(IdempotencyKey::as_str);
    let moved = match kind {
        LedgerKind::CashOut => ledger::cash_out(&mut tx, account_id, amount, key).await?,
        _ => ledger::deposit(&mut tx, account_id, amount, key).await?,
    };
    tx.commit().await?;
    Ok(Deposit {
        balance: moved.balance,
        replayed: false,
    })
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    kind: String,
    amount: i64,
    balance_after: i64,
    post_id: Option<i64>,
    title: Option<String>,
    created_at: DateTime<Utc>,
}

impl EntryRow {
    fn into_entry(self) -> Result<LedgerEntry, AppError> {
        let kind = LedgerKind::parse(&self.kind).ok_or_else(|| {
            tracing::error!(
                entry = self.id,
                kind = self.kind,
                "unknown ledger kind in database"
            );
            AppError::internal()
        })?;
        Ok(LedgerEntry {
            id: self.id,
            kind,
            amount: Money::won(self.amount),
            balance_after: Money::won(self.balance_after),
            project: self.post_id.zip(self.title),
            created_at: self.created_at,
        })
    }
}

/// One page of the pocket's movements, newest first.
pub async fn entries(
    state: &AppState,
    account_id: i64,
    paging: Paging,
) -> Result<LedgerPage, AppError> {
    if find(state, account_id).await?.is_none() {
        return Err(not_registered());
    }
    let rows = sqlx::query_as::<_, EntryRow>(
        "SELECT e.id, e.kind, e.amount, e.balance_after, e.post_id, p.title, e.created_at \
           FROM ledger_entries e LEFT JOIN posts p ON p.id = e.post_id \
          WHERE e.account_id = $1 ORDER BY e.seq DESC LIMIT $2 OFFSET $3",
    )
    .bind(account_id)
    .bind(paging.limit())
    .bind(paging.offset())
    .fetch_all(&state.db);
    let count =
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM ledger_entries WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&state.db);
    let (rows, total_items) = tokio::try_join!(rows, count)?;
    let items = rows
        .into_iter()
        .map(EntryRow::into_entry)
        .collect::<Result<Vec<_>, _>>()?;
    let total_items = u64::try_from(total_items).unwrap_or_default();
    Ok(LedgerPage::of(items, paging, total_items))
}
