//! The router side of RADIUS mode: what a router in RADIUS mode needs
//! (`/radius`, `/ppp aaa`, `/radius incoming`), read back from the router
//! to say what is wrong, and on request written over its API, then read
//! back again. The decisions are `headend_core::radius::setup`'s; this is
//! the IO around them.

use std::net::IpAddr;

use headend_core::RouterId;
use headend_core::activity::{Actor, Subject};
use headend_core::radius::setup::{
    RouterSetup, SecretMatch, ServerEntry, SetupFix, SetupIssue, SetupTarget, SetupValue, WantedSetup, check, fixes,
    routeros_commands,
};
use headend_core::router::Router;
use headend_fleet::{Connector, RouterLink};
use headend_routeros::client::ClientError;
use headend_routeros::ops::{Change, ItemId, Menu, RouterApi};
use headend_routeros::{Attributes, Value};
use headend_secrets::{Secret, SecretKey};

use crate::{WorkflowError, Workflows};

/// Where the secret goes in the commands shown to the operator.
pub const SECRET_PLACEHOLDER: &str = "<the router's shared secret>";

/// A RADIUS router's set-up: what it needs, what it lacks, what was done.
#[derive(Debug, Clone)]
pub struct RouterRadiusSetup {
    pub router: Router,
    pub wanted: WantedSetup,
    /// The commands to type, with [`SECRET_PLACEHOLDER`].
    pub commands: Vec<String>,
    /// What is wrong with the router's set-up (after applying, when
    /// applied); `Err`: why it could not be read.
    pub issues: Result<Vec<SetupIssue>, String>,
    /// The writes made; empty unless applied and needed.
    pub applied: Vec<SetupFix>,
}

impl Workflows {
    /// What `router` needs for RADIUS mode: its CoA port and the RADIUS
    /// server routers ask (Settings → RADIUS).
    pub async fn wanted_setup(&self, router: &Router) -> Result<WantedSetup, WorkflowError> {
        let nas = router.backend.nas().ok_or_else(|| {
            WorkflowError::invalid("backend", format!("{} is in API mode: switch it to RADIUS first", router.name))
        })?;
        let server = self.store.radius_settings().await?.and_then(|s| s.server).ok_or_else(|| {
            WorkflowError::invalid(
                "server",
                "no RADIUS server address yet: give the one routers ask (Settings → RADIUS, or `headend radius set \
                 --server HOST[:1812]`)",
            )
        })?;
        Ok(WantedSetup { server, coa_port: nas.coa_port })
    }

    /// `router`'s RADIUS set-up read back and checked; with `apply`, the
    /// writes that fix it made first (with the router's secret from the
    /// keyring) and logged. Without `apply`, a router that cannot be
    /// reached still gets its commands, with the reason in `issues`.
    pub async fn router_radius_setup(
        &self,
        actor: &Actor,
        id: RouterId,
        apply: bool,
    ) -> Result<RouterRadiusSetup, WorkflowError> {
        let router = self.router(id).await?;
        let wanted = self.wanted_setup(&router).await?;
        let commands = routeros_commands(&wanted, SECRET_PLACEHOLDER);
        let secrets = self.secrets().await?;
        let key = SecretKey::nas_secret(id);
        let keyring = secrets.clone();
        let secret = crate::keyring::blocking(move || keyring.get(&key)).await?.map_err(|source| {
            WorkflowError::Keyring { what: "cannot read the router's RADIUS shared secret", source }
        })?;
        let reached = Connector::new(self.store.clone(), secrets).connect(&router).await;
        let link = match reached {
            Ok(link) => link,
            Err(e) if !apply => {
                let issues = Err(format!("{} cannot be reached: {e}", router.name));
                return Ok(RouterRadiusSetup { router, wanted, commands, issues, applied: Vec::new() });
            }
            Err(e) => return Err(WorkflowError::Router(format!("{} cannot be reached: {e}", router.name))),
        };
        let outcome = self.check_and_apply(&router, &link, &wanted, secret.as_ref(), apply).await;
        link.close();
        let (issues, applied) = outcome?;
        if !applied.is_empty() {
            let done: Vec<String> = applied.iter().map(ToString::to_string).collect();
            self.log(actor, Subject::Router(id), "radius-setup", done.join("; ")).await;
        }
        Ok(RouterRadiusSetup { router, wanted, commands, issues, applied })
    }

