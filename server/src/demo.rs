//! Demo data for `make run`: a browsable site from the first start.

use sqlx::PgPool;

use crate::startup::StartupError;

const DEMO_DATA: &str = include_str!("../sql/demo_data.sql");

/// Loads the demo projects unless they are already there. `today` anchors
/// the end dates, so funding projects are open whenever the demo is loaded.
pub async fn load(pool: &PgPool, today: chrono::NaiveDate) -> Result<(), StartupError> {
    let mut tx = pool.begin().await.map_err(StartupError::DemoData)?;
    sqlx::query("SELECT set_config('moa.today', $1, true)")
        .bind(today.to_string())
        .execute(&mut *tx)
        .await
        .map_err(StartupError::DemoData)?;
    sqlx::raw_sql(DEMO_DATA)
        .execute(&mut *tx)
        .await
        .map_err(StartupError::DemoData)?;
    tx.commit().await.map_err(StartupError::DemoData)
}
