//! Backing a project: who may (eligibility), paying from the pocket into
//! the project's escrow (checkout), taking it back while the project funds
//! (withdraw), and what a backer has backed. Each change is one
//! transaction: the project row is locked first, so backings of one
//! project, its edits and its settlement happen one at a time, and the
//! database's guards (one active backing per backer and project, no
//! negative balance, no escrow paid out twice) stand behind every check.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::{
    domain::{BackingStatus, LedgerKind, Money, PostStatus, Role, pocket::IdempotencyKey},
    error::{AppError, ErrorCode, Problem},
    model::{BackedProject, BackingReceipt, Eligibility},
    service::{
        auth::Session,
        ledger,
        posts::{self, SummaryRow, summary_columns},
    },
    state::AppState,
};

#[derive(sqlx::FromRow)]
struct BackedRow {
    #[sqlx(flatten)]
    project: SummaryRow,
    amount: i64,
    backing_status: String,
    backed_at: DateTime<Utc>,
}

/// Every backing of one backer, most recent first, whatever became of it
/// or of the project; deleted projects are left out.
pub async fn of_backer(state: &AppState, backer_id: i64) -> Result<Vec<BackedProject>, AppError> {
    let sql = concat!(
        "SELECT ",
        summary_columns!(),
        ", b.amount, b.status AS backing_status, b.created_at AS backed_at",
        " FROM backings b JOIN posts p ON p.id = b.post_id",
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
                status: backing_status(&row.backing_status)?,
                backed_at: row.backed_at,
            })
        })
        .collect()
}

fn backing_status(text: &str) -> Result<BackingStatus, AppError> {
    BackingStatus::parse(text).ok_or_else(|| {
        tracing::error!(status = text, "unknown backing status in database");
        AppError::internal()
    })
}

/// What a backing needs to know of its project.
struct Project {
    publisher_id: i64,
    status: PostStatus,
    price: Money,
    end_date: NaiveDate,
}

impl Project {
    /// Funding, and not past its last day (even before settlement ran).
    fn is_fundable(&self, today: NaiveDate) -> bool {
        self.status == PostStatus::Funding && self.end_date >= today
    }
}

async fn project(tx: &mut PgConnection, post_id: i64, lock: bool) -> Result<Project, AppError> {
    let sql = if lock {
        "SELECT publisher_id, status, price, end_date FROM posts \
          WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
    } else {
        "SELECT publisher_id, status, price, end_date FROM posts \
          WHERE id = $1 AND deleted_at IS NULL"
    };
    let row: Option<(i64, String, i64, NaiveDate)> = sqlx::query_as(sql)
        .bind(post_id)
        .fetch_optional(&mut *tx)
        .await?;
    let (publisher_id, status, price, end_date) = row.ok_or_else(AppError::post_not_found)?;
    Ok(Project {
        publisher_id,
        status: status.parse().map_err(|error| {
            tracing::error!(%error, post_id, "corrupt status in database");
            AppError::internal()
        })?,
        price: Money::won(price),
        end_date,
    })
}

fn refusal(code: ErrorCode) -> AppError {
    let problem = match code {
        ErrorCode::Unauthenticated => Problem::LogInToBack,
        ErrorCode::PublisherCannotBack => Problem::PublisherCannotBack,
        ErrorCode::PostNotFunding => Problem::NotFunding,
        ErrorCode::AlreadyBacked => Problem::AlreadyBacked,
        ErrorCode::PocketNotRegistered => Problem::PocketFirstToBack,
        ErrorCode::InsufficientBalance => Problem::NotEnoughInPocket,
        ErrorCode::PriceChanged => Problem::PriceChanged,
        ErrorCode::BackingNotFound => Problem::NoBackingToWithdraw,
        _ => Problem::CannotBack,
    };
    AppError::new(code, problem)
}

/// Whether the asker may back the project now, and if not, why: the same
/// rules (in the same order) that `back` applies.
pub async fn eligibility(
    state: &AppState,
    session: Option<&Session>,
    post_id: i64,
) -> Result<Eligibility, AppError> {
    let mut conn = state.db.acquire().await?;
    let project = project(&mut conn, post_id, false).await?;
    let mut answer = Eligibility {
        eligible: false,
        reason: None,
        price: project.price,
        balance: None,
        owner: false,
    };
    let Some(session) = session else {
        answer.reason = Some(ErrorCode::Unauthenticated);
        return Ok(answer);
    };
    let balance: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM pockets WHERE account_id = $1")
            .bind(session.account_id)
            .fetch_optional(&mut *conn)
            .await?;
    answer.balance = balance.map(Money::won);
    answer.owner = session.account_id == project.publisher_id;
    let backed: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM backings WHERE post_id = $1 AND backer_id = $2 AND status = 'ACTIVE')",
    )
    .bind(post_id)
    .bind(session.account_id)
    .fetch_one(&mut *conn)
    .await?;
    answer.reason = first_refusal(session, &project, state.today(), backed, answer.balance);
    answer.eligible = answer.reason.is_none();
    Ok(answer)
}

/// The first rule that refuses a backing, in the order a person can act on.
fn first_refusal(
    session: &Session,
    project: &Project,
    today: NaiveDate,
    backed: bool,
    balance: Option<Money>,
) -> Option<ErrorCode> {
    if session.role == Role::Publisher {
        Some(ErrorCode::PublisherCannotBack)
    } else if !project.is_fundable(today) {
        Some(ErrorCode::PostNotFunding)
    } else if backed {
        Some(ErrorCode::AlreadyBacked)
    } else {
        match balance {
            None => Some(ErrorCode::PocketNotRegistered),
            Some(balance) if balance < project.price => Some(ErrorCode::InsufficientBalance),
            Some(_) => None,
        }
    }
}

