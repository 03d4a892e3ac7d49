//! The actions that change who is signed in or what their pocket holds
//! (including backing, withdrawing and cashing out),
//! shared by the pages and the header so the header refreshes after any of
//! them.

use leptos::prelude::*;

use crate::api::{
    BackProject, CashOut, EndProject, LogIn, LogOut, RegisterPocket, SignUp, TopUp, WithdrawBacking,
};

#[derive(Clone, Copy)]
pub struct AccountActions {
    pub log_in: ServerAction<LogIn>,
    pub sign_up: ServerAction<SignUp>,
    pub log_out: ServerAction<LogOut>,
    pub register_pocket: ServerAction<RegisterPocket>,
    pub top_up: ServerAction<TopUp>,
    pub cash_out: ServerAction<CashOut>,
    pub back_project: ServerAction<BackProject>,
    pub withdraw_backing: ServerAction<WithdrawBacking>,
    /// A publisher cancels or closes a project (its page and lists change).
    pub end_project: ServerAction<EndProject>,
}

impl AccountActions {
    pub fn provide() {
        provide_context(AccountActions {
            log_in: ServerAction::new(),
            sign_up: ServerAction::new(),
            log_out: ServerAction::new(),
            register_pocket: ServerAction::new(),
            top_up: ServerAction::new(),
            cash_out: ServerAction::new(),
            back_project: ServerAction::new(),
            withdraw_backing: ServerAction::new(),
            end_project: ServerAction::new(),
        });
    }

    pub fn expect() -> Self {
        expect_context::<AccountActions>()
    }

    /// Changes whenever someone may have logged in or out, or their pocket
    /// may have changed.
    pub fn version(&self) -> [usize; 8] {
        [
            self.log_in.version().get(),
            self.sign_up.version().get(),
            self.log_out.version().get(),
            self.register_pocket.version().get(),
            self.top_up.version().get(),
            self.cash_out.version().get(),
            self.back_project.version().get(),
            self.withdraw_backing.version().get(),
        ]
    }
}
