//! Headend's persisted state: where its files live ([`DataDir`]) and the
//! database ([`Store`]): sqlx over SQLite, with the migrations of the
//! top-level `migrations/` folder applied when it opens.
//!
//! Architecture invariants: this is the only crate that writes SQL. It stores
//! no secret: passwords are in the OS keyring (`headend-secrets`), keyed by
//! the ids of the rows here. Rows are converted to `headend-core` types by
//! hand, and a row that does not convert is a [`StoreError::Corrupt`], never
//! a panic.

mod data_dir;
mod error;
mod records;
mod store;

pub use data_dir::{DataDir, DataDirError, APP_IDENTIFIER};
pub use error::StoreError;
pub use records::{
    NewCustomer, NewPlan, NewPop, NewRouter, NewService, ServiceOverview, StoreStatus,
};
pub use store::Store;
