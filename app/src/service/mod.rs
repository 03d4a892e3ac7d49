//! Server-side capabilities, one module each. Server functions and REST
//! handlers both call these, so the UI and the API cannot disagree.

pub mod access;
pub mod accounts;
pub mod auth;
pub mod backings;
pub mod client_address;
pub mod ledger;
pub mod login_throttle;
pub mod markdown;
pub mod pockets;
pub mod posts;
pub mod publishing;
pub mod replica;
pub mod session;
pub mod sessions;
pub mod settlement;
pub mod sign_up_limit;
pub mod throttle;
