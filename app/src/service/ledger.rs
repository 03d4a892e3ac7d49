//! Moving money, inside the caller's transaction. Every function here
//! appends one ledger row through the database's `ledger_append`, whose
//! trigger locks the pocket, checks the row follows from the one before it
//! and moves the balance; nothing else can change a balance. A backing,
//! withdrawal, refund or payout is then one transaction however many rows
//! it touches: the caller commits or rolls back all of it.

use sqlx::PgConnection;

use crate::{
    domain::{LedgerKind, Money},
    error::AppError,
};

/// The row a movement wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moved {
    pub entry_id: i64,
    /// The pocket's balance after this movement.
    pub balance: Money,
}

async fn append(
    tx: &mut PgConnection,
    account_id: i64,
    kind: LedgerKind,
    signed_amount: i64,
    post_id: Option<i64>,
    key: Option<&str>,
) -> Result<Moved, AppError> {
    let (entry_id, balance): (i64, i64) =
        sqlx::query_as("SELECT id, balance_after FROM ledger_append($1, $2, $3, $4, $5)")
            .bind(account_id)
            .bind(kind.as_str())
            .bind(signed_amount)
            .bind(post_id)
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
    Ok(Moved {
        entry_id,
        balance: Money::won(balance),
    })
}

/// Money from outside into the pocket (a top-up).
pub async fn deposit(
    tx: &mut PgConnection,
    account_id: i64,
    amount: Money,
    key: Option<&str>,
) -> Result<Moved, AppError> {
    append(
        tx,
        account_id,
        LedgerKind::Deposit,
        amount.as_won(),
        None,
        key,
    )
    .await
}

/// Money from the pocket out to the bank account. Refused by the database
/// (`INSUFFICIENT_BALANCE`) if the pocket does not hold it.
pub async fn cash_out(
    tx: &mut PgConnection,
    account_id: i64,
    amount: Money,
    key: Option<&str>,
) -> Result<Moved, AppError> {
    append(
        tx,
        account_id,
        LedgerKind::CashOut,
        -amount.as_won(),
        None,
        key,
    )
    .await
}

/// Money from a backer's pocket into a project's escrow.
pub async fn into_escrow(
    tx: &mut PgConnection,
    backer_id: i64,
    post_id: i64,
    amount: Money,
) -> Result<Moved, AppError> {
    append(
        tx,
        backer_id,
        LedgerKind::Backing,
        -amount.as_won(),
        Some(post_id),
        None,
    )
    .await
}

/// Money from a project's escrow into a pocket: a withdrawal or refund to a
/// backer, a payout to the publisher. Refused by the database if the escrow
/// does not hold it.
pub async fn out_of_escrow(
    tx: &mut PgConnection,
    kind: LedgerKind,
    account_id: i64,
    post_id: i64,
    amount: Money,
) -> Result<Moved, AppError> {
    append(tx, account_id, kind, amount.as_won(), Some(post_id), None).await
}

/// The money a project holds: what its backers paid in, less what went
/// back out. Derived from the ledger, never stored.
pub async fn escrow(tx: &mut PgConnection, post_id: i64) -> Result<Money, AppError> {
    let held: i64 = sqlx::query_scalar(
        "SELECT coalesce(-sum(amount), 0)::bigint FROM ledger_entries WHERE post_id = $1",
    )
    .bind(post_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok(Money::won(held))
}
