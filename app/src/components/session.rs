//! The session actions, shared by the pages and the header so the header
//! refreshes after any of them.

use leptos::prelude::*;

use crate::api::{LogIn, LogOut, SignUp};

#[derive(Clone, Copy)]
pub struct SessionActions {
    pub log_in: ServerAction<LogIn>,
    pub sign_up: ServerAction<SignUp>,
    pub log_out: ServerAction<LogOut>,
}

impl SessionActions {
    pub fn provide() {
        provide_context(SessionActions {
            log_in: ServerAction::new(),
            sign_up: ServerAction::new(),
            log_out: ServerAction::new(),
        });
    }

    pub fn expect() -> Self {
        expect_context::<SessionActions>()
    }

    /// Changes whenever someone may have logged in or out.
    pub fn version(&self) -> (usize, usize, usize) {
        (
            self.log_in.version().get(),
            self.sign_up.version().get(),
            self.log_out.version().get(),
        )
    }
}
