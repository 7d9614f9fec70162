//! The vendor-agnostic face of an OLT: the [`OltDriver`] trait the app
//! uses, the configuration to reach one, and [`Operations`], which picks the
//! vendor's flow for each operation over any [`Cli`].

use std::fmt;
use std::future::Future;
use std::time::Duration;

use headend_core::olt::OltVendor;

use crate::cli::Cli;
use crate::error::OltError;
use crate::terminal::Mode;
use crate::types::{AuthorizeRequest, AutofindOnu, Onu, OnuRef, OpticalReading, PonPort, PortOptical, SerialNumber};
use crate::zte::Family;
use crate::{huawei, vsol, zte};

/// What every OLT can do, whatever its vendor.
pub trait OltDriver: Send + Sync {
    fn vendor(&self) -> OltVendor;

    /// ONUs the OLT sees but that are not registered.
    fn autofind(&self) -> impl Future<Output = Result<Vec<AutofindOnu>, OltError>> + Send;

    /// Registered ONUs on one port, or on all.
    fn onus(&self, port: Option<PonPort>) -> impl Future<Output = Result<Vec<Onu>, OltError>> + Send;

    /// One ONU's optical readings; all `None` when it is offline.
    fn optical(&self, onu: OnuRef) -> impl Future<Output = Result<OpticalReading, OltError>> + Send;

    /// Every ONU's readings on a port, in as few commands as the vendor
    /// allows (ZTE gives only the ONU Rx power in bulk).
    fn optical_port(&self, port: PonPort) -> impl Future<Output = Result<Vec<PortOptical>, OltError>> + Send;

    /// Registers an ONU; returns where it now is. A registration that
    /// fails once the OLT may have applied its registering command is
    /// undone on another session (the one that failed may be dead); when
    /// that fails too the error is [`OltError::HalfRegistered`].
    fn authorize(&self, req: AuthorizeRequest) -> impl Future<Output = Result<OnuRef, OltError>> + Send;

    fn deregister(&self, onu: OnuRef) -> impl Future<Output = Result<(), OltError>> + Send;

    fn reboot(&self, onu: OnuRef) -> impl Future<Output = Result<(), OltError>> + Send;
}

/// A password or key that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct OltSecret(String);

impl OltSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        OltSecret(secret.into())
    }

    /// The secret itself, for the SSH layer only.
    #[cfg_attr(not(feature = "ssh"), allow(dead_code))]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OltSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OltSecret(***)")
    }
}

/// How to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OltAuth {
    /// Password (tried as `password`, then as keyboard-interactive, which
    /// some OLTs offer instead).
    Password(OltSecret),
    /// An OpenSSH private key (the text of the file), with its passphrase.
    Key { private_key: OltSecret, passphrase: Option<OltSecret> },
}

/// Everything needed to reach one OLT.
#[derive(Debug, Clone)]
pub struct OltConfig {
    pub vendor: OltVendor,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub auth: OltAuth,
    /// For `enable` when the OLT asks; the login password when `None`.
    pub enable_password: Option<OltSecret>,
    /// The SHA-256 fingerprint pinned for this OLT (`SHA256:...`), `None`
    /// on first contact: [`crate::OltHandle::host_key`] then says what to
    /// store.
    pub known_host_key: Option<String>,
    /// How long a command may go without the OLT printing anything.
    pub command_timeout: Duration,
    /// TCP connect plus SSH handshake and login.
    pub connect_timeout: Duration,
    /// Sessions kept open to this OLT, 1 or 2 (OLTs allow few).
    pub max_sessions: usize,
    /// VSOL only: ports `0/1..0/n` walked by `autofind()` and `onus(None)`.
    pub pon_ports: u16,
}

impl OltConfig {
    /// Port 22, 30 s per command, 15 s to connect, 2 sessions, 8 VSOL ports.
    pub fn new(vendor: OltVendor, host: impl Into<String>, username: impl Into<String>, auth: OltAuth) -> Self {
        OltConfig {
            vendor,
            host: host.into(),
            port: 22,
            username: username.into(),
            auth,
            enable_password: None,
            known_host_key: None,
            command_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(15),
            max_sessions: 2,
            pon_ports: 8,
        }
    }

    /// `host:port`, as the command log names the OLT.
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// An ONU a failed registration may have left on the OLT: the registering
/// command was sent, and what followed failed (or its answer never came).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub port: PonPort,
    pub serial: SerialNumber,
    /// Its id, when known (Huawei picks one itself and prints it in the
    /// reply that may never have come).
    pub id: Option<u32>,
}

/// Why [`Operations::authorize`] failed, and what it may have left behind.
/// The flow never undoes a registration itself: the session it ran on may
/// be the reason it failed, so the caller removes the [`Leftover`] on
/// another one ([`Operations::remove_leftover`]).
#[derive(Debug)]
pub struct AuthorizeFailure {
    pub error: OltError,
    pub leftover: Option<Leftover>,
}

impl AuthorizeFailure {
    /// Failed before the OLT could have registered anything.
    pub(crate) fn nothing_left(error: OltError) -> Self {
        AuthorizeFailure { error, leftover: None }
    }

    /// Failed after the registering command was sent.
    pub(crate) fn left(error: OltError, req: &AuthorizeRequest, id: Option<u32>) -> Self {
        AuthorizeFailure { error, leftover: Some(Leftover { port: req.port, serial: req.serial.clone(), id }) }
    }

