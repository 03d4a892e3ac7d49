//! The kinds of money movement and of backing, shared by the server, the
//! API and the pages (which never match on strings).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a ledger row moved money. Into a pocket: `Deposit`, `Withdrawal`,
/// `Refund`, `Payout`; out of it: `Backing`, `CashOut`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LedgerKind {
    /// A top-up from the registered bank account.
    Deposit,
    /// Paid into a project's escrow.
    Backing,
    /// A backing taken back while the project was funding.
    Withdrawal,
    /// A cancelled project's money back.
    Refund,
    /// A successful project's money to its publisher.
    Payout,
    /// Paid out to the registered bank account.
    CashOut,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 6] = [
        LedgerKind::Deposit,
        LedgerKind::Backing,
        LedgerKind::Withdrawal,
        LedgerKind::Refund,
        LedgerKind::Payout,
        LedgerKind::CashOut,
    ];

    /// As the database and the API spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Deposit => "DEPOSIT",
            LedgerKind::Backing => "BACKING",
            LedgerKind::Withdrawal => "WITHDRAWAL",
            LedgerKind::Refund => "REFUND",
            LedgerKind::Payout => "PAYOUT",
            LedgerKind::CashOut => "CASH_OUT",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// For a person reading their history.
    pub const fn label(self) -> &'static str {
        match self {
            LedgerKind::Deposit => "Top-up",
            LedgerKind::Backing => "Backed",
            LedgerKind::Withdrawal => "Backing withdrawn",
            LedgerKind::Refund => "Refund",
            LedgerKind::Payout => "Payout",
            LedgerKind::CashOut => "Cash-out",
        }
    }
}

impl fmt::Display for LedgerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a backing stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BackingStatus {
    Active,
    Withdrawn,
    Refunded,
    PaidOut,
}

impl BackingStatus {
    pub const ALL: [BackingStatus; 4] = [
        BackingStatus::Active,
        BackingStatus::Withdrawn,
        BackingStatus::Refunded,
        BackingStatus::PaidOut,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            BackingStatus::Active => "ACTIVE",
            BackingStatus::Withdrawn => "WITHDRAWN",
            BackingStatus::Refunded => "REFUNDED",
            BackingStatus::PaidOut => "PAID_OUT",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    pub const fn label(self) -> &'static str {
        match self {
            BackingStatus::Active => "Backed",
            BackingStatus::Withdrawn => "Withdrawn",
            BackingStatus::Refunded => "Refunded",
            BackingStatus::PaidOut => "Paid to the publisher",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip_through_their_spelling() {
        for kind in LedgerKind::ALL {
            assert_eq!(LedgerKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        for status in BackingStatus::ALL {
            assert_eq!(BackingStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(LedgerKind::parse("deposit"), None);
    }
}
