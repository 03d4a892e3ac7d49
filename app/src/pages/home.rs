use leptos::{
    either::{Either, EitherOf4},
    prelude::*,
};
use leptos_meta::{Meta, Title};
use leptos_router::{
    NavigateOptions,
    components::Form,
    hooks::{use_navigate, use_query_map},
};

use crate::{
    api::list_projects_for,
    components::{pager::Pager, project_card::ProjectCard},
    domain::listing::RawListQuery,
    i18n::td_string,
    locale::{
        Locale,
        format::{self, group_thousands},
        use_locale,
    },
    model::{ListQuery, ProjectPage, ProjectSort},
};

/// How long typing must pause before the list follows the search box.
const SEARCH_DEBOUNCE_MS: u64 = 300;

/// The list of projects: search, order and page all live in the URL
/// (`/?q=캠핑&sort=created&page=2`), so every view can be shared and
/// back/forward restore it.
#[component]
pub fn HomePage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let map = query_map.read();
        let (q, sort, page, per_page) = (
            map.get("q"),
            map.get("sort"),
            map.get("page"),
            map.get("per_page"),
        );
        ListQuery::parse_lenient(RawListQuery {
            search: q.as_deref(),
            sort: sort.as_deref(),
            page: page.as_deref(),
            per_page: per_page.as_deref(),
        })
    });
    let projects = Resource::new(move || query.get(), list_projects_for);
    let l = use_locale();

    view! {
        <Title text=td_string!(l, home.title) />
        <Meta name="description" content=td_string!(l, home.description) />
        <section class="hero">
            <h1>{td_string!(l, home.heading)}</h1>
            <p class="hero-lead">{td_string!(l, home.lead)}</p>
        </section>
        <SearchForm query />
        <div class="list-toolbar">
            <h2 class="list-heading">
                {move || match query.read().search().map(str::to_owned) {
                    Some(search) => td_string!(l, home.results_for, search = search).to_string(),
                    None => td_string!(l, home.projects).to_owned(),
                }}
            </h2>
            <nav class="sort-tabs" aria-label=td_string!(l, home.sort_label)>
                <SortLink option=ProjectSort::Total query label=td_string!(l, home.most_funded) />
                <SortLink option=ProjectSort::Created query label=td_string!(l, home.newest) />
            </nav>
        </div>
        <Transition fallback=move || view! { <p class="loading" role="status">{td_string!(l, home.loading)}</p> }>
            {move || Suspend::new(async move {
                let current = query.get_untracked();
                match projects.await {
                    Ok(page) if page.items.is_empty() && current.page() > 1 && page.total_items > 0 => {
                        let first = current.with_page(1).to_url();
                        EitherOf4::A(view! {
                            <section class="empty-state">
                                <h2>{td_string!(l, home.page_empty)}</h2>
                                <p>{td_string!(l, home.list_ends, pages = page.total_pages).to_string()}</p>
                                <a class="button" href=first>{td_string!(l, home.first_page)}</a>
                            </section>
                        })
                    }
                    Ok(page) if page.items.is_empty() => EitherOf4::B(view! {
                        <EmptyList query=current />
                    }),
                    Ok(page) => {
                        let summary = list_summary(l, &page);
                        EitherOf4::C(view! {
                            <p class="list-summary" role="status">{summary}</p>
                            <ul class="card-grid" aria-label=td_string!(l, home.projects)>
                                {page.items.into_iter().map(|project| view! { <ProjectCard project /> }).collect_view()}
                            </ul>
                            <Pager
                                current=current.page()
                                total_pages=page.total_pages
                                link=move |n| current.with_page(n).to_url()
                            />
                        })
                    }
                    Err(error) => EitherOf4::D(view! {
                        <p class="error-banner" role="alert">{error.message(use_locale())}</p>
                    }),
                }
            })}
        </Transition>
    }
}

