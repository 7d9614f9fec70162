//! Turning a router of the inventory into a logged-in [`RouterLink`]: the
//! password comes from the secret store, the TLS certificate (API-SSL or
//! REST's HTTPS) is pinned on the first connection and checked on every
//! later one.
//!
//! The pin is read from the database at every connection, never from the
//! caller's copy of the router (which may predate a pin another process
//! made), and a first pin is written only where none is stored. A
//! certificate other than the pinned one is refused and recorded; the
//! router is not contacted again until the operator trusts it (the
//! console's Routers page, `headend router pin NAME`).

use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};
use std::time::Duration;

use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::router::{API_SSL_SETUP, Router, Transport};
use headend_routeros::Value;
use headend_routeros::client::{CertificatePin, Client, ClientError, ConnectOptions, TlsTrust};
use headend_routeros::ops::{
    ActiveEvent, ActiveWatch, AddressListEntry, Change, ChangeResult, Interface, Menu, PppAaa, PppActive, PppProfile,
    PppSecret, RadiusIncoming, RadiusServer, RouterApi, SimpleQueue, SystemResource,
};
use headend_routeros::rest::{RestActiveWatch, RestClient, RestOptions};
use headend_secrets::{SecretError, SecretKey, SecretStore};
use headend_store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no password is stored for router {0}; set it again")]
    NoPassword(String),
    #[error("cannot read router {router}'s password: {source}")]
    Secrets { router: String, source: SecretError },
    #[error("reading the keyring stopped unexpectedly: {0}")]
    KeyringTask(String),
    #[error(
        "the pinned certificate fingerprint of router {router} is unreadable ({pin:?}); edit the router to pin it again"
    )]
    BadPin { router: String, pin: String },
    /// The router presented another certificate than the pinned one, just
    /// now (`refused_earlier` false) or on an earlier connection.
    #[error(
        "router {router} presents another TLS certificate ({presented}) than the pinned one ({pinned}); Headend does \
         not connect to it until you trust the new certificate, which you should do only if the router's certificate \
         was replaced (console: Routers; CLI: `headend router pin {router}`)"
    )]
    CertificateChanged { router: String, pinned: String, presented: String, refused_earlier: bool },
    #[error("{router}: {source}")]
    Router { router: String, source: ClientError },
    /// The router's api-ssl service did not take a TLS connection: it is
    /// off, or has no certificate (its state out of the box).
    #[error(
        "{router}: {source}. Its api-ssl service may be off or have no certificate.\nTo make one, run on the \
         router:\n{setup}\nHeadend pins it on the next connection.",
        setup = API_SSL_SETUP
    )]
    ApiSslNotReady { router: String, source: ClientError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A logged-in router, over the binary API (plain or TLS) or REST.
///
/// [`RouterApi`] is not object-safe (its methods return `impl Future`),
/// so the two transports meet in this enum, which implements it by
/// delegation. Cheap to clone.
#[derive(Debug, Clone)]
pub enum RouterLink {
    Api(Client),
    Rest(RestClient),
}

impl RouterLink {
    /// The fingerprint of the router's certificate (API-SSL and REST).
    pub fn certificate_pin(&self) -> Option<CertificatePin> {
        match self {
            Self::Api(c) => c.certificate_pin(),
            Self::Rest(c) => c.certificate_pin(),
        }
    }

    /// `host:port` of the router.
    pub fn peer(&self) -> &str {
        match self {
            Self::Api(c) => c.peer(),
            Self::Rest(c) => c.peer(),
        }
    }

    /// Close the connection(s) now.
    pub fn close(&self) {
        match self {
            Self::Api(c) => c.close(),
            Self::Rest(c) => c.close(),
        }
    }

    /// Whether the session changes are streamed by the router (`listen`
    /// on the binary API) rather than found by polling (REST).
    pub fn streams_sessions(&self) -> bool {
        matches!(self, Self::Api(_))
    }
}

/// [`RouterLink`]'s session watch: the binary API's `listen`, or REST's
/// polling.
#[derive(Debug)]
pub enum LinkWatch {
    Api(ActiveWatch),
    Rest(RestActiveWatch),
}

impl LinkWatch {
    /// The next change; `None` when the watch ended.
    pub async fn next(&mut self) -> Option<Result<ActiveEvent, ClientError>> {
        match self {
            Self::Api(w) => w.next().await,
            Self::Rest(w) => w.next().await,
        }
    }

    /// Stop watching, cleanly.
    pub async fn cancel(self) -> Result<(), ClientError> {
        match self {
            Self::Api(w) => w.cancel().await,
            Self::Rest(w) => w.cancel().await,
        }
    }
}

impl futures_core::Stream for LinkWatch {
    type Item = Result<ActiveEvent, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.get_mut() {
            Self::Api(w) => Pin::new(w).poll_next(cx),
            Self::Rest(w) => Pin::new(w).poll_next(cx),
        }
    }
}

