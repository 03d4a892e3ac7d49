//! Pages most visitors never open, loaded on demand. A shared link brings
//! someone to the home page or a project page, so those and everything they
//! need ship in the first WASM download; the pages below are each split into
//! a module of their own (cargo-leptos `--split`), fetched when the router
//! first needs one: on a click that leads there, or before hydrating a page
//! that was opened directly. On the server they render like any other page.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::pages::{
    checkout::CheckoutPage,
    mine::{MyBackingsPage, MyProjectsPage, ProjectBackersPage, ProjectHistoryPage},
    pocket::PocketPage,
    publish::{EditPostPage, PublishPage},
    session::{LogInPage, SignUpPage},
};

/// Declares a route whose view is loaded on demand. Each page loads its own
/// data, so the route has none of its own to load beside the view.
macro_rules! on_demand {
    ($($(#[$doc:meta])* $route:ident => $page:ident;)+) => {$(
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )+};
}

on_demand! {
    /// `/login`
    LogInRoute => LogInPage;
    /// `/signup`
    SignUpRoute => SignUpPage;
    /// `/posts/new`
    PublishRoute => PublishPage;
    /// `/posts/:id/edit`
    EditPostRoute => EditPostPage;
    /// `/posts/:id/checkout`
    CheckoutRoute => CheckoutPage;
    /// `/pocket`
    PocketRoute => PocketPage;
    /// `/me/projects`
    MyProjectsRoute => MyProjectsPage;
    /// `/me/backings`
    MyBackingsRoute => MyBackingsPage;
    /// `/me/projects/:id/backers`
    ProjectBackersRoute => ProjectBackersPage;
    /// `/me/projects/:id/history`
    ProjectHistoryRoute => ProjectHistoryPage;
}
