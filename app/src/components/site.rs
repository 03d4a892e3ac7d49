use leptos::{either::Either, prelude::*};

use leptos_router::hooks::use_location;

use crate::{
    api::current_account,
    components::account_actions::AccountActions,
    domain::{Role, listing::encode_query_value},
    i18n::td_string,
    locale::{self, Locale, use_locale},
};

#[component]
pub fn SiteHeader() -> impl IntoView {
    let actions = AccountActions::expect();
    let me = Resource::new(move || actions.version(), |_| current_account());
    let l = use_locale();

    view! {
        <a class="skip-link" href="#main">{td_string!(l, site.skip_link)}</a>
        <header class="site-header">
            <div class="container site-header-inner">
                // Named by what it shows ("Moa"), then where it goes: a name
                // that does not contain the visible text fails voice control.
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"모아"</span>
                    <span class="brand-name">"Moa"</span>
                    <span class="visually-hidden">" " {td_string!(l, site.home_label)}</span>
                </a>
                <nav aria-label=td_string!(l, site.main_nav) class="site-nav">
                    <a href="/">{td_string!(l, site.discover)}</a>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match me.await.ok().flatten() {
                                Some(me) => {
                                    // The balance, read out with what it is; or, before
                                    // there is a pocket, the way to register one.
                                    let (balance, balance_label) = match me.pocket {
                                        Some(pocket) => {
                                            let balance = pocket.balance.to_string();
                                            let label = td_string!(l, site.pocket_balance, balance = locale::won(l, pocket.balance)).to_string();
                                            (balance, Some(label))
                                        }
                                        None => (td_string!(l, site.register_pocket).to_owned(), None),
                                    };
                                    let (own_list, own_label) = match me.account.role {
                                        Role::Publisher => ("/me/projects", td_string!(l, site.my_projects)),
                                        Role::Backer => ("/me/backings", td_string!(l, site.my_backings)),
                                    };
                                    let publish = (me.account.role == Role::Publisher)
                                        .then(|| view! { <a href="/posts/new">{td_string!(l, site.publish)}</a> });
                                    Either::Left(view! {
                                        {publish}
                                        <a href=own_list>{own_label}</a>
                                        <span class="session" aria-label=td_string!(l, site.signed_in)>
                                            <span class="session-name">{me.account.username}</span>
                                            <span class="role-badge">{locale::role(l, me.account.role)}</span>
                                            <a class="session-balance" href="/pocket" aria-label=balance_label>{balance}</a>
                                        </span>
                                        <ActionForm action=actions.log_out attr:class="inline-form">
                                            <button class="link-button" type="submit">{td_string!(l, site.log_out)}</button>
                                        </ActionForm>
                                    })
                                }
                                None => Either::Right(view! {
                                    <a href="/login">{td_string!(l, site.log_in)}</a>
                                    <a class="button button-small" href="/signup">{td_string!(l, site.sign_up)}</a>
                                }),
                            }
                        })}
                    </Transition>
                    <LanguageSwitch current=l />
                </nav>
            </div>
        </header>
    }
}

/// Links to this same page (path and query) in the other languages. A full
/// page load (`rel="external"`): `/lang/{tag}` sets the cookie and comes
/// back, with or without JavaScript.
#[component]
fn LanguageSwitch(current: Locale) -> impl IntoView {
    let location = use_location();
    let here = move || {
        let path = location.pathname.get();
        let query = location.search.get();
        if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.trim_start_matches('?'))
        }
    };
    let links = locale::ALL
        .into_iter()
        .filter(move |other| *other != current)
        .map(move |other| {
            let tag = locale::tag(other);
            let href = move || format!("/lang/{tag}?next={}", encode_query_value(&here()));
            view! {
                <a class="language-link" href=href rel="external" hreflang=tag lang=tag>
                    {locale::endonym(other)}
                </a>
            }
        })
        .collect_view();
    view! {
        <span class="language-switch" aria-label=td_string!(current, site.language)>
            {links}
        </span>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let l = use_locale();
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>{td_string!(l, site.footer)}</p>
            </div>
        </footer>
    }
}
