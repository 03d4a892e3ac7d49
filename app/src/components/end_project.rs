//! The owner's way to end a project: cancel while it funds (every backer
//! refunded at once), close after it succeeded. Each asks once more, in
//! plain HTML (`<details>`), so it works without JavaScript too.

use leptos::prelude::*;

use crate::{
    components::account_actions::AccountActions,
    domain::{Money, PostStatus},
    i18n::td_string,
    locale::{self, Locale, use_locale},
};

/// What ending a project in `status` means, or `None` when the owner
/// cannot end it (it already ended).
/// The offer: the status asked for, what it means, the summary and the
/// confirming button's words.
type Offer = (&'static str, String, &'static str, &'static str);

fn offer(l: Locale, status: PostStatus, backer_count: i64, total: Money) -> Option<Offer> {
    let total = locale::won(l, total);
    match status {
        PostStatus::Funding => Some((
            "CANCEL",
            match backer_count {
                0 => td_string!(l, end_project.nobody).to_owned(),
                1 => td_string!(l, end_project.one_backer, total = total).to_string(),
                n => td_string!(l, end_project.many_backers, count = n, total = total).to_string(),
            },
            td_string!(l, end_project.cancel),
            td_string!(l, end_project.confirm_cancel),
        )),
        PostStatus::Success => Some((
            "CLOSE",
            td_string!(l, end_project.close_means).to_owned(),
            td_string!(l, end_project.close),
            td_string!(l, end_project.confirm_close),
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
    let l = use_locale();
    offer(l, status, backer_count, total).map(|(to, consequence, ask, confirm)| {
        let summary_label =
            td_string!(l, end_project.summary_label, ask = ask, title = &title).to_string();
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
        let cancel = offer(Locale::en, PostStatus::Funding, 3, Money::won(45_000));
        assert_eq!(
            cancel.map(|(to, text, ..)| (to, text)),
            Some((
                "CANCEL",
                "All 3 backers are refunded at once (₩45,000 in all). Cancelling cannot be undone."
                    .to_owned()
            ))
        );
        let in_korean = offer(Locale::ko, PostStatus::Funding, 3, Money::won(45_000));
        assert_eq!(
            in_korean.map(|(_, text, ..)| text).as_deref(),
            Some("후원자 3명에게 총 45,000원이 바로 환불됩니다. 취소는 되돌릴 수 없습니다.")
        );
        assert_eq!(
            offer(Locale::en, PostStatus::Success, 3, Money::ZERO).map(|o| o.0),
            Some("CLOSE")
        );
        assert!(offer(Locale::en, PostStatus::Cancel, 0, Money::ZERO).is_none());
        assert!(offer(Locale::en, PostStatus::Close, 0, Money::ZERO).is_none());
    }
}
