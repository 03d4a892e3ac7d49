use leptos::prelude::*;

use crate::{
    domain::PostStatus,
    i18n::td_string,
    locale::{self, use_locale},
    model::ProjectSummary,
};

pub fn status_class(status: PostStatus) -> &'static str {
    match status {
        PostStatus::Funding => "badge badge-funding",
        PostStatus::Success => "badge badge-success",
        PostStatus::Close => "badge badge-close",
        PostStatus::Cancel => "badge badge-cancel",
    }
}

/// One project in a list: what it is, who makes it, how far it got.
#[component]
pub fn ProjectCard(project: ProjectSummary) -> impl IntoView {
    let rate = project.achievement_rate();
    let heading_id = format!("project-{}-title", project.id);
    let l = use_locale();
    let progress_label = td_string!(
        l,
        card.progress,
        rate = rate,
        target = locale::won(l, project.target_amount)
    )
    .to_string();

    view! {
        <li class="card" data-status=project.status.as_str()>
            <article aria-labelledby=heading_id>
                <div class="card-meta">
                    <span class=status_class(project.status)>{locale::status(l, project.status)}</span>
                    <span class="dday">{locale::format::d_day(l, project.d_day())}</span>
                </div>
                <h3 class="card-title" id=heading_id.clone()>
                    <a class="card-link" href=format!("/posts/{}", project.id)>{project.title}</a>
                </h3>
                <p class="card-publisher">{project.publisher_name}</p>
                <progress
                    class="card-progress"
                    max="100"
                    value=rate.bar_percent()
                    aria-label=progress_label
                ></progress>
                <dl class="card-figures">
                    <div class="figure figure-total">
                        <dt>{td_string!(l, card.raised)}</dt>
                        <dd>{project.total_amount.to_string()}</dd>
                    </div>
                    <div class="figure figure-rate">
                        <dt>{td_string!(l, card.achieved)}</dt>
                        <dd>{rate.to_string()}</dd>
                    </div>
                    <div class="figure figure-backers">
                        <dt>{td_string!(l, card.backers)}</dt>
                        <dd>{project.backer_count}</dd>
                    </div>
                </dl>
            </article>
        </li>
    }
}
