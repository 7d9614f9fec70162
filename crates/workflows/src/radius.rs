//! RADIUS mode's workflows: the FreeRADIUS database Headend syncs (its
//! address in the store, its password in the keyring), a router's backend
//! (and its shared secret in the keyring), a test login for a service, and
//! a Status-Server probe. The sync itself is the provisioning engine's
//! (`headend_provision::radius`).

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use headend_core::activity::{Actor, Subject};
use headend_core::plan::Plan;
use headend_core::provision::adoption::Adoption;
use headend_core::radius::adoption::adopt_users;
use headend_core::radius::database::{AUTH_PORT, DatabaseUrl, RadiusSettings};
use headend_core::radius::desired::{GROUP_PREFIX, plan_group};
use headend_core::router::{Backend, DEFAULT_COA_PORT, Nas, Router};
use headend_core::service::Access;
use headend_core::{PlanId, RouterId, ServiceId};
use headend_radius::client::{Retry, exchange};
use headend_radius::{Authorization, Code, PapRequest, access_request_pap, status_server};
use headend_radius_db::RadiusDb;
use headend_radius_db::schema::Schema;
use headend_radius_db::users::UserCounts;
use headend_secrets::{RADIUS_DB_KEY, Secret, SecretKey};

use crate::{WorkflowError, Workflows};

/// What `radius set` is given.
#[derive(Debug)]
pub struct RadiusInput {
    /// `postgres://USER@HOST:PORT/DB` or `mysql://…`, no password.
    pub url: String,
    pub password: Secret,
    /// Where routers send RADIUS requests: `HOST[:1812]`.
    pub server: Option<String>,
    /// Create FreeRADIUS's tables when they are missing.
    pub create_schema: bool,
}

/// The database as `radius show` reports it.
#[derive(Debug, Clone)]
pub struct RadiusOverview {
    pub settings: RadiusSettings,
    /// `Err`: why it cannot be reached or read.
    pub reach: Result<RadiusReach, String>,
    /// Routers in RADIUS mode.
    pub routers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RadiusReach {
    pub schema: Schema,
    pub users: UserCounts,
}

/// What a router's backend should become.
#[derive(Debug)]
pub enum BackendInput {
    Api,
    Radius {
        /// The address the router's RADIUS requests come from; the router's
        /// host when it is an address.
        nas_address: Option<IpAddr>,
        coa_port: Option<u16>,
        /// Required the first time; kept in the keyring.
        secret: Option<Secret>,
    },
}

/// What adopting FreeRADIUS's users found, and did.
#[derive(Debug)]
pub struct RadiusAdoption {
    pub router: Router,
    pub adoption: Adoption,
    pub plans: Vec<Plan>,
    /// The operator's groups the adopted users are in: their rows stay,
    /// and FreeRADIUS applies them beside the plan's group.
    pub foreign_groups: BTreeSet<String>,
    /// The new services; empty when nothing was imported.
    pub ids: Vec<ServiceId>,
}

impl RadiusAdoption {
    pub fn plan_name(&self, id: PlanId) -> &str {
        self.plans.iter().find(|p| p.id == id).map_or("?", |p| p.name.as_str())
    }
}

/// The answer to a test login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestLogin {
    pub user: String,
    pub accepted: bool,
    /// The reply's attributes as FreeRADIUS's dictionary names them.
    pub attributes: Vec<(String, String)>,
    pub took: Duration,
}

/// The answer to Status-Server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerStatus {
    pub server: SocketAddr,
    pub answer: &'static str,
    pub took: Duration,
}

/// `HOST[:PORT]` with RADIUS's authentication port by default.
fn parse_server(text: &str) -> Result<SocketAddr, WorkflowError> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, AUTH_PORT));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => {
            let port =
                port.parse().map_err(|_| WorkflowError::invalid("server", format!("{port:?} is not a port number")))?;
            (host, port)
        }
        None => (text, AUTH_PORT),
    };
    use std::net::ToSocketAddrs;
    (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| WorkflowError::invalid("server", format!("cannot resolve the RADIUS server {host:?}")))
}

fn radius_error(e: impl std::fmt::Display) -> WorkflowError {
    WorkflowError::Router(e.to_string())
}

