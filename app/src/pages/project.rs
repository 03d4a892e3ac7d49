use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::{Meta, Title};

use crate::{
    api::get_project,
    components::{live_figures::live_figures, project_card::status_class},
    domain::{AchievementRate, PostStatus},
    error::{AppError, ErrorCode},
    i18n::td_string,
    locale::{self, Locale, format, use_locale, use_zone},
    model::{Figures, ProjectDetail},
    pages::{checkout::BackingCallToAction, not_found::NotFoundPage},
};

/// `/posts/{id}`: one project with everything a backer wants to know.
/// Rendered with `SsrMode::Async` so the server can answer 404 and put the
/// project's title and description in `<head>`.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let id = super::route_id();
    let ended = crate::components::account_actions::AccountActions::expect().end_project;
    let project = Resource::new(
        move || (id.get(), ended.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_project(id).await,
                None => Err(AppError::post_not_found()),
            }
        },
    );

    let l = use_locale();
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, project.loading)}</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(detail) => EitherOf3::A(view! { <ProjectView detail /> }),
                    Err(error) if error.code == ErrorCode::PostNotFound => EitherOf3::B(view! { <NotFoundPage /> }),
                    Err(error) => EitherOf3::C(view! {
                        <p class="error-banner" role="alert">{error.message(use_locale())}</p>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectView(detail: ProjectDetail) -> impl IntoView {
    let project = detail.summary;
    let target = project.target_amount;
    let meta_description: String = detail.description.chars().take(160).collect();
    let l = use_locale();
    let created = format::date(l, use_zone().date(project.created_at));
    let call_to_action = view! { <BackingCallToAction project=project.clone() /> };
    let figures = live_figures(
        project.id,
        Figures {
            total_amount: project.total_amount,
            backer_count: project.backer_count,
            status: project.status,
        },
    );
    let rate = Memo::new(move |_| AchievementRate::of(figures.get().total_amount, target));
    let status = Memo::new(move |_| figures.get().status);

    view! {
        <Title text=project.title.clone() />
        <Meta name="description" content=meta_description />
        <nav class="breadcrumbs" aria-label=td_string!(l, project.breadcrumb)>
            <a href="/">{td_string!(l, project.all_projects)}</a>
        </nav>
        <article class="project">
            <header class="project-header">
                <div class="card-meta">
                    <span class=move || status_class(status.get())>{move || locale::status(l, status.get())}</span>
                    <span class="dday">{format::d_day(l, project.d_day())}</span>
                </div>
                <h1 class="project-title">{project.title}</h1>
                <p class="project-publisher">{td_string!(l, project.by, name = project.publisher_name).to_string()}</p>
            </header>
            {move || outcome_text(l, status.get()).map(|text| view! { <p class="notice project-outcome">{text}</p> })}
            <section class="project-funding" aria-label=td_string!(l, project.funding)>
                <p class="project-total">
                    <span class="project-total-amount">{move || figures.get().total_amount.to_string()}</span>
                    <span class="project-rate">{move || rate.get().to_string()}</span>
                </p>
                <progress
                    class="card-progress"
                    max="100"
                    value=move || rate.get().bar_percent()
                    aria-label=move || td_string!(l, project.progress, rate = rate.get(), target = locale::won(l, target)).to_string()
                ></progress>
                <dl class="project-facts">
                    <div><dt>{td_string!(l, project.target)}</dt><dd>{target.to_string()}</dd></div>
                    <div><dt>{td_string!(l, project.price)}</dt><dd>{project.price.to_string()}</dd></div>
                    <div><dt>{td_string!(l, project.backers)}</dt><dd>{move || figures.get().backer_count}</dd></div>
                    <div><dt>{td_string!(l, project.ends)}</dt><dd>{format::date(l, project.end_date)}</dd></div>
                    <div><dt>{td_string!(l, project.created)}</dt><dd>{created}</dd></div>
                </dl>
            </section>
            {call_to_action}
            <section class="project-description prose" aria-label=td_string!(l, project.about) inner_html=detail.description_html></section>
        </article>
    }
}

/// What happened to a project that ended, in a sentence.
fn outcome_text(l: Locale, status: PostStatus) -> Option<&'static str> {
    match status {
        PostStatus::Funding => None,
        PostStatus::Success => Some(td_string!(l, project.outcome_success)),
        PostStatus::Close => Some(td_string!(l, project.outcome_close)),
        PostStatus::Cancel => Some(td_string!(l, project.outcome_cancel)),
    }
}
