//! One module per route.

pub mod home;
pub mod mine;
pub mod not_found;
pub mod pocket;
pub mod project;
pub mod publish;
pub mod session;
