//! The owner's way to end a project: cancel while it funds (every backer
//! refunded at once), close after it succeeded. Each asks once more, in
//! plain HTML (`<details>`), so it works without JavaScript too.

use leptos::prelude::*;

use crate::{
    components::account_actions::AccountActions,
    domain::{Money, PostStatus},
};

/// What ending a project in `status` means, or `None` when the owner
/// cannot end it (it already ended).
/// The offer: the status asked for, what it means, the summary and the
/// confirming button's words.
type Offer = (&'static str, String, &'static str, &'static str);

fn offer(status: PostStatus, backer_count: i64, total: Money) -> Option<Offer> {
    match status {
        PostStatus::Funding => Some((
            "CANCEL",
            match backer_count {
                0 => "Nobody has backed it yet. Cancelling cannot be undone.".to_owned(),
                1 => format!("Its backer gets {total} back at once. Cancelling cannot be undone."),
                n => format!(
                    "All {n} backers are refunded at once ({total} in all). Cancelling cannot be undone."
                ),
            },
            "Cancel project",
            "Yes, cancel and refund",
        )),
        PostStatus::Success => Some((
            "CLOSE",
            "It moves below funded projects in the list; your payout stays in your pocket."
                .to_owned(),
            "Close project",
            "Yes, close it",
        )),
        PostStatus::Close | PostStatus::Cancel => None,
    }
}

/// `next` is the page to come back to afterwards.
#[component]
pub fn EndProjectControl(
    project_id: i64,
    title: String,
    status: PostStatus,
    backer_count: i64,
    total: Money,
    next: String,
) -> impl IntoView {
    let actions = AccountActions::expect();
    offer(status, backer_count, total).map(|(to, consequence, ask, confirm)| {
        let summary_label = format!("{ask}: {title}");
        view! {
            <details class="confirm-end">
                <summary aria-label=summary_label>{ask}</summary>
                <p class="field-hint">{consequence}</p>
                <ActionForm action=actions.end_project attr:class="inline-form">
                    <input type="hidden" name="id" value=project_id />
                    <input type="hidden" name="to" value=to />
                    <input type="hidden" name="next" value=next />
                    <input type="hidden" name="backers" value=backer_count />
                    <input type="hidden" name="total" value=total.as_won() />
                    <button
                        class="link-button danger"
                        type="submit"
                        disabled=move || actions.end_project.pending().get()
                    >
                        {confirm}
                    </button>
                </ActionForm>
            </details>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_owner_what_ending_means() {
        let cancel = offer(PostStatus::Funding, 3, Money::won(45_000));
        assert_eq!(
            cancel.map(|(to, text, ..)| (to, text)),
            Some((
                "CANCEL",
                "All 3 backers are refunded at once (₩45,000 in all). Cancelling cannot be undone."
                    .to_owned()
            ))
        );
        assert_eq!(
            offer(PostStatus::Success, 3, Money::ZERO).map(|o| o.0),
            Some("CLOSE")
        );
        assert!(offer(PostStatus::Cancel, 0, Money::ZERO).is_none());
        assert!(offer(PostStatus::Close, 0, Money::ZERO).is_none());
    }
}