/// Backs the project once at its price, paid from the backer's pocket into
/// the project's escrow. `seen_price` is the price the backer confirmed
/// (refused with `PRICE_CHANGED` if it is no longer the price); `key`
/// makes a retry return the first backing instead of backing again.
pub async fn back(
    state: &AppState,
    session: &Session,
    post_id: i64,
    seen_price: Option<Money>,
    key: Option<&IdempotencyKey>,
) -> Result<BackingReceipt, AppError> {
    let mut tx = state.db.begin().await?;
    let project = project(&mut tx, post_id, true).await?;
    if let Some(key) = key
        && let Some(earlier) = by_key(&mut tx, session.account_id, key).await?
    {
        tx.rollback().await?;
        return if earlier.post_id == post_id {
            // A retry after a lost answer reads its backing like the first.
            crate::service::replica::note_write(state, session.account_id).await;
            Ok(BackingReceipt {
                replayed: true,
                ..earlier
            })
        } else {
            Err(AppError::new(
                ErrorCode::IdempotencyKeyReused,
                Problem::KeyUsedForAnotherProject,
            ))
        };
    }
    if session.role == Role::Publisher {
        return Err(refusal(ErrorCode::PublisherCannotBack));
    }
    if !project.is_fundable(state.today()) {
        return Err(refusal(ErrorCode::PostNotFunding));
    }
    if seen_price.is_some_and(|seen| seen != project.price) {
        return Err(refusal(ErrorCode::PriceChanged));
    }
    if project.publisher_id == session.account_id {
        return Err(refusal(ErrorCode::PublisherCannotBack));
    }
    // The unique index turns a second active backing into ALREADY_BACKED.
    let backing_id: i64 = sqlx::query_scalar(
        "INSERT INTO backings (post_id, backer_id, amount, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(post_id)
    .bind(session.account_id)
    .bind(project.price.as_won())
    .bind(key.map(IdempotencyKey::as_str))
    .bind(state.clock.now())
    .fetch_one(&mut *tx)
    .await?;
    let paid = ledger::into_escrow(&mut tx, session.account_id, post_id, project.price).await?;
    sqlx::query("UPDATE backings SET payment_entry_id = $2 WHERE id = $1")
        .bind(backing_id)
        .bind(paid.entry_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE posts SET total_amount = total_amount + $2, backer_count = backer_count + 1 \
          WHERE id = $1",
    )
    .bind(post_id)
    .bind(project.price.as_won())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    crate::metrics::backing_made();
    posts::changed_by(state, session.account_id).await;
    Ok(BackingReceipt {
        id: backing_id,
        post_id,
        amount: project.price,
        status: BackingStatus::Active,
        balance: paid.balance,
        replayed: false,
    })
}

async fn by_key(
    tx: &mut PgConnection,
    backer_id: i64,
    key: &IdempotencyKey,
) -> Result<Option<BackingReceipt>, AppError> {
    let row: Option<(i64, i64, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT b.id, b.post_id, b.amount, b.status, e.balance_after FROM backings b \
           LEFT JOIN ledger_entries e ON e.id = b.payment_entry_id \
          WHERE b.backer_id = $1 AND b.idempotency_key = $2",
    )
    .bind(backer_id)
    .bind(key.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    row.map(|(id, post_id, amount, status, balance)| {
        Ok(BackingReceipt {
            id,
            post_id,
            amount: Money::won(amount),
            status: backing_status(&status)?,
            balance: Money::won(balance.unwrap_or_default()),
            replayed: true,
        })
    })
    .transpose()
}

/// What a withdrawal gave back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    pub refunded: Money,
    pub balance: Money,
}

/// Takes the backer's active backing back while the project funds: the
/// money returns from the escrow to the pocket at once, the totals drop,
/// and the backer may back again later.
pub async fn withdraw(
    state: &AppState,
    session: &Session,
    post_id: i64,
) -> Result<Withdrawal, AppError> {
    let mut tx = state.db.begin().await?;
    let project = project(&mut tx, post_id, true).await?;
    let backing: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, amount FROM backings \
          WHERE post_id = $1 AND backer_id = $2 AND status = 'ACTIVE' FOR UPDATE",
    )
    .bind(post_id)
    .bind(session.account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (backing_id, amount) = backing.ok_or_else(|| refusal(ErrorCode::BackingNotFound))?;
    if !project.is_fundable(state.today()) {
        return Err(refusal(ErrorCode::PostNotFunding));
    }
    let amount = Money::won(amount);
    sqlx::query("UPDATE backings SET status = 'WITHDRAWN', ended_at = $2 WHERE id = $1")
        .bind(backing_id)
        .bind(state.clock.now())
        .execute(&mut *tx)
        .await?;
    let returned = ledger::out_of_escrow(
        &mut tx,
        LedgerKind::Withdrawal,
        session.account_id,
        post_id,
        amount,
    )
    .await?;
    sqlx::query(
        "UPDATE posts SET total_amount = total_amount - $2, backer_count = backer_count - 1 \
          WHERE id = $1",
    )
    .bind(post_id)
    .bind(amount.as_won())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    posts::changed_by(state, session.account_id).await;
    Ok(Withdrawal {
        refunded: amount,
        balance: returned.balance,
    })
}
