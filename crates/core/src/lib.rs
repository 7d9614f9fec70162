//! Headend's domain: routers, points of presence, plans, customers, services,
//! OLTs and their ONUs' optical levels, the activity log, the durable retry
//! queues, operator settings and the events the engine raises.
//!
//! Architecture invariant: this crate does no IO, spawns nothing and reads no
//! clock; callers pass time in. The [`clock::Clock`] trait lives here all the
//! same, so every edge shares one injectable clock; [`clock::SystemClock`],
//! which the edges use, is its only implementation reading the OS clock.
//! Its types are not `Serialize`: the shapes that cross the UI boundary live
//! in `headend-ipc`, and the database rows in `headend-store`, each converted
//! by hand.

pub mod activity;
pub mod backup;
pub mod billing;
pub mod clock;
pub mod customer;
pub mod event;
pub mod geo;
pub mod ids;
pub mod import;
pub mod map;
pub mod map_layers;
pub mod messages;
pub mod olt;
pub mod optical;
pub mod plan;
pub mod provision;
pub mod queue;
pub mod radius;
pub mod router;
pub mod service;
pub mod sessions;
pub mod settings;

pub use ids::{CustomerId, InvoiceId, MessageId, OdpId, OltId, OnuId, PaymentId, PlanId, PopId, RouterId, ServiceId};