impl Workflows {
    /// The RADIUS server a test login or a status check goes to: the one
    /// typed, else the one saved in the settings.
    pub async fn radius_server(&self, typed: Option<&str>) -> Result<SocketAddr, WorkflowError> {
        if let Some(text) = typed.filter(|t| !t.trim().is_empty()) {
            return parse_server(text);
        }
        self.store.radius_settings().await?.and_then(|s| s.server).ok_or_else(|| {
            WorkflowError::invalid(
                "server",
                "give the RADIUS server's address (the console's “RADIUS server”, the CLI's --server HOST[:1812]), \
                 or save one in the RADIUS settings",
            )
        })
    }

    /// Points Headend at FreeRADIUS's database: checks it can connect with
    /// the password and finds (or, if asked, creates) FreeRADIUS's tables,
    /// then keeps the password in the keyring and the address in the
    /// database. Every RADIUS router is swept against it.
    pub async fn set_radius(&self, actor: &Actor, input: RadiusInput) -> Result<RadiusOverview, WorkflowError> {
        let url: DatabaseUrl = input.url.parse().map_err(|e: headend_core::radius::database::DatabaseUrlError| {
            WorkflowError::invalid("url", e.to_string())
        })?;
        let server = input.server.as_deref().map(parse_server).transpose()?;
        let db = RadiusDb::connect(&url, &input.password).await.map_err(radius_error)?;
        let mut schema = db.schema().await.map_err(radius_error)?;
        if !schema.usable() || (input.create_schema && !schema.missing.is_empty()) {
            if !input.create_schema {
                db.close().await;
                return Err(WorkflowError::invalid(
                    "url",
                    format!(
                        "the database lacks FreeRADIUS's tables ({}): ask for them to be created (the console's \
                         “Create FreeRADIUS's tables”, the CLI's --create-schema)",
                        schema.missing.join(", ")
                    ),
                ));
            }
            db.create_schema().await.map_err(radius_error)?;
            schema = db.schema().await.map_err(radius_error)?;
        }
        db.close().await;
        self.keyring.set(&self.store, SecretKey::radius_db(RADIUS_DB_KEY), input.password.expose().to_owned()).await?;
        let settings = RadiusSettings { url, server };
        self.store.set_radius_settings(&settings).await?;
        let detail = format!(
            "RADIUS database {} (FreeRADIUS {}), server {}",
            settings.url,
            schema.version.unwrap_or("?"),
            server.map_or("not set".to_owned(), |s| s.to_string())
        );
        self.log(actor, Subject::Policy, "radius-set", detail).await;
        for router in self.store.routers().await? {
            if router.backend.nas().is_some() {
                self.sweep(router.id);
            }
        }
        self.radius_overview().await?.ok_or_else(|| WorkflowError::NotFound("the RADIUS settings vanished".into()))
    }

    /// The RADIUS settings and what the database holds, or `None` when
    /// RADIUS is not set up.
    pub async fn radius_overview(&self) -> Result<Option<RadiusOverview>, WorkflowError> {
        let Some(settings) = self.store.radius_settings().await? else { return Ok(None) };
        let routers = self.store.routers().await?;
        let radius_routers: Vec<String> =
            routers.iter().filter(|r| r.backend.nas().is_some()).map(|r| r.name.clone()).collect();
        let reach = match self.radius_db(&settings).await {
            Ok(db) => {
                let managed = self.store.pppoe_usernames().await?;
                let read = async {
                    let schema = db.schema().await?;
                    let users = if schema.usable() { db.user_counts(&managed).await? } else { UserCounts::default() };
                    Ok::<_, headend_radius_db::RadiusDbError>(RadiusReach { schema, users })
                };
                let reach = read.await.map_err(|e| e.to_string());
                db.close().await;
                reach
            }
            Err(e) => Err(e.to_string()),
        };
        Ok(Some(RadiusOverview { settings, reach, routers: radius_routers }))
    }

