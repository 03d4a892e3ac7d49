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
    i18n::td_string,
    locale::use_locale,
};

#[component]
pub fn LogInPage() -> impl IntoView {
    let actions = AccountActions::expect();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || actions.log_in.value().get().and_then(Result::err));
    let l = use_locale();
    view! {
        <Title text=td_string!(l, session.log_in) />
        <section class="auth-card">
            <h1>{td_string!(l, session.log_in)}</h1>
            <FormError error />
            <ActionForm action=actions.log_in attr:class="form" attr:novalidate=true>
                <ReturnPath />
                <TextField label=td_string!(l, session.username) name="username" autocomplete="username" error />
                <TextField label=td_string!(l, session.password) name="password" kind="password" autocomplete="current-password" error />
                <button class="button" type="submit">{td_string!(l, session.log_in)}</button>
            </ActionForm>
            <p class="auth-switch">{td_string!(l, session.new_here)} <a href=switch_link("/signup")>{td_string!(l, session.create_account_link)}</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let actions = AccountActions::expect();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || actions.sign_up.value().get().and_then(Result::err));
    let l = use_locale();
    let role_error = move || error.get().and_then(|error| error.field_message(l, "role"));
    view! {
        <Title text=td_string!(l, session.create_account) />
        <section class="auth-card">
            <h1>{td_string!(l, session.create_account)}</h1>
            <FormError error />
            <ActionForm action=actions.sign_up attr:class="form" attr:novalidate=true>
                <ReturnPath />
                <fieldset class="field role-choice" aria-describedby="field-role-error">
                    <legend>{td_string!(l, session.i_want_to)}</legend>
                    <label><input type="radio" name="role" value="backer" checked />{td_string!(l, session.back_projects)}</label>
                    <label><input type="radio" name="role" value="publisher" />{td_string!(l, session.publish_projects)}</label>
                    <p class="field-error" id="field-role-error" role="alert">{role_error}</p>
                </fieldset>
                <TextField
                    label=td_string!(l, session.username)
                    name="username"
                    autocomplete="username"
                    hint=td_string!(l, session.username_hint)
                    error
                />
                <TextField label=td_string!(l, session.email) name="email" kind="email" autocomplete="email" error />
                <TextField
                    label=td_string!(l, session.password)
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint=td_string!(l, session.password_hint)
                    error
                />
                <button class="button" type="submit">{td_string!(l, session.create_account_button)}</button>
            </ActionForm>
            <p class="auth-switch">{td_string!(l, session.have_account)} <a href=switch_link("/login")>{td_string!(l, session.log_in)}</a></p>
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
