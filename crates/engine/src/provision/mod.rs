//! Provisioning: reconciling the routers with the database.
//!
//! [`sweep::sweep_router`] is one reconcile of one router (read, diff,
//! apply, record); [`runner::Provisioner`] decides when each router is
//! swept. The rules themselves (who must be on, what that means on the
//! router, the smallest set of writes) are plain functions in
//! `headend_core::provision`.

pub mod apply;
pub mod dialect;
pub mod observe;
pub mod runner;
pub mod sweep;

use headend_routeros::ops::Change;

/// A write as the router log shows it: the API path and its attributes,
/// with the password replaced.
pub fn command_text(change: &Change) -> String {
    let command = change.to_command();
    let mut text = command.path().to_string_lossy_cp1252().into_owned();
    for (name, value) in command.attributes().iter() {
        let name = name.to_string_lossy_cp1252();
        let value = if name == "password" { "***".into() } else { value.to_string_lossy_cp1252() };
        text.push_str(&format!(" {name}={value}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use headend_routeros::ops::NewPppSecret;

    use super::*;

    #[test]
    fn the_router_log_never_shows_a_password() {
        let change = NewPppSecret::pppoe("ana", "hunter2").profile("hd-1").into_change();
        assert_eq!(command_text(&change), "/ppp/secret/add name=ana password=*** service=pppoe profile=hd-1");
    }
}