macro_rules! delegate {
    ($self:ident, $c:ident => $call:expr) => {
        match $self {
            RouterLink::Api($c) => $call.await,
            RouterLink::Rest($c) => $call.await,
        }
    };
}

impl RouterApi for RouterLink {
    type ActiveWatch = LinkWatch;

    async fn identity(&self) -> Result<Value, ClientError> {
        delegate!(self, c => c.identity())
    }

    async fn resource(&self) -> Result<SystemResource, ClientError> {
        delegate!(self, c => c.resource())
    }

    async fn interfaces(&self) -> Result<Vec<Interface>, ClientError> {
        delegate!(self, c => c.interfaces())
    }

    async fn ppp_secrets(&self) -> Result<Vec<PppSecret>, ClientError> {
        delegate!(self, c => c.ppp_secrets())
    }

    async fn ppp_profiles(&self) -> Result<Vec<PppProfile>, ClientError> {
        delegate!(self, c => c.ppp_profiles())
    }

    async fn ppp_active(&self) -> Result<Vec<PppActive>, ClientError> {
        delegate!(self, c => c.ppp_active())
    }

    async fn watch_ppp_active(&self) -> Result<LinkWatch, ClientError> {
        match self {
            Self::Api(c) => c.watch_ppp_active().await.map(LinkWatch::Api),
            Self::Rest(c) => c.watch_ppp_active().await.map(LinkWatch::Rest),
        }
    }

    async fn address_list(&self, lists: &[Value]) -> Result<Vec<AddressListEntry>, ClientError> {
        delegate!(self, c => c.address_list(lists))
    }

    async fn simple_queues(&self) -> Result<Vec<SimpleQueue>, ClientError> {
        delegate!(self, c => c.simple_queues())
    }

    async fn radius_servers(&self) -> Result<Vec<RadiusServer>, ClientError> {
        delegate!(self, c => c.radius_servers())
    }

    async fn ppp_aaa(&self) -> Result<PppAaa, ClientError> {
        delegate!(self, c => c.ppp_aaa())
    }

    async fn radius_incoming(&self) -> Result<RadiusIncoming, ClientError> {
        delegate!(self, c => c.radius_incoming())
    }

    async fn count(&self, menu: Menu) -> Result<u64, ClientError> {
        delegate!(self, c => c.count(menu))
    }

    async fn apply(&self, changes: Vec<Change>) -> Vec<ChangeResult> {
        delegate!(self, c => c.apply(changes))
    }
}

/// Whether an API-TLS connection failed the way a router whose api-ssl
/// service is off (refused) or has no certificate (the handshake fails)
/// does.
fn api_ssl_not_ready(error: &ClientError) -> bool {
    match error {
        ClientError::Tls { .. } => true,
        ClientError::Connect { source, .. } => source.kind() == std::io::ErrorKind::ConnectionRefused,
        _ => false,
    }
}

/// Connects to routers of the inventory.
#[derive(Clone)]
pub struct Connector {
    store: Store,
    secrets: SecretStore,
    connect_timeout: Duration,
    command_timeout: Duration,
    poll_interval: Duration,
}

