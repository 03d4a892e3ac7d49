//! `server ledger-check`: prints where every won is (deposited, cashed out,
//! held in pockets, held by projects) and every broken invariant the
//! database's `ledger_violations()` finds; exits non-zero if any.

use sqlx::PgPool;

use crate::startup::StartupError;

#[derive(sqlx::FromRow)]
struct Violation {
    problem: String,
    account_id: Option<i64>,
    post_id: Option<i64>,
    detail: Option<String>,
}

pub async fn run(db: &PgPool) -> Result<(), StartupError> {
    let (deposits, cash_outs, pockets, escrows): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'DEPOSIT')::bigint, \
                (SELECT coalesce(-sum(amount), 0) FROM ledger_entries WHERE kind = 'CASH_OUT')::bigint, \
                (SELECT coalesce(sum(balance), 0) FROM pockets)::bigint, \
                (SELECT coalesce(-sum(amount), 0) FROM ledger_entries WHERE post_id IS NOT NULL)::bigint",
    )
    .fetch_one(db)
    .await
    .map_err(StartupError::LedgerCheck)?;
    println!("deposited      {deposits:>16} KRW");
    println!("cashed out     {cash_outs:>16} KRW");
    println!("in pockets     {pockets:>16} KRW");
    println!("in escrow      {escrows:>16} KRW");
    println!(
        "difference     {:>16} KRW (deposited − cashed out − pockets − escrow)",
        deposits - cash_outs - pockets - escrows
    );
    let broken: Vec<Violation> =
        sqlx::query_as("SELECT problem, account_id, post_id, detail FROM ledger_violations()")
            .fetch_all(db)
            .await
            .map_err(StartupError::LedgerCheck)?;
    for violation in &broken {
        println!(
            "BROKEN {}: account {} post {}: {}",
            violation.problem,
            violation
                .account_id
                .map_or_else(|| "-".to_owned(), |id| id.to_string()),
            violation
                .post_id
                .map_or_else(|| "-".to_owned(), |id| id.to_string()),
            violation.detail.as_deref().unwrap_or_default()
        );
    }
    if broken.is_empty() {
        println!("ledger holds");
        Ok(())
    } else {
        Err(StartupError::LedgerBroken(broken.len()))
    }
}
