//! The TLS client settings for HTTPS to public web services (SMS and
//! WhatsApp providers, map tile servers): rustls with ring only (no aws-lc,
//! no OpenSSL) and the operating system's CA roots. Routers and OLTs are
//! not web services: they are reached with pinned certificates and keys
//! elsewhere.

use std::sync::{Arc, OnceLock};

use tracing::{debug, warn};

/// The settings, made once per process: reading the system's CA roots
/// takes a while. The error says why TLS cannot be set up.
pub fn client_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let native = rustls_native_certs::load_native_certs();
            for err in &native.errors {
                warn!(%err, "cannot read some of the system's CA certificates");
            }
            let (added, ignored) = roots.add_parsable_certificates(native.certs);
            debug!(added, ignored, "system CA certificates");
            if added == 0 {
                warn!("no CA certificates found on this system: HTTPS to web services (SMS, WhatsApp, map tiles) will fail");
            }
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map(|builder| builder.with_root_certificates(roots).with_no_client_auth())
                .map_err(|err| err.to_string())
        })
        .clone()
}
