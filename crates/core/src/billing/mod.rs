//! Billing: money and tax, billing periods on the calendar, invoices and
//! credit notes, the customer ledger, the invoice run's schedule, and the
//! ISP's billing settings. All pure: the store and the workflows do the IO.

pub mod calendar;
pub mod invoice;
pub mod ledger;
pub mod money;
pub mod numbering;
pub mod prepaid;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod tax;

pub use prepaid::{MAX_MONTHS, advance_due};
