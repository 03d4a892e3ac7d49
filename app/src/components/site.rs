use leptos::{either::Either, prelude::*};

use crate::{api::current_account, components::account_actions::AccountActions, domain::Role};

#[component]
pub fn SiteHeader() -> impl IntoView {
    let actions = AccountActions::expect();
    let me = Resource::new(move || actions.version(), |_| current_account());

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="container site-header-inner">
                <a class="brand" href="/" aria-label="Moa home">
                    <span class="brand-mark" aria-hidden="true">"모아"</span>
                    <span class="brand-name">"Moa"</span>
                </a>
                <nav aria-label="Main" class="site-nav">
                    <a href="/">"Discover"</a>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match me.await.ok().flatten() {
                                Some(me) => {
                                    // The balance, read out with what it is; or, before
                                    // there is a pocket, the way to register one.
                                    let (balance, balance_label) = match me.pocket {
                                        Some(pocket) => {
                                            let balance = pocket.balance.to_string();
                                            let label = format!("Pocket balance {balance}");
                                            (balance, Some(label))
                                        }
                                        None => ("Register a pocket".to_owned(), None),
                                    };
                                    let (own_list, own_label) = match me.account.role {
                                        Role::Publisher => ("/me/projects", "My projects"),
                                        Role::Backer => ("/me/backings", "My backings"),
                                    };
                                    let publish = (me.account.role == Role::Publisher)
                                        .then(|| view! { <a href="/posts/new">"Publish"</a> });
                                    Either::Left(view! {
                                        {publish}
                                        <a href=own_list>{own_label}</a>
                                        <span class="session" aria-label="Signed in">
                                            <span class="session-name">{me.account.username}</span>
                                            <span class="role-badge">{me.account.role.as_str()}</span>
                                            <a class="session-balance" href="/pocket" aria-label=balance_label>{balance}</a>
                                        </span>
                                        <ActionForm action=actions.log_out attr:class="inline-form">
                                            <button class="link-button" type="submit">"Log out"</button>
                                        </ActionForm>
                                    })
                                }
                                None => Either::Right(view! {
                                    <a href="/login">"Log in"</a>
                                    <a class="button button-small" href="/signup">"Sign up"</a>
                                }),
                            }
                        })}
                    </Transition>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>"Moa 모아 — crowdfunding for the things people make. Amounts in Korean won (KRW)."</p>
            </div>
        </footer>
    }
}