    /// The users already in FreeRADIUS's database become services of
    /// `router` (a RADIUS router; the only one when not given) that Headend
    /// adopts; see `headend_core::radius::adoption`. `plan_map` maps
    /// groups to plan names, on top of Headend's own group names.
    pub async fn adopt_radius_users(
        &self,
        actor: &Actor,
        router: Option<RouterId>,
        plan_map: &[(String, String)],
        dry_run: bool,
    ) -> Result<RadiusAdoption, WorkflowError> {
        let settings = self
            .store
            .radius_settings()
            .await?
            .ok_or_else(|| WorkflowError::invalid("radius", "RADIUS is not set up (headend radius set)"))?;
        let radius_routers: Vec<Router> =
            self.store.routers().await?.into_iter().filter(|r| r.backend.nas().is_some()).collect();
        let router = match router {
            Some(id) => radius_routers.iter().find(|r| r.id == id).cloned().ok_or_else(|| {
                WorkflowError::invalid("router", "the users go on a router in RADIUS mode (router set-backend)")
            })?,
            None => match radius_routers.as_slice() {
                [only] => only.clone(),
                [] => {
                    return Err(WorkflowError::invalid(
                        "router",
                        "no router is in RADIUS mode yet: switch one first (router set-backend)",
                    ));
                }
                _ => {
                    return Err(WorkflowError::invalid(
                        "router",
                        "several routers are in RADIUS mode: say which one the users go on (--router)",
                    ));
                }
            },
        };
        let plans = self.store.plans().await?;
        let mut by_group: HashMap<String, PlanId> = plans.iter().map(|p| (plan_group(p.id), p.id)).collect();
        for (group, plan) in plan_map {
            let id = plans.iter().find(|p| &p.name == plan).map(|p| p.id).ok_or_else(|| {
                WorkflowError::invalid("plan_map", format!("the plan map names an unknown plan {plan:?}"))
            })?;
            by_group.insert(group.clone(), id);
        }
        let db = self.radius_db(&settings).await?;
        let read = async {
            db.require_schema().await?;
            db.read_all_users().await
        };
        let state = read.await;
        db.close().await;
        let state = state.map_err(radius_error)?;
        let services = self.store.pppoe_usernames().await?;
        let adoption = adopt_users(&state, &|g| by_group.get(g).copied(), &|name| services.contains(name));
        let foreign_groups: BTreeSet<String> = state
            .user_group
            .iter()
            .filter(|m| adoption.services.iter().any(|(a, _)| a.username == m.username))
            .filter(|m| !m.groupname.starts_with(GROUP_PREFIX))
            .map(|m| m.groupname.clone())
            .collect();
        if !adoption.errors.is_empty() || dry_run || adoption.services.is_empty() {
            return Ok(RadiusAdoption { router, adoption, plans, foreign_groups, ids: Vec::new() });
        }
        let ids = self.import_adopted(actor, router.id, &adoption).await?;
        Ok(RadiusAdoption { router, adoption, plans, foreign_groups, ids })
    }

    /// FreeRADIUS's database, with its password from the keyring.
    pub(crate) async fn radius_db(&self, settings: &RadiusSettings) -> Result<RadiusDb, WorkflowError> {
        let secrets = self.secrets().await?;
        let key = SecretKey::radius_db(RADIUS_DB_KEY);
        let password = crate::keyring::blocking(move || secrets.get(&key))
            .await?
            .map_err(|source| WorkflowError::Keyring { what: "cannot read the RADIUS database's password", source })?
            .ok_or_else(|| WorkflowError::NotFound("no password for the RADIUS database in the keyring".into()))?;
        RadiusDb::connect(&settings.url, &password).await.map_err(radius_error)
    }

    /// Switches a router between its own `/ppp/secret` and FreeRADIUS. Its
    /// next sweep moves the users, in the order that refuses no login (see
    /// `headend_provision::radius`).
    pub async fn set_router_backend(
        &self,
        actor: &Actor,
        id: RouterId,
        input: BackendInput,
    ) -> Result<Router, WorkflowError> {
        let router = self.router(id).await?;
        let backend = match input {
            BackendInput::Api => Backend::Api,
            BackendInput::Radius { nas_address, coa_port, secret } => {
                if self.store.radius_settings().await?.is_none() {
                    return Err(WorkflowError::invalid(
                        "backend",
                        "set up the RADIUS database first (Settings → RADIUS, or headend radius set)",
                    ));
                }
                let address = match nas_address.or_else(|| router.host.parse().ok()) {
                    Some(address) => address,
                    None => {
                        return Err(WorkflowError::invalid(
                            "nas_address",
                            format!(
                                "{} is reached by name ({}): give the address its RADIUS requests come from \
                                 (NAS address, --nas-address)",
                                router.name, router.host
                            ),
                        ));
                    }
                };
                let key = SecretKey::nas_secret(id);
                match secret {
                    Some(secret) if secret.expose().is_empty() => {
                        return Err(WorkflowError::invalid("secret", "the shared secret is empty"));
                    }
                    Some(secret) => self.keyring.set(&self.store, key, secret.expose().to_owned()).await?,
                    None => {
                        let secrets = self.secrets().await?;
                        let known = crate::keyring::blocking(move || secrets.get(&key)).await?.ok().flatten();
                        if known.is_none() {
                            return Err(WorkflowError::invalid(
                                "secret",
                                "the router has no RADIUS shared secret yet: give the one it shares with FreeRADIUS \
                                 (--secret-stdin from the CLI)",
                            ));
                        }
                    }
                }
                let coa_port = match coa_port {
                    Some(0) => return Err(WorkflowError::invalid("coa_port", "port 0 is not a port")),
                    Some(port) => port,
                    None => router.backend.nas().map_or(DEFAULT_COA_PORT, |n| n.coa_port),
                };
                if let Some((username, other, on)) = self.store.radius_user_clash(id).await? {
                    return Err(WorkflowError::invalid(
                        "backend",
                        format!(
                            "{username} is also service {other}'s user on {on}, already in RADIUS mode: RADIUS \
                             routers share one database, so rename one of them first"
                        ),
                    ));
                }
                Backend::Radius(Nas { address, coa_port })
            }
        };
        self.store.set_router_backend(id, backend).await?;
        let detail = match backend {
            Backend::Api => format!("{}: PPPoE users on the router (/ppp/secret)", router.name),
            Backend::Radius(nas) => {
                format!("{}: PPPoE users in FreeRADIUS, NAS {}, CoA port {}", router.name, nas.address, nas.coa_port)
            }
        };
        self.log(actor, Subject::Router(id), "router-backend", detail).await;
        self.sweep(id);
        self.router(id).await
    }

