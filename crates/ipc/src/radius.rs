//! RADIUS mode's shapes: FreeRADIUS's database (Settings → RADIUS) with
//! what it holds, Status-Server, a router's provisioning backend with the
//! RouterOS commands it needs, and a service's test login.
//!
//! Backends are "api" and "radius", as in the CLI and the database. The
//! database password and the shared secrets only go from the UI to the
//! app: no answer carries one, and the forms' `Debug` hides them. Error
//! fields are the workflows': "url", "password", "server", "secret",
//! "backend", "nas_address", "coa_port", "service".

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::redacted;

/// Command names of RADIUS mode.
pub mod command {
    /// Answers `Option<`[`super::RadiusSettingsDto`]`>`, read from
    /// Headend's database only (quick): `None` before RADIUS is set up.
    pub const GET_RADIUS_SETTINGS: &str = "get_radius_settings";
    /// Answers `Option<`[`super::RadiusOverviewDto`]`>`: connects to
    /// FreeRADIUS's database to count what it holds.
    pub const RADIUS_OVERVIEW: &str = "radius_overview";
    /// Takes [`super::RadiusForm`]; answers [`super::RadiusOverviewDto`].
    pub const SAVE_RADIUS_SETTINGS: &str = "save_radius_settings";
    /// Takes [`super::RadiusServerCheck`]; answers [`super::RadiusServerStatus`].
    pub const RADIUS_SERVER_STATUS: &str = "radius_server_status";
    /// Args `{ id }` (a router); answers [`super::RouterBackendView`].
    pub const GET_ROUTER_BACKEND: &str = "get_router_backend";
    /// Takes [`super::RouterBackendForm`]; answers [`super::RouterBackendView`].
    pub const SET_ROUTER_BACKEND: &str = "set_router_backend";
    /// [`super::RouterSetupDto`] of a router: read back, or applied then
    /// read back (`id`, `apply`).
    pub const ROUTER_RADIUS_SETUP: &str = "router_radius_setup";
    /// Takes [`super::TestLoginForm`]; answers [`super::TestLoginDto`].
    pub const RADIUS_TEST_LOGIN: &str = "radius_test_login";
}

/// Where FreeRADIUS's database is and the server routers ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RadiusSettingsDto {
    /// `postgres://USER@HOST:PORT/DB` or `mysql://…`, without the password.
    pub url: String,
    /// `HOST:PORT`, empty when not given.
    pub server: String,
}

/// The RADIUS database as Settings shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadiusOverviewDto {
    pub settings: RadiusSettingsDto,
    /// Why the database cannot be reached or read; empty when it answered.
    pub error: String,
    /// FreeRADIUS's schema version ("3.2"), empty if unknown.
    pub schema_version: String,
    pub missing_tables: Vec<String>,
    /// Users Headend keeps in sync (its PPPoE services).
    pub users_managed: u64,
    /// Other users, which Headend never touches.
    pub users_unmanaged: u64,
    /// Rows of groups that are not Headend's, also left alone.
    pub unmanaged_group_rows: u64,
    /// Routers in RADIUS mode, by name.
    pub routers: Vec<String>,
}

/// Settings → RADIUS. The password is required on each save (it is
/// checked against the database, then kept in the keyring).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RadiusForm {
    pub url: String,
    pub password: String,
    /// `HOST[:1812]`, or empty.
    pub server: String,
    /// Create FreeRADIUS's tables when the database lacks them.
    pub create_schema: bool,
}

impl fmt::Debug for RadiusForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RadiusForm { url, password, server, create_schema } = self;
        f.debug_struct("RadiusForm")
            .field("url", url)
            .field("password", &redacted(password))
            .field("server", server)
            .field("create_schema", create_schema)
            .finish()
    }
}

/// Asks a RADIUS server whether it is up (Status-Server).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RadiusServerCheck {
    /// `HOST[:1812]`; empty for the one in the settings.
    pub server: String,
    pub secret: String,
}

impl fmt::Debug for RadiusServerCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RadiusServerCheck")
            .field("server", &self.server)
            .field("secret", &redacted(&self.secret))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadiusServerStatus {
    pub server: String,
    /// The reply's name, e.g. "Access-Accept".
    pub answer: String,
    pub ms: u64,
}

/// A router's provisioning backend, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterBackendView {
    pub id: i64,
    /// "api" or "radius".
    pub backend: String,
    /// The NAS address kept, else the router's address when it is one,
    /// else empty.
    pub nas_address: String,
    pub coa_port: u16,
    /// RADIUS is set up (Settings → RADIUS): a router may switch to it.
    pub radius_ready: bool,
    /// The RADIUS server routers ask, empty when not given.
    pub server: String,
    /// In RADIUS mode with a server known, what the router needs, in
    /// RouterOS's terminal syntax, with a placeholder for the secret.
    pub routeros_commands: Vec<String>,
}

/// A RADIUS router's set-up as read from it (after writing the missing
/// parts, when applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterSetupDto {
    /// Why the router could not be read; empty when it was.
    pub unreadable: String,
    /// What is wrong, worded for the operator; empty when all is right.
    pub issues: Vec<String>,
    /// The writes made, in RouterOS's syntax with the secret hidden.
    pub applied: Vec<String>,
}

/// The router page's backend form. An empty NAS address is the router's;
/// an empty CoA port keeps the one kept (3799 at first); an empty secret
/// keeps the one in the keyring (required the first time).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RouterBackendForm {
    pub id: i64,
    pub backend: String,
    pub nas_address: String,
    pub coa_port: String,
    pub secret: String,
}

impl fmt::Debug for RouterBackendForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RouterBackendForm { id, backend, nas_address, coa_port, secret } = self;
        f.debug_struct("RouterBackendForm")
            .field("id", id)
            .field("backend", backend)
            .field("nas_address", nas_address)
            .field("coa_port", coa_port)
            .field("secret", &redacted(secret))
            .finish()
    }
}

/// A service's test login: its PPPoE user and password, with PAP, as its
/// router would send them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TestLoginForm {
    pub service_id: i64,
    /// `HOST[:1812]`; empty for the one in the settings.
    pub server: String,
    pub secret: String,
}

impl fmt::Debug for TestLoginForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestLoginForm")
            .field("service_id", &self.service_id)
            .field("server", &self.server)
            .field("secret", &redacted(&self.secret))
            .finish()
    }
}

/// One attribute of a reply, as FreeRADIUS's dictionary names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDto {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestLoginDto {
    pub user: String,
    pub server: String,
    pub accepted: bool,
    pub attributes: Vec<AttributeDto>,
    pub ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_print_no_secret() {
        let printed = [
            format!(
                "{:?}",
                RadiusForm {
                    url: "postgres://radius@db/radius".into(),
                    password: "db-pw".into(),
                    ..Default::default()
                }
            ),
            format!("{:?}", RadiusServerCheck { server: "10.0.0.5".into(), secret: "nas-s3cret".into() }),
            format!(
                "{:?}",
                RouterBackendForm { backend: "radius".into(), secret: "nas-s3cret".into(), ..Default::default() }
            ),
            format!("{:?}", TestLoginForm { service_id: 4, server: String::new(), secret: "nas-s3cret".into() }),
        ];
        for text in printed {
            assert!(!text.contains("db-pw") && !text.contains("nas-s3cret"), "{text}");
            assert!(text.contains(r#""***""#), "{text}");
        }
    }
}
