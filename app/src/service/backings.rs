//! Backings: what a backer has paid for. (Backing a project, with its debit
//! on the ledger, joins this module with the backing issue.)

use chrono::{DateTime, Utc};

use crate::{
    domain::Money,
    error::AppError,
    model::BackedProject,
    service::posts::{SummaryRow, summary_columns},
    state::AppState,
};

#[derive(sqlx::FromRow)]
struct BackedRow {
    #[sqlx(flatten)]
    project: SummaryRow,
    amount: i64,
    backed_at: DateTime<Utc>,
}

/// Every project one backer has backed, most recent backing first,
/// whatever became of the project (a cancelled one shows its refund in the
/// pocket history); deleted projects are left out.
pub async fn of_backer(state: &AppState, backer_id: i64) -> Result<Vec<BackedProject>, AppError> {
    let sql = concat!(
        "SELECT ",
        summary_columns!(),
        ", b.amount, b.created_at AS backed_at FROM backings b JOIN posts p ON p.id = b.post_id",
        " WHERE b.backer_id = $1 AND p.deleted_at IS NULL ORDER BY b.id DESC"
    );
    let rows: Vec<BackedRow> = sqlx::query_as(sql)
        .bind(backer_id)
        .fetch_all(&state.db)
        .await?;
    let today = state.today();
    rows.into_iter()
        .map(|row| {
            Ok(BackedProject {
                project: row.project.into_summary(today)?,
                amount: Money::won(row.amount),
                backed_at: row.backed_at,
            })
        })
        .collect()
}
