//! `/login` and `/signup`. Plain forms posting to server functions: they work
//! before hydration, and after it without a reload.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{
        account_actions::AccountActions,
        form::{FormError, ReturnPath, TextField},
    },
    error::AppError,
};

#[component]
pub fn LogInPage() -> impl IntoView {
    let actions = AccountActions::expect();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || actions.log_in.value().get().and_then(Result::err));
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <h1>"Log in"</h1>
            <FormError error />
            <ActionForm action=actions.log_in attr:class="form" attr:novalidate=true>
                <ReturnPath />
                <TextField label="Username" name="username" autocomplete="username" error />
                <TextField label="Password" name="password" kind="password" autocomplete="current-password" error />
                <button class="button" type="submit">"Log in"</button>
            </ActionForm>
            <p class="auth-switch">"New to Moa? " <a href=switch_link("/signup")>"Create an account"</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let actions = AccountActions::expect();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || actions.sign_up.value().get().and_then(Result::err));
    let role_error = move || {
        error
            .get()
            .and_then(|error| error.details.get("role").cloned())
    };
    view! {
        <Title text="Create an account" />
        <section class="auth-card">
            <h1>"Create an account"</h1>
            <FormError error />
            <ActionForm action=actions.sign_up attr:class="form" attr:novalidate=true>
                <ReturnPath />
                <fieldset class="field role-choice" aria-describedby="field-role-error">
                    <legend>"I want to"</legend>
                    <label><input type="radio" name="role" value="backer" checked />" back projects"</label>
                    <label><input type="radio" name="role" value="publisher" />" publish projects"</label>
                    <p class="field-error" id="field-role-error" role="alert">{role_error}</p>
                </fieldset>
                <TextField
                    label="Username"
                    name="username"
                    autocomplete="username"
                    hint="3–30 letters, digits or underscores."
                    error
                />
                <TextField label="Email" name="email" kind="email" autocomplete="email" error />
                <TextField
                    label="Password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 10 characters."
                    error
                />
                <button class="button" type="submit">"Create account"</button>
            </ActionForm>
            <p class="auth-switch">"Already have an account? " <a href=switch_link("/login")>"Log in"</a></p>
        </section>
    }
}

/// The link to the other form (log in ↔ sign up), keeping `?next=`.
fn switch_link(page: &'static str) -> impl Fn() -> String + Send + Sync + 'static {
    let query = use_query_map();
    move || match query.read().get("next") {
        Some(next) => format!(
            "{page}?next={}",
            crate::domain::listing::encode_query_value(&next)
        ),
        None => page.to_owned(),
    }
}
