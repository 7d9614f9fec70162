//! Turning a router of the inventory into a logged-in connection: the
//! password comes from the secret store, the TLS certificate is pinned on
//! the first connection and checked on every later one.

use std::str::FromStr;
use std::time::Duration;

use headend_core::router::{Router, Transport};
use headend_routeros::client::{CertificatePin, Client, ClientError, ConnectOptions, TlsTrust};
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
    #[error("the pinned certificate fingerprint of router {router} is unreadable ({pin:?}); edit the router to pin it again")]
    BadPin { router: String, pin: String },
    #[error("router {router} uses the REST transport, which this version cannot reach yet")]
    RestUnsupported { router: String },
    #[error("{router}: {source}")]
    Router { router: String, source: ClientError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Connects to routers of the inventory.
#[derive(Clone)]
pub struct Connector {
    store: Store,
    secrets: SecretStore,
    connect_timeout: Duration,
    command_timeout: Duration,
}

impl Connector {
    pub fn new(store: Store, secrets: SecretStore) -> Self {
        Self {
            store,
            secrets,
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(30),
        }
    }

    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, command: Duration) -> Self {
        self.connect_timeout = connect;
        self.command_timeout = command;
        self
    }

    /// Logs in to `router`. On its first TLS connection the certificate's
    /// fingerprint is stored, and from then on only that certificate is
    /// accepted.
    pub async fn connect(&self, router: &Router) -> Result<Client, ConnectError> {
        let password = self.password(router).await?;
        let mut options = ConnectOptions::new(router.host.clone(), router.username.clone(), password)
            .port(router.port)
            .connect_timeout(self.connect_timeout)
            .command_timeout(self.command_timeout);
        match router.transport {
            Transport::Api => {}
            Transport::ApiTls => {
                let trust = match &router.tls_pin {
                    Some(pin) => TlsTrust::Pinned(CertificatePin::from_str(pin).map_err(|_| ConnectError::BadPin {
                        router: router.name.clone(),
                        pin: pin.clone(),
                    })?),
                    None => TlsTrust::PinOnFirstUse,
                };
                options = options.tls(trust);
            }
            Transport::Rest => {
                return Err(ConnectError::RestUnsupported { router: router.name.clone() });
            }
        }
        let client = Client::connect(options).await.map_err(|source| ConnectError::Router {
            router: router.name.clone(),
            source,
        })?;
        if router.tls_pin.is_none() {
            if let Some(pin) = client.certificate_pin() {
                tracing::info!(router = %router.name, %pin, "pinned the router's TLS certificate");
                self.store.set_router_tls_pin(router.id, Some(&pin.to_string())).await?;
            }
        }
        Ok(client)
    }

    async fn password(&self, router: &Router) -> Result<String, ConnectError> {
        let secrets = self.secrets.clone();
        let key = SecretKey::router(router.id);
        // Keyring calls block (D-Bus, keychain).
        let found = tokio::task::spawn_blocking(move || secrets.get(&key))
            .await
            .map_err(|e| ConnectError::KeyringTask(e.to_string()))?
            .map_err(|source| ConnectError::Secrets { router: router.name.clone(), source })?;
        found
            .map(|secret| secret.expose().to_owned())
            .ok_or_else(|| ConnectError::NoPassword(router.name.clone()))
    }
}
