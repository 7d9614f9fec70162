//! TLS to a router, trusted by certificate pinning.
//!
//! # Why pinning and not CA validation
//!
//! RouterOS' API-SSL service (8729) presents whatever certificate the
//! operator assigned to it, and on nearly every router in the field that is
//! a self-signed certificate made on the router itself, for a name nobody
//! resolves. Validating it against CAs and the host name would refuse
//! every real router; accepting anything would give no protection at all.
//! So the client trusts exactly one certificate per router, by the SHA-256
//! of its DER encoding (a [`CertificatePin`]), the way SSH trusts host
//! keys: the first connection ([`TlsTrust::PinOnFirstUse`]) reports the
//! fingerprint for the caller to store, and later connections
//! ([`TlsTrust::Pinned`]) refuse any other certificate with
//! [`ClientError::CertificateChanged`](super::ClientError::CertificateChanged).
//! Validity dates, names and chains are not checked; the handshake
//! signature still is, so only the holder of the pinned certificate's key
//! can complete the handshake.
//!
//! The router must have a certificate assigned to `api-ssl` (RouterOS
//! without one offers anonymous Diffie-Hellman only, which rustls does not
//! speak, on purpose).

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::crypto::{
    self, CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{self, CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};

use super::ClientError;

/// The SHA-256 fingerprint of a router's leaf certificate (of its DER
/// bytes).
///
/// Shown and parsed as 64 hex digits; parsing also accepts upper case and
/// `:` separators, as other tools print fingerprints.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificatePin([u8; 32]);

impl CertificatePin {
    /// The pin of a certificate, from its DER encoding.
    #[must_use]
    pub fn of_der(der: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let mut bytes = [0_u8; 32];
        bytes.copy_from_slice(digest.as_ref());
        Self(bytes)
    }

    /// A pin from the 32 bytes of a SHA-256 digest.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes of the digest.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for CertificatePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CertificatePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificatePin({self})")
    }
}

/// A string that is not 32 bytes of hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a certificate pin is 64 hex digits (SHA-256)")]
pub struct InvalidPin;

impl FromStr for CertificatePin {
    type Err = InvalidPin;
    fn from_str(s: &str) -> Result<Self, InvalidPin> {
        let digits: Vec<u8> = s.bytes().filter(|&b| b != b':').collect();
        if digits.len() != 64 {
            return Err(InvalidPin);
        }
        let mut bytes = [0_u8; 32];
        for (out, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let hi = hex_digit(pair.first().copied()).ok_or(InvalidPin)?;
            let lo = hex_digit(pair.get(1).copied()).ok_or(InvalidPin)?;
            *out = (hi << 4) | lo;
        }
        Ok(Self(bytes))
    }
}

fn hex_digit(b: Option<u8>) -> Option<u8> {
    let b = b?;
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// How the client decides to trust the router's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsTrust {
    /// Accept any certificate and report its fingerprint
    /// ([`Client::certificate_pin`](super::Client::certificate_pin)) for
    /// the caller to store. Only for the first connection to a router.
    PinOnFirstUse,
    /// Accept only the certificate with this fingerprint.
    Pinned(CertificatePin),
}

/// The rustls verifier: records the leaf's fingerprint and compares it with
/// the pin; checks handshake signatures as usual.
#[derive(Debug)]
pub(crate) struct PinVerifier {
    expected: Option<CertificatePin>,
    seen: Mutex<Option<CertificatePin>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinVerifier {
    /// The fingerprint of the certificate the server presented, if it got
    /// that far.
    pub(crate) fn seen(&self) -> Option<CertificatePin> {
        *self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let actual = CertificatePin::of_der(end_entity.as_ref());
        *self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(actual);
        match self.expected {
            Some(expected) if expected != actual => {
                Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The ring crypto provider, shared by the client (and usable by a
/// simulator's server config).
#[must_use]
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(crypto::ring::default_provider())
}

/// A client config that trusts by `trust`, and its verifier (to read the
/// fingerprint back after the handshake).
pub(crate) fn client_config(trust: TlsTrust) -> Result<(Arc<ClientConfig>, Arc<PinVerifier>), rustls::Error> {
    let provider = crypto_provider();
    let verifier = Arc::new(PinVerifier {
        expected: match trust {
            TlsTrust::PinOnFirstUse => None,
            TlsTrust::Pinned(pin) => Some(pin),
        },
        seen: Mutex::new(None),
        algorithms: provider.signature_verification_algorithms,
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((Arc::new(config), verifier))
}

/// The TLS handshake over `tcp` to `host` (shown as `addr` in errors),
/// trusting by `trust`; with `alpn`, the protocols to offer. Returns the
/// stream and the fingerprint of the certificate the server presented.
///
/// A certificate other than a [`TlsTrust::Pinned`] one is
/// [`ClientError::CertificateChanged`]; any other failure is
/// [`ClientError::Tls`].
pub(crate) async fn handshake(
    tcp: TcpStream,
    host: &str,
    addr: &str,
    trust: TlsTrust,
    alpn: &[&[u8]],
) -> Result<(TlsStream<TcpStream>, Option<CertificatePin>), ClientError> {
    let tls_error = |message: String| ClientError::Tls { addr: addr.to_owned(), message };
    let (config, verifier) = client_config(trust).map_err(|e| tls_error(e.to_string()))?;
    let config = if alpn.is_empty() {
        config
    } else {
        let mut config = Arc::unwrap_or_clone(config);
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    };
    let name = ServerName::try_from(host.to_owned())
        .ok()
        .or_else(|| tcp.peer_addr().ok().map(|a| ServerName::from(a.ip())))
        .ok_or_else(|| tls_error("no usable server name".into()))?;
    match TlsConnector::from(config).connect(name, tcp).await {
        Ok(stream) => Ok((stream, verifier.seen())),
        Err(err) => Err(match (trust, verifier.seen()) {
            (TlsTrust::Pinned(expected), Some(actual)) if expected != actual => {
                ClientError::CertificateChanged { expected, actual }
            }
            _ => tls_error(err.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_round_trips_through_text() {
        let pin = CertificatePin::of_der(b"not really a certificate");
        let text = pin.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<CertificatePin>(), Ok(pin));
        let colons: String = text
            .to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(colons.parse::<CertificatePin>(), Ok(pin));
        assert_eq!("abc".parse::<CertificatePin>(), Err(InvalidPin));
        assert_eq!("g".repeat(64).parse::<CertificatePin>(), Err(InvalidPin));
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            CertificatePin::of_der(b"").to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
