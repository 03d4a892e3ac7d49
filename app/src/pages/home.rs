use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{api::list_projects, components::project_card::ProjectCard, model::ProjectSort};

/// The list of projects, ordered by status priority, then the chosen sort.
/// The sort lives in the URL, so every view of the list can be shared.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let sort = Memo::new(move |_| {
        query
            .read()
            .get("sort")
            .and_then(|value| ProjectSort::from_query(&value))
            .unwrap_or_default()
    });
    let projects = Resource::new(move || sort.get(), list_projects);

    view! {
        <Title text="Discover projects" />
        <section class="hero">
            <h1>"Back what you want to see made"</h1>
            <p class="hero-lead">
                "Independent makers fund their projects on Moa. Pick one, back it once, and follow it to the finish."
            </p>
        </section>
        <div class="list-toolbar">
            <h2 class="list-heading">"Projects"</h2>
            <nav class="sort-tabs" aria-label="Sort projects">
                <SortLink option=ProjectSort::Total current=sort label="Most funded" />
                <SortLink option=ProjectSort::Created current=sort label="Newest" />
            </nav>
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading projects…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) if list.is_empty() => EitherOf3::A(view! {
                        <section class="empty-state">
                            <h2>"No projects yet"</h2>
                            <p>"When publishers open their projects, they will appear here."</p>
                        </section>
                    }),
                    Ok(list) => EitherOf3::B(view! {
                        <ul class="card-grid" aria-label="Projects">
                            {list.into_iter().map(|project| view! { <ProjectCard project /> }).collect_view()}
                        </ul>
                    }),
                    Err(error) => EitherOf3::C(view! {
                        <p class="error-banner" role="alert">{error.message}</p>
                    }),
                }
            })}
        </Transition>
    }
}

#[component]
fn SortLink(option: ProjectSort, current: Memo<ProjectSort>, label: &'static str) -> impl IntoView {
    let href = format!("/?sort={}", option.as_query());
    view! {
        <a
            class="sort-tab"
            href=href
            aria-current=move || (current.get() == option).then_some("page")
        >
            {label}
        </a>
    }
}
