//! `/pocket`: the signed-in account's wallet. Register it, top it up, cash
//! it out to the bank, and read every movement of its money. The forms post to server functions, so
//! they work before hydration and, after it, without a reload.

use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_meta::Title;

use crate::{
    api::{CashOut, RegisterPocket, TopUp, pocket_overview},
    components::{
        account_actions::AccountActions,
        form::{FormError, ReturnPath, SelectField, TextField},
        pager::Pager,
    },
    domain::{
        Bank, Money, Paging, Role,
        pocket::{DEPOSIT_MAX, DEPOSIT_MIN},
    },
    error::{AppError, ErrorCode},
    i18n::td_string,
    locale::{self, Locale, format, use_locale, use_zone},
    model::{LedgerEntry, LedgerPage, Pocket, PocketStatement},
};
use leptos_router::hooks::use_query_map;

#[component]
pub fn PocketPage() -> impl IntoView {
    let actions = AccountActions::expect();
    let query = use_query_map();
    // A mistyped page number shows the first page rather than an error.
    let page =
        Memo::new(move |_| Paging::parse_lenient(query.read().get("page").as_deref(), None).page());
    let overview = Resource::new(
        move || {
            (
                page.get(),
                actions.register_pocket.version().get(),
                actions.top_up.version().get(),
                actions.cash_out.version().get(),
            )
        },
        |(page, ..)| pocket_overview(Some(page.to_string())),
    );

    let l = use_locale();
    view! {
        <Title text=td_string!(l, pocket.title) />
        <h1 class="page-title">{td_string!(l, pocket.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading" role="status">{td_string!(l, pocket.loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(PocketStatement { pocket: Some(pocket), entries, deposit_key, cash_out_key, .. }) => {
                        EitherOf3::A(view! { <RegisteredPocket pocket entries deposit_key cash_out_key /> })
                    }
                    Ok(PocketStatement { pocket: None, role, .. }) => EitherOf3::B(view! {
                        <section class="panel">
                            <h2>{td_string!(l, pocket.register)}</h2>
                            <p>{pocket_purpose(l, role)}</p>
                            <RegisterPocketForm action=actions.register_pocket submit=td_string!(l, pocket.register_button) />
                        </section>
                    }),
                    Err(error) => EitherOf3::C(view! { <PocketUnavailable error /> }),
                }
            })}
        </Suspense>
    }
}

/// What a pocket is for, to the account that is about to register one.
fn pocket_purpose(l: Locale, role: Role) -> &'static str {
    match role {
        Role::Backer => td_string!(l, pocket.purpose_backer),
        Role::Publisher => td_string!(l, pocket.purpose_publisher),
    }
}

#[component]
fn PocketUnavailable(error: AppError) -> impl IntoView {
    let l = use_locale();
    if error.code == ErrorCode::Unauthenticated {
        Either::Left(view! {
            <p class="notice">{td_string!(l, pocket.log_in_to_see)} <a href="/login?next=/pocket">{td_string!(l, common.log_in)}</a></p>
        })
    } else {
        Either::Right(
            view! { <p class="error-banner" role="alert">{error.message(use_locale())}</p> },
        )
    }
}

#[component]
fn RegisteredPocket(
    pocket: Pocket,
    entries: LedgerPage,
    deposit_key: String,
    cash_out_key: String,
) -> impl IntoView {
    let actions = AccountActions::expect();
    let destination = format!("{} {}", pocket.bank.name(), pocket.account_number_masked);
    let balance = pocket.balance;
    let l = use_locale();
    view! {
        <section class="panel pocket-summary" aria-label=td_string!(l, pocket.label)>
            <dl>
                <div>
                    <dt>{td_string!(l, pocket.bank)}</dt>
                    <dd>{pocket.bank.name()}</dd>
                </div>
                <div>
                    <dt>{td_string!(l, pocket.account)}</dt>
                    <dd class="account-number">{pocket.account_number_masked}</dd>
                </div>
                <div class="pocket-balance">
                    <dt>{td_string!(l, pocket.balance)}</dt>
                    <dd>{pocket.balance.to_string()}</dd>
                </div>
            </dl>
        </section>
        <div class="pocket-forms">
            <TopUpForm action=actions.top_up deposit_key />
            <CashOutForm action=actions.cash_out cash_out_key balance destination />
            <section class="panel">
                <details>
                    <summary>{td_string!(l, pocket.change_account)}</summary>
                    <p class="field-hint">{td_string!(l, pocket.balance_stays)}</p>
                    <RegisterPocketForm action=actions.register_pocket submit=td_string!(l, pocket.save_account) />
                </details>
            </section>
        </div>
        <History entries />
    }
}

