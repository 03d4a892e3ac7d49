//! Pieces of UI used by more than one page.

pub mod account_actions;
pub mod end_project;
pub mod form;
pub mod live_figures;
pub mod pager;
pub mod project_card;
pub mod site;
