//! The simulator's self-signed certificate.

use std::sync::Arc;

use headend_routeros::client::{CertificatePin, crypto_provider};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use super::SimError;

/// A TLS identity: the server config and the pin of its certificate.
#[derive(Debug, Clone)]
pub(crate) struct TlsIdentity {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) pin: CertificatePin,
}

impl TlsIdentity {
    /// A fresh self-signed certificate for `localhost` and 127.0.0.1, as a
    /// router makes for itself.
    pub(crate) fn generate() -> Result<Self, SimError> {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(|e| SimError::Certificate(e.to_string()))?;
        let der = cert.cert.der().clone();
        let pin = CertificatePin::of_der(der.as_ref());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
        let config = ServerConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(vec![der], key))
            .map_err(|e| SimError::Certificate(e.to_string()))?;
        Ok(Self { config: Arc::new(config), pin })
    }
}