impl Connector {
    pub fn new(store: Store, secrets: SecretStore) -> Self {
        Self {
            store,
            secrets,
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(30),
            poll_interval: Duration::from_secs(1),
        }
    }

    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, command: Duration) -> Self {
        self.connect_timeout = connect;
        self.command_timeout = command;
        self
    }

    /// The database this connector reads pins from (and the fleet writes
    /// session history to).
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// How often REST routers are polled for session changes (they cannot
    /// stream them). Default 1 s.
    #[must_use]
    pub fn with_rest_poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every;
        self
    }

    /// Logs in to `router`. On its first TLS connection (API-SSL or REST)
    /// the certificate's fingerprint is stored, and from then on only that
    /// certificate is accepted; another one is refused
    /// ([`ConnectError::CertificateChanged`]) and recorded.
    pub async fn connect(&self, router: &Router) -> Result<RouterLink, ConnectError> {
        let tls = router.transport != Transport::Api;
        let certificate = if tls { self.store.router_certificate(router.id).await? } else { Default::default() };
        if let Some(presented) = certificate.presented {
            return Err(ConnectError::CertificateChanged {
                router: router.name.clone(),
                pinned: certificate.pinned.unwrap_or_else(|| "none".into()),
                presented,
                refused_earlier: true,
            });
        }
        let trust = match &certificate.pinned {
            Some(pin) => CertificatePin::from_str(pin)
                .map(TlsTrust::Pinned)
                .map_err(|_| ConnectError::BadPin { router: router.name.clone(), pin: pin.clone() })?,
            None => TlsTrust::PinOnFirstUse,
        };
        let password = self.password(router).await?;
        let link = match self.login(router, password, trust).await {
            Ok(link) => link,
            Err(ClientError::CertificateChanged { expected, actual }) => {
                return Err(self.refuse(router, expected.to_string(), actual.to_string()).await?);
            }
            Err(source) if router.transport == Transport::ApiTls && api_ssl_not_ready(&source) => {
                return Err(ConnectError::ApiSslNotReady { router: router.name.clone(), source });
            }
            Err(source) => return Err(ConnectError::Router { router: router.name.clone(), source }),
        };
        if certificate.pinned.is_none()
            && let Some(pin) = link.certificate_pin()
        {
            let pin = pin.to_string();
            if self.store.pin_first_router_certificate(router.id, &pin).await? {
                tracing::info!(router = %router.name, %pin, "pinned the router's TLS certificate");
            } else {
                // Another connection pinned first: this one must match it.
                let pinned = self.store.router_certificate(router.id).await?.pinned;
                if let Some(pinned) = pinned.filter(|p| *p != pin) {
                    link.close();
                    return Err(self.refuse(router, pinned, pin).await?);
                }
            }
        }
        Ok(link)
    }

    async fn login(&self, router: &Router, password: String, trust: TlsTrust) -> Result<RouterLink, ClientError> {
        Ok(match router.transport {
            Transport::Api => RouterLink::Api(Client::connect(self.api_options(router, password)).await?),
            Transport::ApiTls => RouterLink::Api(Client::connect(self.api_options(router, password).tls(trust)).await?),
            Transport::Rest => {
                let options = RestOptions::new(router.host.clone(), router.username.clone(), password)
                    .port(router.port)
                    .trust(trust)
                    .connect_timeout(self.connect_timeout)
                    .request_timeout(self.command_timeout)
                    .poll_interval(self.poll_interval);
                RouterLink::Rest(RestClient::connect(options).await?)
            }
        })
    }

    /// Records a certificate presented instead of the pinned one (with an
    /// activity entry the first time) and returns the refusal.
    async fn refuse(&self, router: &Router, pinned: String, presented: String) -> Result<ConnectError, ConnectError> {
        if self.store.refuse_router_certificate(router.id, &presented).await? {
            tracing::info!(router = %router.name, %pinned, %presented, "router certificate changed: not connecting");
            let entry = ActivityEntry {
                at: self.store.clock().now(),
                actor: Actor::Engine,
                subject: Subject::Router(router.id),
                action: "certificate refused".into(),
                detail: format!("{} presented {presented} instead of the pinned {pinned}", router.name),
            };
            if let Err(e) = self.store.log_activity(&entry).await {
                tracing::warn!(router = %router.name, error = %e, "cannot record the refused certificate's activity");
            }
        }
        Ok(ConnectError::CertificateChanged { router: router.name.clone(), pinned, presented, refused_earlier: false })
    }

    fn api_options(&self, router: &Router, password: String) -> ConnectOptions {
        ConnectOptions::new(router.host.clone(), router.username.clone(), password)
            .port(router.port)
            .connect_timeout(self.connect_timeout)
            .command_timeout(self.command_timeout)
    }

    /// The keyring it reads passwords from.
    pub fn secrets(&self) -> &SecretStore {
        &self.secrets
    }

    /// A digest of the router's password as the keyring holds it now, so an
    /// engine can notice it changed without keeping it: `hasher` is the
    /// caller's, with keys random to its process.
    pub async fn password_digest(&self, router: &Router, hasher: &RandomState) -> Result<u64, ConnectError> {
        Ok(hasher.hash_one(self.password(router).await?))
    }

    async fn password(&self, router: &Router) -> Result<String, ConnectError> {
        let secrets = self.secrets.clone();
        let key = SecretKey::router(router.id);
        // Keyring calls block (D-Bus, keychain).
        let found = tokio::task::spawn_blocking(move || secrets.get(&key))
            .await
            .map_err(|e| ConnectError::KeyringTask(e.to_string()))?
            .map_err(|source| ConnectError::Secrets { router: router.name.clone(), source })?;
        found.map(|secret| secret.expose().to_owned()).ok_or_else(|| ConnectError::NoPassword(router.name.clone()))
    }
}
