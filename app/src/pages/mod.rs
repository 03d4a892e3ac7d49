//! One module per route.

pub mod checkout;
pub mod home;
pub mod mine;
pub mod not_found;
pub mod on_demand;
pub mod pocket;
pub mod project;
pub mod publish;
pub mod session;

use leptos::prelude::*;

/// The route's `:id` as a project id: `None` unless it is a positive whole
/// number, so a mistyped address is a 404 rather than a failed request.
pub(crate) fn route_id() -> Memo<Option<i64>> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .filter(|id| *id > 0)
    })
}
