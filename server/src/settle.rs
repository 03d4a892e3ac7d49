//! `server settle [--dry-run] [--date YYYY-MM-DD]`: one settlement pass now,
//! or (with `--dry-run`) what a pass would do if today were the date given,
//! changing nothing. Prints one line per project and the totals.

use app::{model::Settlement, service::settlement, state::AppState};
use chrono::NaiveDate;

use crate::startup::StartupError;

/// What the command line asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettleArgs {
    pub dry_run: bool,
    pub date: Option<NaiveDate>,
}

impl SettleArgs {
    /// Parses the arguments after `settle`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut parsed = SettleArgs {
            dry_run: false,
            date: None,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--dry-run" => parsed.dry_run = true,
                "--date" => {
                    let text = args.next().ok_or("--date needs a date (YYYY-MM-DD)")?;
                    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map_err(|_| format!("--date {text:?} is not a date (YYYY-MM-DD)"))?;
                    parsed.date = Some(date);
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if parsed.date.is_some() && !parsed.dry_run {
            // Settling "as if" another day would pay out early or refund
            // projects that are still funding: only the real date settles.
            return Err("--date is only for --dry-run; a real pass uses today".to_owned());
        }
        Ok(parsed)
    }
}

pub async fn run(state: &AppState, args: SettleArgs) -> Result<(), StartupError> {
    let today = args.date.unwrap_or_else(|| state.today());
    let outcomes = if args.dry_run {
        println!("Dry run: what would settle if today were {today} (nothing changes)");
        settlement::preview(state, today).await
    } else {
        println!("Settling every funding project whose last day was before {today}");
        settlement::settle_due(state, today, || false).await
    }
    .map_err(|error| StartupError::Settlement(error.to_string()))?;
    print_table(&outcomes);
    Ok(())
}

fn print_table(outcomes: &[Settlement]) {
    println!(
        "{:>8}  {:<8}  {:>14}  {:>8}  title",
        "project", "outcome", "amount (KRW)", "backings"
    );
    for outcome in outcomes {
        println!(
            "{:>8}  {:<8}  {:>14}  {:>8}  {}",
            outcome.post_id,
            outcome.to.as_str(),
            outcome.amount_moved.as_won(),
            outcome.backings_moved,
            outcome.title
        );
    }
    let paid: i64 = outcomes
        .iter()
        .filter(|o| o.to == app::domain::PostStatus::Success)
        .map(|o| o.amount_moved.as_won())
        .sum();
    let refunded: i64 = outcomes
        .iter()
        .filter(|o| o.to == app::domain::PostStatus::Cancel)
        .map(|o| o.amount_moved.as_won())
        .sum();
    println!(
        "{} projects: {paid} KRW paid to publishers, {refunded} KRW refunded to backers",
        outcomes.len()
    );
}

#[cfg(test)]
mod tests {
    use super::SettleArgs;

    fn parse(args: &[&str]) -> Result<SettleArgs, String> {
        SettleArgs::parse(&args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn reads_dry_runs_with_a_date() {
        let args = parse(&["--dry-run", "--date", "2026-12-31"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(args.dry_run);
        assert_eq!(
            args.date.map(|d| d.to_string()).as_deref(),
            Some("2026-12-31")
        );
        assert_eq!(
            parse(&[]),
            Ok(SettleArgs {
                dry_run: false,
                date: None
            })
        );
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        assert!(
            parse(&["--date", "2026-12-31"]).is_err(),
            "a real pass on another day"
        );
        assert!(parse(&["--dry-run", "--date"]).is_err());
        assert!(parse(&["--dry-run", "--date", "31/12/2026"]).is_err());
        assert!(parse(&["--force"]).is_err());
    }
}
