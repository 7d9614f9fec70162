//! Headend's persisted state: where its files live ([`DataDir`]) and the
//! database ([`Store`]): sqlx over SQLite, with the migrations of the
//! top-level `migrations/` folder applied when it opens.
//!
//! Architecture invariants: this is the only crate that writes SQL. It stores
//! no plaintext secret: router passwords are in the OS keyring
//! (`headend-secrets`), keyed by the ids of the rows here; subscriber PPPoE
//! passwords are stored encrypted (`headend_secrets::SubscriberCipher`, the
//! key in the keyring) because the engine must push them to routers. Rows
//! are converted to `headend-core` types by hand, and a row that does not
//! convert is a [`StoreError::Corrupt`], never a panic.
//!
//! Every write that changes what a router should hold (a service, its
//! status, due date, password or plan; a plan's rates; a payment; a retry;
//! the suspension policy) records a sweep request for that router in the
//! same transaction ([`Store::take_sweep_requests`]), so an engine in any
//! process sweeps it at once, even when the change came from the CLI.

mod data_dir;
mod engines;
mod error;
mod records;
mod store;

pub use data_dir::{APP_IDENTIFIER, DataDir, DataDirError};
pub use engines::{EngineHolder, HEARTBEAT, LEASE_TTL};
pub use error::StoreError;
pub use records::{
    NewCustomer, NewOdp, NewOlt, NewPlan, NewPop, NewRouter, NewService, RouterCertificate, ServiceOverview,
    StoreStatus,
};
pub use store::{
    ActivityQuery, CheckedImport, CheckedRow, DayPayments, ImportService, MapService, ProvisioningRow, QueueEntry,
    QueueQuery, QueueRow, RouterLogEntry, RouterLogOutcome, ServiceQuery, ServicesPage, Store, Write,
    latest_schema_version,
};
pub use store::{
    AlertQuery, AutofindRow, AutofindSeen, NewOltLogEntry, OdpRow, OltHealth, OltLogEntry, OltLogOutcome, OltOverview,
    OltQueueEntry, OltQueueRow, OnuAlert, OnuHistory, OnuRow, OnuSeen, PonPortRow, REPLY_LIMIT, ServiceOnu,
    SignalPoint, SignalRetentionPass, SignalSample, SyncedOnu, ZtpAttempt, ZtpCandidate,
};
pub use store::{
    AllocationRecord, BillingDates, BillingRow, Coupon, CustomerExportRow, InvoiceDetail, InvoiceExportRow,
    InvoiceQuery, InvoiceRecord, IssuedInvoice, MonthTotals, NewCharge, NewInvoice, NewPayment, OverdueCustomer,
    PaymentExportRow, PaymentOutcome, PendingCharge, RevenueReport, ServiceBilled, Statement, VoidRecord,
};
pub use store::{ApiRecorded, ApiSession, NewSession, ServiceSession, SessionOwner, SessionPrune};
pub use store::{BlastFilter, Contact, ContactPrefs, DueInvoice, LateService, MessageQuery, NewMessage, OutboxMessage};
pub use store::{DatabaseFacts, KeyRecording, SubscriberKeyRecord, assign_new_installation_id, inspect_database};