    /// Failed at the registering command itself: a refusal means the OLT
    /// did not apply it (and the serial may be registered already, which
    /// must not be removed); anything else (no answer, a dead session, an
    /// unreadable reply) may have come after it applied it.
    pub(crate) fn at_register(error: OltError, req: &AuthorizeRequest, id: Option<u32>) -> Self {
        if matches!(error, OltError::Refused { .. }) {
            AuthorizeFailure::nothing_left(error)
        } else {
            AuthorizeFailure::left(error, req, id)
        }
    }
}

/// The vendor flows, over any [`Cli`]. The SSH handle uses it with pooled
/// sessions; tests and the simulator can use it with their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operations {
    pub vendor: OltVendor,
    /// VSOL only: how many ports to walk when no port is given.
    pub pon_ports: u16,
}

impl Operations {
    pub fn new(vendor: OltVendor) -> Self {
        Operations { vendor, pon_ports: 8 }
    }

    /// Where a session rests between operations.
    pub fn base_mode(&self) -> Mode {
        match self.vendor {
            OltVendor::Huawei | OltVendor::Vsol => Mode::Config,
            OltVendor::Zte | OltVendor::ZteTitan => Mode::Privileged,
        }
    }

    fn family(&self) -> Family {
        if self.vendor == OltVendor::ZteTitan { Family::Titan } else { Family::C300 }
    }

    /// From the login prompt (`mode`) to the base mode, with paging off.
    pub async fn prepare<C: Cli>(&self, cli: &mut C, mode: &Mode) -> Result<(), OltError> {
        match self.vendor {
            OltVendor::Huawei => huawei::prepare(cli, mode).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::prepare(cli, mode).await,
            OltVendor::Vsol => vsol::prepare(cli, mode).await,
        }
    }

    pub async fn autofind<C: Cli>(&self, cli: &mut C) -> Result<Vec<AutofindOnu>, OltError> {
        match self.vendor {
            OltVendor::Huawei => huawei::autofind(cli).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::autofind(cli, self.family()).await,
            OltVendor::Vsol => vsol::autofind(cli, self.pon_ports).await,
        }
    }

    pub async fn onus<C: Cli>(&self, cli: &mut C, port: Option<PonPort>) -> Result<Vec<Onu>, OltError> {
        match self.vendor {
            OltVendor::Huawei => huawei::onus(cli, port).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::onus(cli, self.family(), port).await,
            OltVendor::Vsol => vsol::onus(cli, self.pon_ports, port).await,
        }
    }

    pub async fn optical<C: Cli>(&self, cli: &mut C, onu: OnuRef) -> Result<OpticalReading, OltError> {
        match self.vendor {
            OltVendor::Huawei => huawei::optical(cli, onu).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::optical(cli, self.family(), onu).await,
            OltVendor::Vsol => vsol::optical(cli, onu).await,
        }
    }

    pub async fn optical_port<C: Cli>(&self, cli: &mut C, port: PonPort) -> Result<Vec<PortOptical>, OltError> {
        match self.vendor {
            OltVendor::Huawei => huawei::optical_port(cli, port).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::optical_port(cli, self.family(), port).await,
            OltVendor::Vsol => vsol::optical_port(cli, port).await,
        }
    }

    /// Registers and configures an ONU. On a failure after the registering
    /// command it says what may be left; it never removes it itself.
    pub async fn authorize<C: Cli>(&self, cli: &mut C, req: &AuthorizeRequest) -> Result<OnuRef, AuthorizeFailure> {
        match self.vendor {
            OltVendor::Huawei => huawei::authorize(cli, req).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::authorize(cli, self.family(), req).await,
            OltVendor::Vsol => vsol::authorize(cli, req).await,
        }
    }

    /// Removes what a failed registration left: the ONU with the
    /// leftover's serial (at its id, when known) on its port, found by
    /// listing the port first, so it is safe to run again and never
    /// removes another ONU. `false` when there was nothing to remove.
    pub async fn remove_leftover<C: Cli>(&self, cli: &mut C, left: &Leftover) -> Result<bool, OltError> {
        let onus = self.onus(cli, Some(left.port)).await?;
        let found =
            onus.iter().find(|o| o.serial.as_ref() == Some(&left.serial) && left.id.is_none_or(|id| id == o.onu.id));
        match found {
            Some(onu) => self.deregister(cli, onu.onu).await.map(|()| true),
            None => Ok(false),
        }
    }

    pub async fn deregister<C: Cli>(&self, cli: &mut C, onu: OnuRef) -> Result<(), OltError> {
        match self.vendor {
            OltVendor::Huawei => huawei::deregister(cli, onu).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::deregister(cli, self.family(), onu).await,
            OltVendor::Vsol => vsol::deregister(cli, onu).await,
        }
    }

    pub async fn reboot<C: Cli>(&self, cli: &mut C, onu: OnuRef) -> Result<(), OltError> {
        match self.vendor {
            OltVendor::Huawei => huawei::reboot(cli, onu).await,
            OltVendor::Zte | OltVendor::ZteTitan => zte::reboot(cli, self.family(), onu).await,
            OltVendor::Vsol => vsol::reboot(cli, onu).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let auth = OltAuth::Password(OltSecret::new("hunter2"));
        let cfg = OltConfig::new(OltVendor::Huawei, "10.0.0.1", "admin", auth);
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("OltSecret(***)"));
        assert_eq!(cfg.label(), "10.0.0.1:22");
    }
}
