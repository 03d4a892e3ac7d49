//! Demo data for `make run`: a browsable site from the first start.

use sqlx::PgPool;

use crate::startup::StartupError;

const DEMO_DATA: &str = include_str!("../sql/demo_data.sql");

/// The demo accounts people can log in as (see the README); every other
/// demo account cannot log in.
pub const DEMO_LOGINS: [&str; 2] = ["demo_backer_1", "demo_publisher_4"];
/// Public on purpose: this is demo data for a local run, never production.
pub const DEMO_PASSWORD: &str = "moa-demo-password";

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
    let hash = app::service::auth::hash_password(DEMO_PASSWORD.to_owned())
        .await
        .map_err(StartupError::DemoPassword)?;
    sqlx::query(
        "UPDATE accounts SET password_hash = $1 WHERE username = ANY($2) AND password_hash = '!'",
    )
    .bind(hash)
    .bind(&DEMO_LOGINS[..])
    .execute(&mut *tx)
    .await
    .map_err(StartupError::DemoData)?;
    tx.commit().await.map_err(StartupError::DemoData)
}
