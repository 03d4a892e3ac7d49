//! The browser half of Moa: take over the server-rendered page.

// The future that hydrates the whole app has a deeply nested type.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Some routes are loaded on demand (app::pages::on_demand): hydrating
    // one that was opened directly waits for its module first.
    leptos::mount::hydrate_lazy(app::App);
}
