//! Publishers creating and changing their projects. The rules of a project
//! are `domain::post`'s; this module adds what needs the database: a pocket
//! to be paid into, ownership, the project's status, and whether anyone has
//! backed it yet.

use chrono::{DateTime, Utc};

use crate::{
    domain::{Money, NewPost, Paging, PostEdit, PostStatus},
    error::{AppError, ErrorCode},
    model::{Backer, EditableProject, Paged, ProjectDetail, PublishingContext},
    service::{
        access,
        auth::Session,
        posts::{self, SummaryRow, summary_columns},
        replica::Reader,
    },
    state::AppState,
};

fn pocket_missing() -> AppError {
    AppError::new(
        ErrorCode::PocketNotRegistered,
        crate::error::Problem::PocketFirstToPublish,
    )
}

fn not_funding() -> AppError {
    AppError::new(
        ErrorCode::PostNotFunding,
        crate::error::Problem::OnlyFundingChanges,
    )
}

fn terms_locked() -> AppError {
    AppError::on_field(
        ErrorCode::PostTermsLocked,
        "price",
        crate::error::Problem::TermsLocked,
    )
}

async fn has_pocket(state: &AppState, account_id: i64) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM pockets WHERE account_id = $1)",
        )
        .bind(account_id)
        .fetch_one(&state.db)
        .await?,
    )
}

/// What the publishing form needs before it is filled in.
pub async fn context(state: &AppState, session: &Session) -> Result<PublishingContext, AppError> {
    Ok(PublishingContext {
        has_pocket: has_pocket(state, session.account_id).await?,
        today: state.today(),
    })
}

/// Publishes a project of the session's publisher, who must have a pocket.
pub async fn create(
    state: &AppState,
    session: &Session,
    post: NewPost,
) -> Result<ProjectDetail, AppError> {
    if !has_pocket(state, session.account_id).await? {
        return Err(pocket_missing());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO posts (publisher_id, title, publisher_name, description, target_amount, \
                            price, end_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(session.account_id)
    .bind(post.title())
    .bind(post.publisher_name())
    .bind(post.content())
    .bind(post.target_amount().as_won())
    .bind(post.price().as_won())
    .bind(post.final_date())
    .bind(state.clock.now())
    .fetch_one(&state.db)
    .await?;
    posts::changed_by(state, session.account_id).await;
    posts::get(state, Reader::JustWrote, id).await
}

struct Locked {
    publisher_id: i64,
    status: PostStatus,
    target_amount: Money,
    end_date: chrono::NaiveDate,
}

/// Changes a project of the session's publisher while it is funding. The
/// project's row stays locked from the checks to the update, so a backing
/// (which updates the same row) cannot slip in between "nobody has backed"
/// and a new price.
pub async fn edit(
    state: &AppState,
    session: &Session,
    post_id: i64,
    edit: PostEdit,
) -> Result<ProjectDetail, AppError> {
    let mut tx = state.db.begin().await?;
    let row: Option<(i64, String, i64, chrono::NaiveDate)> = sqlx::query_as(
        "SELECT publisher_id, status, target_amount, end_date FROM posts \
          WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(post_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (publisher_id, status, target_amount, end_date) =
        row.ok_or_else(AppError::post_not_found)?;
    let post = Locked {
        publisher_id,
        status: status.parse().map_err(|error| {
            tracing::error!(%error, post_id, "corrupt status in database");
            AppError::internal()
        })?,
        target_amount: Money::won(target_amount),
        end_date,
    };
    if post.publisher_id != session.account_id {
        return Err(AppError::forbidden(crate::error::Problem::OwnerOnly));
    }
    // Past its last day a project is over, even before settlement has
    // marked it: what backers signed up for stays as it was.
    if post.status != PostStatus::Funding || post.end_date < state.today() {
        return Err(not_funding());
    }
    edit.check_against(post.target_amount)
        .map_err(AppError::from)?;
    if edit.changes_terms() {
        let backed: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM backings WHERE post_id = $1 AND status = 'ACTIVE')",
        )
        .bind(post_id)
        .fetch_one(&mut *tx)
        .await?;
        if backed {
            return Err(terms_locked());
        }
    }
    sqlx::query(
        "UPDATE posts SET title = coalesce($2, title), publisher_name = coalesce($3, publisher_name), \
                description = coalesce($4, description), price = coalesce($5, price), \
                end_date = coalesce($6, end_date), updated_at = $7 \
          WHERE id = $1",
    )
    .bind(post_id)
    .bind(edit.title())
    .bind(edit.publisher_name())
    .bind(edit.content())
    .bind(edit.price().map(Money::as_won))
    .bind(edit.final_date())
    .bind(state.clock.now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    posts::changed_by(state, session.account_id).await;
    posts::get(state, Reader::JustWrote, post_id).await
}

#[derive(sqlx::FromRow)]
struct EditableRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    description: String,
    backed: bool,
}

/// A project of the session's publisher as its edit page shows it, in any
/// status (only a funding one can change).
pub async fn editable(
    state: &AppState,
    session: &Session,
    post_id: i64,
) -> Result<EditableProject, AppError> {
    access::owned_post(state, session, post_id).await?;
    let sql = concat!(
        "SELECT ",
        summary_columns!(),
        ", p.description, EXISTS (SELECT 1 FROM backings b WHERE b.post_id = p.id AND b.status = 'ACTIVE') AS backed",
        " FROM posts p WHERE p.id = $1"
    );
    let row: EditableRow = sqlx::query_as(sql)
        .bind(post_id)
        .fetch_one(&state.db)
        .await?;
    let today = state.today();
    Ok(EditableProject {
        summary: row.summary.into_summary(today)?,
        content: row.description,
        terms_locked: row.backed,
        today,
    })
}

#[derive(sqlx::FromRow)]
struct BackerRow {
    username: String,
    amount: i64,
    created_at: DateTime<Utc>,
}

/// Who backed a project of the session's publisher, newest first.
pub async fn backers(
    state: &AppState,
    session: &Session,
    post_id: i64,
    paging: Paging,
) -> Result<Paged<Backer>, AppError> {
    access::owned_post(state, session, post_id).await?;
    let rows = sqlx::query_as::<_, BackerRow>(
        "SELECT a.username, b.amount, b.created_at FROM backings b \
           JOIN accounts a ON a.id = b.backer_id \
          WHERE b.post_id = $1 ORDER BY b.created_at DESC, b.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(post_id)
    .bind(paging.limit())
    .bind(paging.offset())
    .fetch_all(&state.db);
    let count = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM backings WHERE post_id = $1")
        .bind(post_id)
        .fetch_one(&state.db);
    let (rows, total) = tokio::try_join!(rows, count)?;
    let items = rows
        .into_iter()
        .map(|row| Backer {
            username: row.username,
            amount: Money::won(row.amount),
            backed_at: row.created_at,
        })
        .collect();
    Ok(Paged::of(
        items,
        paging,
        u64::try_from(total).unwrap_or_default(),
    ))
}