    /// Logs a service in with PAP, as its router would: Accept or Reject,
    /// and the attributes FreeRADIUS sends back.
    pub async fn radius_test_login(
        &self,
        service: ServiceId,
        server: SocketAddr,
        secret: &Secret,
    ) -> Result<TestLogin, WorkflowError> {
        let overview = self
            .store
            .service(service)
            .await?
            .ok_or_else(|| WorkflowError::NotFound(format!("no service {service}")))?;
        let Access::Pppoe { username, .. } = &overview.access else {
            return Err(WorkflowError::invalid("service", "a static-IP service does not log in"));
        };
        let row = self
            .store
            .provisioning_rows(overview.router)
            .await?
            .into_iter()
            .find(|r| r.service.id == service)
            .ok_or_else(|| WorkflowError::NotFound(format!("no service {service}")))?;
        let blob =
            row.password.ok_or_else(|| WorkflowError::invalid("service", "the service has no PPPoE password"))?;
        let password = self
            .cipher()
            .await?
            .decrypt(&blob)
            .map_err(|e| WorkflowError::invalid("service", format!("its password cannot be decrypted: {e}")))?;
        let request = PapRequest {
            identifier: rand::random(),
            user_name: username,
            password: password.expose().as_bytes(),
            nas_identifier: "headend-test-login",
        };
        let built = access_request_pap(&request, secret.expose().as_bytes(), rand::random()).map_err(radius_error)?;
        let started = Instant::now();
        let reply =
            exchange(server, &built, secret.expose().as_bytes(), Retry::default()).await.map_err(radius_error)?;
        let took = started.elapsed();
        let mut attributes = Vec::new();
        let auth = Authorization::read(&reply);
        let named = [
            ("Mikrotik-Rate-Limit", auth.rate_limit.clone()),
            ("Mikrotik-Address-List", auth.address_list.clone()),
            ("Framed-IP-Address", auth.framed_ip_address.map(|a| a.to_string())),
            ("Framed-Pool", auth.framed_pool.clone()),
            ("Session-Timeout", auth.session_timeout.map(|t| t.to_string())),
            ("Idle-Timeout", auth.idle_timeout.map(|t| t.to_string())),
            ("Reply-Message", auth.reply_message.clone()),
        ];
        for (name, value) in named {
            if let Some(value) = value {
                attributes.push((name.to_owned(), value));
            }
        }
        Ok(TestLogin { user: username.clone(), accepted: reply.code == Code::AccessAccept, attributes, took })
    }

    /// Asks a RADIUS server whether it is up (RFC 5997 Status-Server).
    pub async fn radius_status(&self, server: SocketAddr, secret: &Secret) -> Result<ServerStatus, WorkflowError> {
        let built = status_server(rand::random(), Some("headend"), secret.expose().as_bytes(), rand::random())
            .map_err(radius_error)?;
        let started = Instant::now();
        let reply =
            exchange(server, &built, secret.expose().as_bytes(), Retry::default()).await.map_err(radius_error)?;
        Ok(ServerStatus { server, answer: reply.code.name(), took: started.elapsed() })
    }
}
