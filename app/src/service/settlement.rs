//! Ending projects: the end date passing (settlement) and the owner's
//! cancel and close. One project's whole ending is one transaction that
//! holds the project's row lock: its status moves along
//! `domain::transition`, each active backing is refunded to its backer
//! (CANCEL) or the escrow is paid to the publisher (SUCCESS), and the move
//! is logged in `post_transitions`. The database refuses any other move, a
//! second entry into the same status, a logged ending that left money in
//! the escrow, and money out of an escrow to anyone it does not belong to.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::{
    domain::{
        LedgerKind, Money, PostStatus,
        transition::{self, Actor, Confirmation, Refusal},
    },
    error::{AppError, ErrorCode},
    metrics::{self, SettlementOutcome},
    model::{Settlement, TransitionRecord},
    service::{auth::Session, ledger, posts},
    state::AppState,
};

/// A project as its ending needs it, read under its row lock.
struct Ending {
    id: i64,
    title: String,
    publisher_id: i64,
    status: PostStatus,
    target: Money,
    total: Money,
    backer_count: i64,
    end_date: NaiveDate,
}

/// `SELECT` of an [`Ending`]'s columns from `posts`, then `$rest`.
macro_rules! select_ending {
    ($rest:literal) => {
        concat!(
            "SELECT id, title, publisher_id, status, target_amount, total_amount, backer_count, end_date \
               FROM posts ",
            $rest
        )
    };
}

type EndingRow = (i64, String, i64, String, i64, i64, i64, NaiveDate);

fn ending(row: EndingRow) -> Result<Ending, AppError> {
    let (id, title, publisher_id, status, target, total, backer_count, end_date) = row;
    Ok(Ending {
        id,
        title,
        publisher_id,
        status: status.parse().map_err(|error| {
            tracing::error!(%error, post_id = id, "corrupt status in database");
            AppError::internal()
        })?,
        target: Money::won(target),
        total: Money::won(total),
        backer_count,
        end_date,
    })
}

fn refused(refusal: Refusal) -> AppError {
    AppError::new(
        ErrorCode::InvalidTransition,
        crate::error::Problem::Transition(refusal),
    )
}