#[component]
fn RegisterPocketForm(action: ServerAction<RegisterPocket>, submit: &'static str) -> impl IntoView {
    let error = action_error(action);
    let banks = Bank::ALL
        .into_iter()
        .map(|bank| (bank.code(), bank.name()))
        .collect::<Vec<_>>();
    let l = use_locale();
    view! {
        <FormError error />
        <ActionForm action attr:class="form" attr:novalidate=true>
            <ReturnPath />
            <SelectField label=td_string!(l, pocket.bank) name="bank" placeholder=td_string!(l, pocket.choose_bank) options=banks error />
            <TextField
                label=td_string!(l, pocket.account_number)
                name="account_number"
                inputmode="numeric"
                hint=td_string!(l, pocket.account_number_hint)
                error
            />
            <button class="button" type="submit">{submit}</button>
        </ActionForm>
    }
}

#[component]
fn TopUpForm(action: ServerAction<TopUp>, deposit_key: String) -> impl IntoView {
    let error = action_error(action);
    let l = use_locale();
    let hint = td_string!(
        l,
        pocket.top_up_hint,
        min = locale::won(l, DEPOSIT_MIN),
        max = locale::won(l, DEPOSIT_MAX)
    )
    .to_string();
    let done = move || {
        action.value().get().and_then(Result::ok).map(|balance| {
            td_string!(l, pocket.topped_up, balance = locale::won(l, balance)).to_string()
        })
    };
    view! {
        <section class="panel">
            <h2>{td_string!(l, pocket.top_up)}</h2>
            <p class="notice-success" role="status">{done}</p>
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="key" value=deposit_key />
                <TextField label=td_string!(l, pocket.amount) name="amount" inputmode="numeric" hint error />
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {td_string!(l, pocket.top_up)}
                </button>
            </ActionForm>
        </section>
    }
}

/// Pays the pocket out to its bank account: publishers take their payouts,
/// backers what they will not spend.
#[component]
fn CashOutForm(
    action: ServerAction<CashOut>,
    cash_out_key: String,
    balance: Money,
    destination: String,
) -> impl IntoView {
    let error = action_error(action);
    let l = use_locale();
    let hint = td_string!(
        l,
        pocket.cash_out_hint,
        balance = locale::won(l, balance),
        destination = destination
    )
    .to_string();
    let done = move || {
        action.value().get().and_then(Result::ok).map(|balance| {
            td_string!(l, pocket.cashed_out, balance = locale::won(l, balance)).to_string()
        })
    };
    view! {
        <section class="panel" aria-labelledby="cash-out-title">
            <h2 id="cash-out-title">{td_string!(l, pocket.cash_out)}</h2>
            <p class="notice-success" role="status">{done}</p>
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="key" value=cash_out_key />
                <TextField
                    label=td_string!(l, pocket.cash_out_amount)
                    name="amount"
                    id="cash-out-amount"
                    inputmode="numeric"
                    hint
                    error
                />
                <button
                    class="button button-quiet"
                    type="submit"
                    disabled=move || action.pending().get() || balance == Money::ZERO
                >
                    {td_string!(l, pocket.cash_out)}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn History(entries: LedgerPage) -> impl IntoView {
    let LedgerPage {
        items,
        page,
        total_pages,
        ..
    } = entries;
    let l = use_locale();
    let body = if items.is_empty() {
        Either::Left(view! { <p class="empty-state">{td_string!(l, pocket.no_movements)}</p> })
    } else {
        Either::Right(view! {
            <div class="table-scroll">
            <table class="ledger">
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, pocket.when, zone = &use_zone().abbreviation).to_string()}</th>
                        <th scope="col">{td_string!(l, pocket.what)}</th>
                        <th scope="col" class="amount">{td_string!(l, pocket.amount_column)}</th>
                        <th scope="col" class="amount">{td_string!(l, pocket.balance_column)}</th>
                    </tr>
                </thead>
                <tbody>{items.into_iter().map(|entry| view! { <HistoryRow entry /> }).collect_view()}</tbody>
            </table>
            </div>
            <Pager current=page total_pages link=|n| format!("/pocket?page={n}") />
        })
    };
    view! {
        <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">{td_string!(l, pocket.history)}</h2>
            {body}
        </section>
    }
}

#[component]
fn HistoryRow(entry: LedgerEntry) -> impl IntoView {
    let l = use_locale();
    let kind = locale::ledger_kind(l, entry.kind);
    let project = entry
        .project
        .map(|(id, title)| view! { " · " <a href=format!("/posts/{id}")>{title}</a> });
    let signed_amount = if entry.amount.as_won() > 0 {
        format!("+{}", entry.amount)
    } else {
        entry.amount.to_string()
    };
    let direction = if entry.amount.as_won() > 0 {
        "amount in"
    } else {
        "amount out"
    };
    view! {
        <tr>
            <td>{format::date_time(l, &use_zone(), entry.created_at)}</td>
            <td>{kind} {project}</td>
            <td class=direction>{signed_amount}</td>
            <td class="amount">{entry.balance_after.to_string()}</td>
        </tr>
    }
}

fn action_error<A>(action: ServerAction<A>) -> Signal<Option<AppError>>
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}
