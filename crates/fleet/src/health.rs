//! A router's health at a glance: what the Routers page and
//! `headend router probe` show.

use std::time::Duration;

use headend_routeros::client::ClientError;
use headend_routeros::ops::{Menu, RouterApi};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterHealth {
    pub identity: String,
    /// RouterOS version, such as `7.18.2 (stable)`.
    pub version: String,
    pub board: String,
    pub uptime: Option<Duration>,
    /// Percent.
    pub cpu_load: Option<u8>,
    pub free_memory: Option<u64>,
    pub total_memory: Option<u64>,
    pub ppp_secrets: u64,
    pub active_sessions: u64,
}

/// Reads identity, resources and the PPP counts, all in flight at once on
/// the one connection.
pub async fn probe<A: RouterApi + Sync>(api: &A) -> Result<RouterHealth, ClientError> {
    let (identity, resource, secrets, active) =
        tokio::try_join!(api.identity(), api.resource(), api.count(Menu::PppSecret), api.count(Menu::PppActive),)?;
    Ok(RouterHealth {
        identity: identity.to_string_lossy_cp1252().into_owned(),
        version: resource.version,
        board: resource.board_name,
        uptime: resource.uptime,
        cpu_load: resource.cpu_load,
        free_memory: resource.free_memory,
        total_memory: resource.total_memory,
        ppp_secrets: secrets,
        active_sessions: active,
    })
}