    async fn check_and_apply(
        &self,
        router: &Router,
        link: &RouterLink,
        wanted: &WantedSetup,
        secret: Option<&Secret>,
        apply: bool,
    ) -> Result<(Result<Vec<SetupIssue>, String>, Vec<SetupFix>), WorkflowError> {
        let have = match read_setup(link, secret).await {
            Ok(have) => have,
            Err(e) if !apply => return Ok((Err(format!("reading {}'s RADIUS set-up: {e}", router.name)), Vec::new())),
            Err(e) => return Err(WorkflowError::Router(format!("reading {}'s RADIUS set-up: {e}", router.name))),
        };
        if !apply {
            return Ok((Ok(check(wanted, &have)), Vec::new()));
        }
        let needed = fixes(wanted, &have);
        if !needed.is_empty() {
            let secret = secret.ok_or_else(|| {
                WorkflowError::invalid(
                    "secret",
                    format!(
                        "{} has no RADIUS shared secret in the keyring: set its backend again with it",
                        router.name
                    ),
                )
            })?;
            let changes = needed.iter().map(|fix| change(fix, secret)).collect();
            for (fix, result) in needed.iter().zip(link.apply(changes).await) {
                result.map_err(|e| WorkflowError::Router(format!("{}: {fix}: {e}", router.name)))?;
            }
        }
        let after = read_setup(link, secret)
            .await
            .map_err(|e| WorkflowError::Router(format!("reading {}'s RADIUS set-up back: {e}", router.name)))?;
        Ok((Ok(check(wanted, &after)), needed))
    }
}

/// The router's three menus, as plain data; the entries' secrets compared
/// with `secret`, never kept.
async fn read_setup(link: &RouterLink, secret: Option<&Secret>) -> Result<RouterSetup, ClientError> {
    let servers = link.radius_servers().await?;
    let aaa = link.ppp_aaa().await?;
    let incoming = link.radius_incoming().await?;
    let text = |v: &Value| v.to_string_lossy_cp1252().into_owned();
    let servers = servers
        .into_iter()
        .map(|s| ServerEntry {
            id: s.id.to_string(),
            services: text(&s.service).split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            address: s.address.as_ref().and_then(|a| text(a).parse::<IpAddr>().ok()),
            secret: match (&s.secret, secret) {
                (None, _) => SecretMatch::Unreadable,
                (Some(have), Some(want)) if have.expose().as_bytes() == want.expose().as_bytes() => SecretMatch::Same,
                (Some(_), _) => SecretMatch::Differs,
            },
            authentication_port: s.authentication_port,
            accounting_port: s.accounting_port,
            disabled: s.disabled,
        })
        .collect();
    Ok(RouterSetup {
        servers,
        use_radius: aaa.use_radius,
        accounting: aaa.accounting,
        interim_update: aaa.interim_update,
        incoming_accept: incoming.accept,
        incoming_port: incoming.port,
    })
}

fn change(fix: &SetupFix, secret: &Secret) -> Change {
    let mut attrs = Attributes::new();
    for (name, value) in &fix.properties {
        match value {
            SetupValue::Text(text) => attrs.push(*name, text.as_str()),
            SetupValue::Secret => attrs.push(*name, secret.expose()),
        }
    }
    match &fix.target {
        SetupTarget::AddServer => Change::add(Menu::Radius, attrs),
        SetupTarget::Server(id) => Change::set(Menu::Radius, ItemId::new(id.as_str()), attrs),
        SetupTarget::PppAaa => Change::configure(Menu::PppAaa, attrs),
        SetupTarget::RadiusIncoming => Change::configure(Menu::RadiusIncoming, attrs),
    }
}