/// Moves a locked project from `from` to `to`, moving the money that goes
/// with it, and logs the move. The caller holds the row lock and commits.
async fn transition(
    tx: &mut PgConnection,
    project: &Ending,
    to: PostStatus,
    actor: Actor,
    actor_account_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Settlement, AppError> {
    let from = project.status;
    if !transition::is_allowed(from, to) {
        return Err(refused(Refusal::NotAllowed { from, to }));
    }
    sqlx::query("UPDATE posts SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(project.id)
        .bind(to.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let (amount_moved, backings_moved) = match to {
        PostStatus::Cancel => refund_everyone(tx, project.id, now).await?,
        PostStatus::Success => pay_publisher(tx, project, now).await?,
        _ => (Money::ZERO, 0),
    };
    sqlx::query(
        "INSERT INTO post_transitions (post_id, from_status, to_status, actor, actor_account_id, \
                                       happened_at, amount_moved, backings_moved) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(project.id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(actor.as_str())
    .bind(actor_account_id)
    .bind(now)
    .bind(amount_moved.as_won())
    .bind(i32::try_from(backings_moved).unwrap_or(i32::MAX))
    .execute(&mut *tx)
    .await?;
    Ok(Settlement {
        post_id: project.id,
        title: project.title.clone(),
        from,
        to,
        amount_moved,
        backings_moved,
    })
}

/// Every active backing back to its backer's pocket: the backings are
/// marked refunded first (the ledger's trigger pays a backer back only for
/// a refunded backing), then one statement appends every refund, backers in
/// id order, so two cancellations never wait on each other's pockets in
/// opposite orders.
async fn refund_everyone(
    tx: &mut PgConnection,
    post_id: i64,
    now: DateTime<Utc>,
) -> Result<(Money, i64), AppError> {
    let ended: Vec<(i64, i64)> = sqlx::query_as(
        "UPDATE backings SET status = 'REFUNDED', ended_at = $2 \
          WHERE post_id = $1 AND status = 'ACTIVE' RETURNING backer_id, amount",
    )
    .bind(post_id)
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    if ended.is_empty() {
        return Ok((Money::ZERO, 0));
    }
    let (backers, amounts): (Vec<i64>, Vec<i64>) = ended.into_iter().unzip();
    let (refunded, count): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum((ledger_append(r.backer_id, 'REFUND', r.amount, $1, NULL, $2)).amount), 0)::bigint, \
                count(*) \
           FROM (SELECT backer_id, amount FROM unnest($3::bigint[], $4::bigint[]) AS u(backer_id, amount) \
                  ORDER BY backer_id) r",
    )
    .bind(post_id)
    .bind(now)
    .bind(&backers)
    .bind(&amounts)
    .fetch_one(&mut *tx)
    .await?;
    Ok((Money::won(refunded), count))
}

/// The whole escrow to the publisher's pocket; the backings are paid out.
async fn pay_publisher(
    tx: &mut PgConnection,
    project: &Ending,
    now: DateTime<Utc>,
) -> Result<(Money, i64), AppError> {
    let paid_out = sqlx::query(
        "UPDATE backings SET status = 'PAID_OUT', ended_at = $2 WHERE post_id = $1 AND status = 'ACTIVE'",
    )
    .bind(project.id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let held = ledger::escrow(tx, project.id).await?;
    if held > Money::ZERO {
        ledger::out_of_escrow(
            tx,
            LedgerKind::Payout,
            project.publisher_id,
            project.id,
            held,
        )
        .await?;
    }
    Ok((held, i64::try_from(paid_out).unwrap_or(i64::MAX)))
}

/// What the end date decides for one project (not yet applied).
fn decision(project: &Ending) -> PostStatus {
    transition::outcome(project.total, project.target)
}

/// Settles the next due project nobody else is settling, if any, in its
/// own transaction. `skip` are projects that failed earlier in this pass.
async fn settle_next(
    state: &AppState,
    today: NaiveDate,
    skip: &[i64],
) -> Result<Option<Result<Settlement, (i64, AppError)>>, AppError> {
    let mut tx = state.db.begin().await?;
    let sql = select_ending!(
        "WHERE status = 'FUNDING' AND end_date < $1 AND deleted_at IS NULL AND id <> ALL($2) \
         ORDER BY end_date, id LIMIT 1 FOR UPDATE SKIP LOCKED"
    );
    let row: Option<EndingRow> = sqlx::query_as(sql)
        .bind(today)
        .bind(skip)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let project = ending(row)?;
    let to = decision(&project);
    match transition(
        &mut tx,
        &project,
        to,
        Actor::Settlement,
        None,
        state.clock.now(),
    )
    .await
    {
        Ok(settled) => match tx.commit().await {
            Ok(()) => Ok(Some(Ok(settled))),
            Err(error) => Ok(Some(Err((project.id, error.into())))),
        },
        Err(error) => {
            // The transaction rolls back when dropped; nothing moved.
            Ok(Some(Err((project.id, error))))
        }
    }
}

/// One settlement pass: every FUNDING project whose last day is before
/// `today` succeeds or is cancelled, one transaction each. Safe to run in
/// several processes at once (each project is taken with
/// `FOR UPDATE SKIP LOCKED` and rechecked under the lock) and after a crash
/// (what committed is done; what did not is still FUNDING and due).
/// `should_stop` is asked between projects.
pub async fn settle_due(
    state: &AppState,
    today: NaiveDate,
    should_stop: impl Fn() -> bool,
) -> Result<Vec<Settlement>, AppError> {
    let mut settled = Vec::new();
    let mut failed = Vec::new();
    let mut outcome = Ok(());
    while !should_stop() {
        match settle_next(state, today, &failed).await {
            Err(error) => {
                outcome = Err(error);
                break;
            }
            Ok(None) => break,
            Ok(Some(Ok(done))) => {
                metrics::settled(match done.to {
                    PostStatus::Cancel => SettlementOutcome::Cancel,
                    _ => SettlementOutcome::Success,
                });
                settled.push(done);
            }
            Ok(Some(Err((post_id, error)))) => {
                metrics::settled(SettlementOutcome::Failed);
                tracing::error!(post_id, code = %error.code, message = %error, "settlement failed; will retry next pass");
                failed.push(post_id);
            }
        }
    }
    // What committed before a failure is changed all the same.
    if !settled.is_empty() {
        posts::lists_changed(state).await;
    }
    outcome.map(|()| settled)
}

/// What a pass would do if today were `today`, changing nothing.
pub async fn preview(state: &AppState, today: NaiveDate) -> Result<Vec<Settlement>, AppError> {
    let sql = select_ending!(
        "WHERE status = 'FUNDING' AND end_date < $1 AND deleted_at IS NULL ORDER BY end_date, id"
    );
    let rows: Vec<EndingRow> = sqlx::query_as(sql).bind(today).fetch_all(&state.db).await?;
    let counts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT b.post_id, count(*) FROM backings b JOIN posts p ON p.id = b.post_id \
          WHERE p.status = 'FUNDING' AND p.end_date < $1 AND b.status = 'ACTIVE' GROUP BY b.post_id",
    )
    .bind(today)
    .fetch_all(&state.db)
    .await?;
    let counts: std::collections::HashMap<i64, i64> = counts.into_iter().collect();
    rows.into_iter()
        .map(|row| {
            let project = ending(row)?;
            debug_assert!(transition::is_due(project.status, project.end_date, today));
            Ok(Settlement {
                post_id: project.id,
                to: decision(&project),
                from: project.status,
                amount_moved: project.total,
                backings_moved: counts.get(&project.id).copied().unwrap_or_default(),
                title: project.title,
            })
        })
        .collect()
}

/// The owner ends their project: cancel while FUNDING (every backer
/// refunded at once, as settlement would), close after SUCCESS.
/// `seen` is what the owner was told a cancel would refund (how many
/// backers, how much in all: the app's confirmation); if that is no longer
/// so, nothing happens and they are asked again. A funding project's total
/// is what its active backings hold, which a cancel refunds in full.
pub async fn end_by_owner(
    state: &AppState,
    session: &Session,
    post_id: i64,
    to: PostStatus,
    seen: Confirmation,
) -> Result<Settlement, AppError> {
    let mut tx = state.db.begin().await?;
    let sql = select_ending!("WHERE id = $1 AND deleted_at IS NULL FOR UPDATE");
    let row: Option<EndingRow> = sqlx::query_as(sql)
        .bind(post_id)
        .fetch_optional(&mut *tx)
        .await?;
    let project = ending(row.ok_or_else(AppError::post_not_found)?)?;
    if project.publisher_id != session.account_id {
        return Err(AppError::forbidden(crate::error::Problem::OwnerOnly));
    }
    if let Some(refusal) =
        Refusal::of_owner_move(project.status, to, project.end_date, state.today())
    {
        return Err(refused(refusal));
    }
    if to == PostStatus::Cancel
        && let Some(refusal) = seen.refusal(project.backer_count, project.total)
    {
        return Err(refused(refusal));
    }
    let done = transition(
        &mut tx,
        &project,
        to,
        Actor::Owner,
        Some(session.account_id),
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    metrics::ended_by_owner(match to {
        PostStatus::Cancel => metrics::OwnerEnding::Cancel,
        _ => metrics::OwnerEnding::Close,
    });
    posts::changed_by(state, session.account_id).await;
    Ok(done)
}

/// Every status change of one of the session's projects, oldest first.
pub async fn history(
    state: &AppState,
    session: &Session,
    post_id: i64,
) -> Result<Vec<TransitionRecord>, AppError> {
    crate::service::access::owned_post(state, session, post_id).await?;
    let rows: Vec<(String, String, String, DateTime<Utc>, i64, i32)> = sqlx::query_as(
        "SELECT from_status, to_status, actor, happened_at, amount_moved, backings_moved \
           FROM post_transitions WHERE post_id = $1 ORDER BY id",
    )
    .bind(post_id)
    .fetch_all(&state.db)
    .await?;
    rows.into_iter()
        .map(|(from, to, actor, at, amount, backings)| {
            let corrupt = || {
                tracing::error!(post_id, "corrupt transition row");
                AppError::internal()
            };
            Ok(TransitionRecord {
                from: from.parse().map_err(|_| corrupt())?,
                to: to.parse().map_err(|_| corrupt())?,
                actor: Actor::parse(&actor).ok_or_else(corrupt)?,
                at,
                amount_moved: Money::won(amount),
                backings_moved: i64::from(backings),
            })
        })
        .collect()
}