/// A plain GET form, so search works before (or without) WASM. Once
/// hydrated, the list also follows the box as you type.
#[component]
fn SearchForm(query: Memo<ListQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // What the box shows. It follows the URL (back/forward, links) but not
    // while it already means the same search, so typing a trailing space is
    // not undone under the cursor.
    let text = RwSignal::new(
        query
            .get_untracked()
            .search()
            .unwrap_or_default()
            .to_owned(),
    );
    Effect::new(move |_| {
        let search = query.read().search().map(str::to_owned).unwrap_or_default();
        if text.read_untracked().trim() != search {
            text.set(search);
        }
    });
    let on_input = move |event: leptos::ev::Event| {
        let typed = event_target_value(&event);
        text.set(typed.clone());
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let navigate = navigate.clone();
        let handle = set_timeout_with_handle(
            move || {
                let current = query.get_untracked();
                let search = Some(typed.trim().to_owned()).filter(|s| !s.is_empty());
                if search.as_deref() != current.search() {
                    let url = current.with_search(search.as_deref()).to_url();
                    navigate(
                        &url,
                        NavigateOptions {
                            replace: true,
                            scroll: false,
                            ..Default::default()
                        },
                    );
                }
            },
            std::time::Duration::from_millis(SEARCH_DEBOUNCE_MS),
        );
        pending.set_value(handle.ok());
    };

    let l = use_locale();
    view! {
        <Form method="GET" action="/" attr:class="search-form" attr:role="search">
            <label class="visually-hidden" for="search-input">{td_string!(l, home.search_label)}</label>
            <input
                id="search-input"
                class="search-input"
                type="search"
                name="q"
                placeholder=td_string!(l, home.search_label)
                maxlength="100"
                autocomplete="off"
                // The attribute for the server's HTML (and no-JS use), the
                // property once hydrated.
                value=text.get_untracked()
                prop:value=text
                on:input=on_input
            />
            {move || {
                let sort = query.read().sort();
                (sort != ProjectSort::default())
                    .then(|| view! { <input type="hidden" name="sort" value=sort.as_query() /> })
            }}
            <button class="button" type="submit">{td_string!(l, home.search)}</button>
        </Form>
    }
}

#[component]
fn EmptyList(query: ListQuery) -> impl IntoView {
    let l = use_locale();
    match query.search().map(str::to_owned) {
        Some(search) => {
            let clear = query.with_search(None).to_url();
            Either::Left(view! {
                <section class="empty-state">
                    <h2>{td_string!(l, home.no_match, search = search).to_string()}</h2>
                    <p>{td_string!(l, home.try_other)}</p>
                    <a class="button" href=clear>{td_string!(l, home.clear_search)}</a>
                </section>
            })
        }
        None => Either::Right(view! {
            <section class="empty-state">
                <h2>{td_string!(l, home.none_yet)}</h2>
                <p>{td_string!(l, home.none_yet_body)}</p>
            </section>
        }),
    }
}

/// `12 projects · page 1 of 2` / `프로젝트 12개 · 2페이지 중 1페이지`.
/// "12 projects · page 1 of 2"; for a search counted only up to its cap,
/// "1,000+ projects · page 3".
fn list_summary(l: Locale, listed: &ProjectPage) -> String {
    let (count, page, pages) = (listed.total_items, listed.page, listed.total_pages);
    let count_text = group_thousands(count);
    if listed.total_capped {
        td_string!(l, home.summary_capped, count = count_text, page = page).to_string()
    } else if format::plural(l, count) == format::Plural::One {
        td_string!(
            l,
            home.summary_singular,
            count = count_text,
            page = page,
            pages = pages
        )
        .to_string()
    } else {
        td_string!(
            l,
            home.summary_plural,
            count = count_text,
            page = page,
            pages = pages
        )
        .to_string()
    }
}

#[component]
fn SortLink(option: ProjectSort, query: Memo<ListQuery>, label: &'static str) -> impl IntoView {
    let href = move || query.read().with_sort(option).to_url();
    view! {
        <a
            class="sort-tab"
            href=href
            aria-current=move || (query.read().sort() == option).then_some("page")
        >
            {label}
        </a>
    }
}
