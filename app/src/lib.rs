//! Moa: a crowdfunding app. This crate is shared by the server (feature
//! `ssr`) and the browser (feature `hydrate`).

pub mod api;
pub mod components;
pub mod cookies;
pub mod domain;
pub mod error;
pub mod locale;
pub mod model;
pub mod pages;
pub mod security;

// The catalogues of `locales/`, compiled by build.rs into the module `i18n`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Link, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::{
        account_actions::AccountActions,
        site::{SiteFooter, SiteHeader},
    },
    pages::{
        home::HomePage,
        not_found::NotFoundPage,
        on_demand::{
            CheckoutRoute, EditPostRoute, LogInRoute, MyBackingsRoute, MyProjectsRoute,
            PocketRoute, ProjectBackersRoute, ProjectHistoryRoute, PublishRoute, SignUpRoute,
        },
        project::ProjectPage,
    },
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = locale::provide();
    let zone = locale::provide_zone();
    view! {
        <!DOCTYPE html>
        <html lang=locale::tag(locale) data-locale=locale::tag(locale) data-utc-offset=zone.offset_seconds data-zone=zone.abbreviation>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    locale::provide();
    locale::provide_zone();
    mark_hydrated();

    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        // A text of its own, so the document never goes untitled: while a page
        // loaded on demand hydrates, its own title is not registered yet.
        <Title formatter=page_title text="" />
        <Router>
            <Site />
        </Router>
    }
}

/// Everything inside the router. When JavaScript is off, a refused form
/// post comes back as a redirect to the form with the error in the URL
/// (`?__path=…&__err=…`); a server action shows it only if that error is in
/// context when the action is created. `<Routes>` provides it too late for
/// the account actions (shared with the header, so created here), so it is
/// provided first.
#[component]
fn Site() -> impl IntoView {
    leptos_router::hooks::use_url().with_untracked(|url| url.provide_server_action_error());
    AccountActions::provide();
    view! {
        <SiteHeader />
        <main id="main" class="container">
            <Routes fallback=NotFoundPage>
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                // Before `/posts/:id`: the router takes the first match.
                <Route path=path!("/posts/new") view={Lazy::<PublishRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/posts/:id/edit") view={Lazy::<EditPostRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/posts/:id/checkout") view={Lazy::<CheckoutRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/posts/:id") view=ProjectPage ssr=SsrMode::Async />
                <Route path=StaticSegment("login") view={Lazy::<LogInRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("signup") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("pocket") view={Lazy::<PocketRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/me/projects") view={Lazy::<MyProjectsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/me/backings") view={Lazy::<MyBackingsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/me/projects/:id/backers") view={Lazy::<ProjectBackersRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/me/projects/:id/history") view={Lazy::<ProjectHistoryRoute>::new()} ssr=SsrMode::Async />
            </Routes>
        </main>
        <SiteFooter />
    }
}

/// `<title>` text. leptos_meta 0.8 writes the title into the server HTML
/// without escaping it, so a project called `</title><script>…` would inject
/// markup; escape it there. In the browser it is set as text, unescaped.
fn page_title(title: String) -> String {
    let full = if title.is_empty() {
        "Moa 모아".to_owned()
    } else {
        format!("{title} · Moa 모아")
    };
    if cfg!(feature = "ssr") {
        escape_html_text(&full)
    } else {
        full
    }
}

fn escape_html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Sets `data-hydrated="true"` on `<html>` once the WASM has taken over, so
/// browser tests (and curious people) can tell hydration finished. Effects
/// never run on the server, so the server HTML does not carry it.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
