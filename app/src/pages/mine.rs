//! `/me/projects` (publishers) and `/me/backings` (backers): each account
//! type's own list. The server decides who may see which; these pages show
//! its answer, including its refusal.

use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use crate::{
    api::{DeleteProject, my_backings, my_projects, project_backers, project_history},
    components::{
        account_actions::AccountActions, end_project::EndProjectControl, form::FormError,
        pager::Pager, project_card::status_class,
    },
    domain::{Paging, PostStatus},
    error::{AppError, ErrorCode},
    i18n::td_string,
    locale::{self, Locale, format, use_locale, use_zone},
    model::{BackedProject, Backer, Paged, ProjectSummary},
};

#[component]
pub fn MyProjectsPage() -> impl IntoView {
    let delete = ServerAction::<DeleteProject>::new();
    let ended = AccountActions::expect().end_project;
    let projects = Resource::new(
        move || (delete.version().get(), ended.version().get()),
        |_| my_projects(),
    );
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let end_error = Signal::derive(move || ended.value().get().and_then(Result::err));
    let l = use_locale();
    view! {
        <Title text=td_string!(l, mine.my_projects) />
        <div class="page-heading">
            <h1 class="page-title">{td_string!(l, mine.my_projects)}</h1>
            <a class="button" href="/posts/new">{td_string!(l, mine.publish)}</a>
        </div>
        <FormError error=delete_error />
        <FormError error=end_error />
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, mine.loading_projects)}</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(projects) if projects.is_empty() => EitherOf3::A(view! {
                        <p class="empty-state">{td_string!(l, mine.no_projects)}</p>
                    }),
                    Ok(projects) => EitherOf3::B(view! { <MyProjectsTable projects delete /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error log_in=td_string!(l, mine.log_in_to_see_projects) here="/me/projects" /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyProjectsTable(
    projects: Vec<ProjectSummary>,
    delete: ServerAction<DeleteProject>,
) -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">{td_string!(l, mine.project)}</th>
                    <th scope="col">{td_string!(l, mine.status)}</th>
                    <th scope="col" class="amount">{td_string!(l, mine.raised)}</th>
                    <th scope="col" class="amount">{td_string!(l, mine.achieved)}</th>
                    <th scope="col" class="amount">{td_string!(l, mine.backers)}</th>
                    <th scope="col">{td_string!(l, mine.ends)}</th>
                    <th scope="col"><span class="visually-hidden">{td_string!(l, mine.actions)}</span></th>
                </tr>
            </thead>
            <tbody>
                {projects
                    .into_iter()
                    .map(|project| {
                        let rate = project.achievement_rate().to_string();
                        let d_day = format::d_day(l, project.d_day());
                        view! {
                            <tr>
                                <td><ProjectTitle project=project.clone() /></td>
                                <td><span class=status_class(project.status)>{locale::status(l, project.status)}</span></td>
                                <td class="amount">{project.total_amount.to_string()} " / " {project.target_amount.to_string()}</td>
                                <td class="amount">{rate}</td>
                                <td class="amount">{project.backer_count}</td>
                                <td>{format::date(l, project.end_date)} " · " {d_day}</td>
                                <td class="row-actions">
                                    <ProjectActions project=project.clone() />
                                    <EndProjectControl
                                        project_id=project.id
                                        title=project.title.clone()
                                        status=project.status
                                        backer_count=project.backer_count
                                        total=project.total_amount
                                        next="/me/projects".to_owned()
                                    />
                                    <DeleteButton project=project.clone() delete />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
pub fn MyBackingsPage() -> impl IntoView {
    let backings = Resource::new(|| (), |_| my_backings());
    let l = use_locale();
    view! {
        <Title text=td_string!(l, mine.my_backings) />
        <h1 class="page-title">{td_string!(l, mine.my_backings)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, mine.loading_backings)}</p> }>
            {move || Suspend::new(async move {
                match backings.await {
                    Ok(backings) if backings.is_empty() => EitherOf3::A(view! {
                        <p class="empty-state">
                            {td_string!(l, mine.no_backings)} <a href="/">{td_string!(l, mine.discover)}</a>
                        </p>
                    }),
                    Ok(backings) => EitherOf3::B(view! { <MyBackingsTable backings /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error log_in=td_string!(l, mine.log_in_to_see_backings) here="/me/backings" /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyBackingsTable(backings: Vec<BackedProject>) -> impl IntoView {
    let l = use_locale();
    let zone = use_zone();
    view! {
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">{td_string!(l, mine.project)}</th>
                    <th scope="col">{td_string!(l, mine.status)}</th>
                    <th scope="col" class="amount">{td_string!(l, mine.you_paid)}</th>
                    <th scope="col">{td_string!(l, mine.backing)}</th>
                    <th scope="col" class="amount">{td_string!(l, mine.achieved)}</th>
                    <th scope="col">{td_string!(l, mine.backed_on)}</th>
                </tr>
            </thead>
            <tbody>
                {backings
                    .into_iter()
                    .map(|backed| {
                        let project = backed.project;
                        let rate = project.achievement_rate().to_string();
                        view! {
                            <tr>
                                <td><ProjectTitle project=project.clone() /></td>
                                <td><span class=status_class(project.status)>{locale::status(l, project.status)}</span></td>
                                <td class="amount">{backed.amount.to_string()}</td>
                                <td>{locale::backing_status(l, backed.status)}</td>
                                <td class="amount">{rate}</td>
                                <td>{format::date(l, zone.date(backed.backed_at))}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// Funding projects cannot be deleted (their backers' money is in them),
/// so they get no button. Deleting asks once more (plain HTML, so it works
/// without JavaScript too).
#[component]
fn DeleteButton(project: ProjectSummary, delete: ServerAction<DeleteProject>) -> impl IntoView {
    let l = use_locale();
    (project.status != PostStatus::Funding).then(|| {
        let label = td_string!(l, mine.delete_label, title = &project.title).to_string();
        let confirm = td_string!(l, mine.delete_confirm_label, title = &project.title).to_string();
        view! {
            <details class="confirm-delete">
                <summary aria-label=label>{td_string!(l, mine.delete)}</summary>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=project.id />
                    <button class="link-button danger" type="submit" aria-label=confirm>
                        {td_string!(l, mine.yes_delete)}
                    </button>
                </ActionForm>
            </details>
        }
    })
}

/// Editing while funding; the backers, whenever there are any.
#[component]
fn ProjectActions(project: ProjectSummary) -> impl IntoView {
    let l = use_locale();
    let edit = (project.status == PostStatus::Funding).then(|| {
        let label = td_string!(l, mine.edit_label, title = &project.title).to_string();
        view! { <a href=format!("/posts/{}/edit", project.id) aria-label=label>{td_string!(l, mine.edit)}</a> }
    });
    let backers = (project.backer_count > 0).then(|| {
        let label = td_string!(l, mine.backers_label, title = &project.title).to_string();
        view! { <a href=format!("/me/projects/{}/backers", project.id) aria-label=label>{td_string!(l, mine.backers)}</a> }
    });
    let history = (project.status != PostStatus::Funding).then(|| {
        let label = td_string!(l, mine.history_label, title = &project.title).to_string();
        view! { <a href=format!("/me/projects/{}/history", project.id) aria-label=label>{td_string!(l, mine.history)}</a> }
    });
    view! { {edit} {backers} {history} }
}

/// `/me/projects/{id}/backers`: who backed one of the publisher's
/// projects, what they paid and when, a page at a time.
#[component]
pub fn ProjectBackersPage() -> impl IntoView {
    let query = use_query_map();
    let id = Memo::new({
        let id = super::route_id();
        move |_| id.get().unwrap_or(0)
    });
    let page =
        Memo::new(move |_| Paging::parse_lenient(query.read().get("page").as_deref(), None).page());
    let backers = Resource::new(
        move || (id.get(), page.get()),
        |(id, page)| project_backers(id, Some(page.to_string())),
    );
    let l = use_locale();
    view! {
        <Title text=td_string!(l, mine.backers) />
        <nav class="breadcrumbs" aria-label=td_string!(l, mine.breadcrumb)>
            <a href="/me/projects">{td_string!(l, mine.my_projects)}</a>
        </nav>
        <h1 class="page-title">{td_string!(l, mine.backers)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, mine.loading_backers)}</p> }>
            {move || Suspend::new(async move {
                let here = format!("/me/projects/{}/backers", id.get_untracked());
                match backers.await {
                    Ok(backers) if backers.total_items == 0 => EitherOf3::A(view! {
                        <p class="empty-state">{td_string!(l, mine.no_backers)}</p>
                    }),
                    Ok(backers) => EitherOf3::B(view! { <BackersTable backers here /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error log_in=td_string!(l, mine.log_in_to_see_backers) here="/me/projects" /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BackersTable(backers: Paged<Backer>, here: String) -> impl IntoView {
    let Paged {
        items,
        page,
        total_pages,
        total_items,
        ..
    } = backers;
    let l = use_locale();
    let zone = use_zone();
    let count = locale::backers(l, total_items);
    view! {
        <p class="list-status" role="status">{count}</p>
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">{td_string!(l, mine.backer)}</th>
                    <th scope="col" class="amount">{td_string!(l, mine.paid)}</th>
                    <th scope="col">{td_string!(l, mine.when, zone = &zone.abbreviation).to_string()}</th>
                </tr>
            </thead>
            <tbody>
                {items
                    .into_iter()
                    .map(|backer| view! {
                        <tr>
                            <td>{backer.username}</td>
                            <td class="amount">{backer.amount.to_string()}</td>
                            <td>{format::date_time(l, &zone, backer.backed_at)}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
        <Pager current=page total_pages link=move |n| format!("{here}?page={n}") />
    }
}

/// Every project keeps its page (cancelled ones say what happened).
#[component]
fn ProjectTitle(project: ProjectSummary) -> impl IntoView {
    view! { <a href=format!("/posts/{}", project.id)>{project.title}</a> }
}

/// `/me/projects/{id}/history`: every status change of one of the
/// publisher's projects, with the money that moved.
#[component]
pub fn ProjectHistoryPage() -> impl IntoView {
    let id = super::route_id();
    let history = Resource::new(move || id.get(), |id| project_history(id.unwrap_or(0)));
    let l = use_locale();
    view! {
        <Title text=td_string!(l, mine.project_history) />
        <nav class="breadcrumbs" aria-label=td_string!(l, mine.breadcrumb)>
            <a href="/me/projects">{td_string!(l, mine.my_projects)}</a>
        </nav>
        <h1 class="page-title">{td_string!(l, mine.history)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, mine.loading_history)}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(moves) if moves.is_empty() => EitherOf3::A(view! {
                        <p class="empty-state">{td_string!(l, mine.still_funding)}</p>
                    }),
                    Ok(moves) => EitherOf3::B(view! { <HistoryTable moves /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error log_in=td_string!(l, mine.log_in_to_see_history) here="/me/projects" /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HistoryTable(moves: Vec<crate::model::TransitionRecord>) -> impl IntoView {
    use crate::domain::transition::Actor;
    let l = use_locale();
    let zone = use_zone();
    view! {
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">{td_string!(l, mine.when, zone = &zone.abbreviation).to_string()}</th>
                    <th scope="col">{td_string!(l, mine.change)}</th>
                    <th scope="col">{td_string!(l, mine.by)}</th>
                    <th scope="col" class="amount">{td_string!(l, mine.money_moved)}</th>
                </tr>
            </thead>
            <tbody>
                {moves
                    .into_iter()
                    .map(|change| {
                        let by = match change.actor {
                            Actor::Owner => td_string!(l, mine.by_you),
                            Actor::Settlement => td_string!(l, mine.by_settlement),
                        };
                        let moved = money_moved(l, &change);
                        view! {
                            <tr>
                                <td>{format::date_time(l, &zone, change.at)}</td>
                                <td>{locale::status(l, change.from)} " → " {locale::status(l, change.to)}</td>
                                <td>{by}</td>
                                <td class="amount">{moved}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// `₩45,000 refunded to 3 backers`, `₩150,000 paid to you`, or a dash.
fn money_moved(l: Locale, change: &crate::model::TransitionRecord) -> String {
    let amount = locale::won(l, change.amount_moved);
    let count = change.backings_moved;
    match change.to {
        PostStatus::Cancel
            if format::plural(l, u64::try_from(count).unwrap_or(0)) == format::Plural::One =>
        {
            td_string!(l, mine.refunded_to_one, amount = amount, count = count).to_string()
        }
        PostStatus::Cancel => {
            td_string!(l, mine.refunded_to_many, amount = amount, count = count).to_string()
        }
        PostStatus::Success => td_string!(l, mine.paid_to_you, amount = amount).to_string(),
        _ => "—".to_owned(),
    }
}

/// Why the list is not shown: not logged in, or the wrong type of account.
#[component]
fn Refusal(error: AppError, log_in: &'static str, here: &'static str) -> impl IntoView {
    let l = use_locale();
    match error.code {
        ErrorCode::Unauthenticated => Either::Left(view! {
            <p class="notice">{log_in} <a href=format!("/login?next={here}")>{td_string!(l, common.log_in)}</a></p>
        }),
        _ => Either::Right(
            view! { <p class="error-banner" role="alert">{error.message(use_locale())}</p> },
        ),
    }
}
