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
    domain::{
        Paging, PostStatus,
        dates::{date_text, korea_date_text, korea_minute_text},
    },
    error::{AppError, ErrorCode},
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
    view! {
        <Title text="My projects" />
        <div class="page-heading">
            <h1 class="page-title">"My projects"</h1>
            <a class="button" href="/posts/new">"Publish a project"</a>
        </div>
        <FormError error=delete_error />
        <FormError error=end_error />
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your projects…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(projects) if projects.is_empty() => EitherOf3::A(view! {
                        <p class="empty-state">"You have not published a project yet."</p>
                    }),
                    Ok(projects) => EitherOf3::B(view! { <MyProjectsTable projects delete /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error what="your projects" here="/me/projects" /> }),
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
    view! {
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">"Project"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="amount">"Raised"</th>
                    <th scope="col" class="amount">"Achieved"</th>
                    <th scope="col" class="amount">"Backers"</th>
                    <th scope="col">"Ends"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {projects
                    .into_iter()
                    .map(|project| {
                        let rate = project.achievement_rate().to_string();
                        let d_day = project.d_day().to_string();
                        view! {
                            <tr>
                                <td><ProjectTitle project=project.clone() /></td>
                                <td><span class=status_class(project.status)>{project.status.label()}</span></td>
                                <td class="amount">{project.total_amount.to_string()} " / " {project.target_amount.to_string()}</td>
                                <td class="amount">{rate}</td>
                                <td class="amount">{project.backer_count}</td>
                                <td>{date_text(project.end_date)} " · " {d_day}</td>
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
    view! {
        <Title text="My backings" />
        <h1 class="page-title">"My backings"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your backings…"</p> }>
            {move || Suspend::new(async move {
                match backings.await {
                    Ok(backings) if backings.is_empty() => EitherOf3::A(view! {
                        <p class="empty-state">
                            "You have not backed a project yet. " <a href="/">"Discover projects"</a>
                        </p>
                    }),
                    Ok(backings) => EitherOf3::B(view! { <MyBackingsTable backings /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error what="your backings" here="/me/backings" /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyBackingsTable(backings: Vec<BackedProject>) -> impl IntoView {
    view! {
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">"Project"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="amount">"You paid"</th>
                    <th scope="col">"Backing"</th>
                    <th scope="col" class="amount">"Achieved"</th>
                    <th scope="col">"Backed on"</th>
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
                                <td><span class=status_class(project.status)>{project.status.label()}</span></td>
                                <td class="amount">{backed.amount.to_string()}</td>
                                <td>{backed.status.label()}</td>
                                <td class="amount">{rate}</td>
                                <td>{korea_date_text(backed.backed_at)}</td>
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
    (project.status != PostStatus::Funding).then(|| {
        let label = format!("Delete {}", project.title);
        let confirm = format!("Yes, delete {}", project.title);
        view! {
            <details class="confirm-delete">
                <summary aria-label=label>"Delete"</summary>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=project.id />
                    <button class="link-button danger" type="submit" aria-label=confirm>
                        "Yes, delete"
                    </button>
                </ActionForm>
            </details>
        }
    })
}

/// Editing while funding; the backers, whenever there are any.
#[component]
fn ProjectActions(project: ProjectSummary) -> impl IntoView {
    let edit = (project.status == PostStatus::Funding).then(|| {
        let label = format!("Edit {}", project.title);
        view! { <a href=format!("/posts/{}/edit", project.id) aria-label=label>"Edit"</a> }
    });
    let backers = (project.backer_count > 0).then(|| {
        let label = format!("Backers of {}", project.title);
        view! { <a href=format!("/me/projects/{}/backers", project.id) aria-label=label>"Backers"</a> }
    });
    let history = (project.status != PostStatus::Funding).then(|| {
        let label = format!("History of {}", project.title);
        view! { <a href=format!("/me/projects/{}/history", project.id) aria-label=label>"History"</a> }
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
    view! {
        <Title text="Backers" />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/me/projects">"My projects"</a>
        </nav>
        <h1 class="page-title">"Backers"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the backers…"</p> }>
            {move || Suspend::new(async move {
                let here = format!("/me/projects/{}/backers", id.get_untracked());
                match backers.await {
                    Ok(backers) if backers.total_items == 0 => EitherOf3::A(view! {
                        <p class="empty-state">"Nobody has backed this project yet."</p>
                    }),
                    Ok(backers) => EitherOf3::B(view! { <BackersTable backers here /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error what="this project's backers" here="/me/projects" /> }),
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
    let count = if total_items == 1 {
        "1 backer".to_owned()
    } else {
        format!("{total_items} backers")
    };
    view! {
        <p class="list-status" role="status">{count}</p>
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">"Backer"</th>
                    <th scope="col" class="amount">"Paid"</th>
                    <th scope="col">"When (KST)"</th>
                </tr>
            </thead>
            <tbody>
                {items
                    .into_iter()
                    .map(|backer| view! {
                        <tr>
                            <td>{backer.username}</td>
                            <td class="amount">{backer.amount.to_string()}</td>
                            <td>{korea_minute_text(backer.backed_at)}</td>
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
    view! {
        <Title text="Project history" />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/me/projects">"My projects"</a>
        </nav>
        <h1 class="page-title">"History"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the history…"</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(moves) if moves.is_empty() => EitherOf3::A(view! {
                        <p class="empty-state">"This project is still funding: nothing has happened to it yet."</p>
                    }),
                    Ok(moves) => EitherOf3::B(view! { <HistoryTable moves /> }),
                    Err(error) => EitherOf3::C(view! { <Refusal error what="this project's history" here="/me/projects" /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HistoryTable(moves: Vec<crate::model::TransitionRecord>) -> impl IntoView {
    use crate::domain::transition::Actor;
    view! {
        <div class="table-scroll panel">
        <table class="ledger">
            <thead>
                <tr>
                    <th scope="col">"When (KST)"</th>
                    <th scope="col">"Change"</th>
                    <th scope="col">"By"</th>
                    <th scope="col" class="amount">"Money moved"</th>
                </tr>
            </thead>
            <tbody>
                {moves
                    .into_iter()
                    .map(|change| {
                        let by = match change.actor {
                            Actor::Owner => "You",
                            Actor::Settlement => "End date (settlement)",
                        };
                        let moved = match change.to {
                            PostStatus::Cancel => match change.backings_moved {
                                1 => format!("{} refunded to 1 backer", change.amount_moved),
                                n => format!("{} refunded to {n} backers", change.amount_moved),
                            },
                            PostStatus::Success => format!("{} paid to you", change.amount_moved),
                            _ => "—".to_owned(),
                        };
                        view! {
                            <tr>
                                <td>{korea_minute_text(change.at)}</td>
                                <td>{change.from.label()} " → " {change.to.label()}</td>
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

/// Why the list is not shown: not logged in, or the wrong type of account.
#[component]
fn Refusal(error: AppError, what: &'static str, here: &'static str) -> impl IntoView {
    match error.code {
        ErrorCode::Unauthenticated => Either::Left(view! {
            <p class="notice">{format!("Log in to see {what}. ")} <a href=format!("/login?next={here}")>"Log in"</a></p>
        }),
        _ => Either::Right(view! { <p class="error-banner" role="alert">{error.message}</p> }),
    }
}
