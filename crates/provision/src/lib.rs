//! Reconciling routers with the database. [`sweep::sweep_router`] is one
//! reconcile of one router (read, diff, hold back what the durable queue
//! says must wait, apply, record); [`Provisioner`] decides when each router
//! is swept (every interval, on request from any process, at the next
//! midnight cutoff). The rules themselves (who must be on, what that means
//! on the router, the smallest set of writes) are plain functions in
//! `headend_core::provision`; routers are reached through
//! `headend_fleet::Connector`.
//!
//! Architecture invariants: every write to a router is in the router log
//! before it is sent. A sweep never writes to an object without Headend's
//! marker unless its service asked to adopt it. Sweeping twice with nothing
//! changed writes nothing. One sweep per router at a time, here and across
//! processes (a lease row, renewed while the sweep writes; a sweep that
//! loses it stops writing).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod apply;
pub mod dialect;
pub mod lease;
pub mod observe;
pub mod radius;
pub mod runner;
pub mod sweep;

use headend_routeros::is_secret_name;
use headend_routeros::ops::Change;
pub use runner::{EngineConfig, EngineEvent, Provisioner};
pub use sweep::{RouterSweep, StepReport, StepStatus, SweepMode};

/// A write as the router log shows it: the API path and its attributes,
/// with every secret's value replaced (not only the password's).
pub fn command_text(change: &Change) -> String {
    let command = change.to_command();
    let mut text = command.path().to_string_lossy_cp1252().into_owned();
    for (name, value) in command.attributes().iter() {
        // The codec's own rule for what stays out of logs.
        let value = if is_secret_name(name.as_bytes()) { "***".into() } else { value.to_string_lossy_cp1252() };
        let name = name.to_string_lossy_cp1252();
        text.push_str(&format!(" {name}={value}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use headend_routeros::Attributes;
    use headend_routeros::ops::{Menu, NewPppSecret};

    use super::*;

    #[test]
    fn the_router_log_never_shows_a_password() {
        let change = NewPppSecret::pppoe("ana", "hunter2").profile("hd-1").into_change();
        assert_eq!(command_text(&change), "/ppp/secret/add name=ana password=*** service=pppoe profile=hd-1");
    }

    #[test]
    fn nor_any_other_secret_by_its_routeros_name() {
        let mut attrs = Attributes::new();
        for (name, value) in [("secret", "radius-s3"), ("wpa2-pre-shared-key", "wifi-k3y"), ("Passphrase", "p4ss")] {
            attrs.push(name, value);
        }
        attrs.push("comment", "headend:svc=1");
        let text = command_text(&Change::add(Menu::PppSecret, attrs));
        assert_eq!(text, "/ppp/secret/add secret=*** wpa2-pre-shared-key=*** Passphrase=*** comment=headend:svc=1");
    }
}
