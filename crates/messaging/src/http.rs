//! The IO of the HTTP gateways: requests the provider modules built, sent
//! over hyper's pooled keep-alive client (HTTP/1.1, rustls with ring and
//! the operating system's CA roots), each under one timeout.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderMap, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tracing::debug;

use crate::SendError;

/// The largest answer read: providers answer a few hundred bytes; an HTML
/// error page of a proxy is cut here.
const MAX_ANSWER: usize = 1 << 20;

/// How long an idle connection is kept for the next message.
const IDLE: Duration = Duration::from_secs(60);

/// Everything but RFC 3986's unreserved characters is escaped, so a value
/// put into a URL stays one value.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A request as a provider module built it, before any IO. No `Debug`: its
/// headers hold the credentials.
pub(crate) struct HttpRequest {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// The provider's answer, whatever its status.
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

/// One provider's connection pool.
#[derive(Clone)]
pub(crate) struct HttpClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl HttpClient {
    pub(crate) fn new(timeout: Duration) -> Result<Self, SendError> {
        let mut http = HttpConnector::new();
        // hyper-rustls takes `https` URLs itself.
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(
                headend_web_tls::client_config()
                    .map_err(|err| SendError::Transient(format!("cannot set up TLS: {err}")))?,
            )
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client =
            Client::builder(TokioExecutor::new()).pool_timer(TokioTimer::new()).pool_idle_timeout(IDLE).build(https);
        Ok(Self { client, timeout })
    }

    /// Send `request` to `provider` (its name, for the operator) and read
    /// the whole answer, all within the timeout.
    pub(crate) async fn execute(&self, request: HttpRequest, provider: &str) -> Result<HttpResponse, SendError> {
        let place = place(&request.uri);
        let mut builder = Request::builder().method(request.method).uri(request.uri);
        if let Some(headers) = builder.headers_mut() {
            *headers = request.headers;
            headers
                .entry(USER_AGENT)
                .or_insert(HeaderValue::from_static(concat!("headend/", env!("CARGO_PKG_VERSION"))));
        }
        let http_request = builder
            .body(Full::new(request.body))
            .map_err(|err| SendError::Transient(format!("cannot build the request to {provider}: {err}")))?;
        let exchange = async {
            let response = self.client.request(http_request).await.map_err(|err| {
                let cause = root_cause(&err);
                if err.is_connect() {
                    SendError::Transient(format!("could not reach {provider} at {place}: {cause}"))
                } else {
                    SendError::Transient(format!("the connection to {provider} at {place} failed: {cause}"))
                }
            })?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), MAX_ANSWER).collect().await.map_err(|err| {
                SendError::Transient(format!(
                    "the answer of {provider} at {place} was cut short: {}",
                    root_cause(&*err)
                ))
            })?;
            Ok(HttpResponse { status, body: body.to_bytes() })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(response)) => {
                debug!(provider, status = response.status, "answer");
                Ok(response)
            }
            Ok(Err(err)) => Err(err),
            Err(_) => Err(SendError::Transient(format!(
                "{provider} at {place} did not answer within {}",
                humanize(self.timeout)
            ))),
        }
    }
}

/// A base URL from the settings, checked, without its trailing `/`.
pub(crate) fn base_url(text: &str, provider: &str) -> Result<String, SendError> {
    let trimmed = text.trim().trim_end_matches('/');
    let ok = trimmed.parse::<Uri>().is_ok_and(|uri| {
        matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some_and(|h| !h.is_empty())
    });
    if ok {
        Ok(trimmed.to_owned())
    } else {
        Err(SendError::Transient(format!("the {provider} address {trimmed:?} is not an http:// or https:// URL")))
    }
}

/// `text` as one path segment or query value.
pub(crate) fn encode_component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// A header value holding a credential: hidden from `Debug` (and from
/// HTTP/2 header compression, should it ever be used).
pub(crate) fn secret_header(value: &str, what: &str) -> Result<HeaderValue, SendError> {
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| SendError::Transient(format!("the {what} has characters a request header cannot carry")))?;
    header.set_sensitive(true);
    Ok(header)
}

/// A URL parsed, for a request built from the settings.
pub(crate) fn uri(text: &str, provider: &str) -> Result<Uri, SendError> {
    text.parse::<Uri>().map_err(|_| SendError::Transient(format!("the {provider} address is not a valid URL")))
}

/// Host and port of a URL, never its path or query (a generic gateway may
/// carry its key there) nor its user information.
fn place(uri: &Uri) -> String {
    match (uri.host(), uri.port_u16()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => "(no host)".to_owned(),
    }
}

/// The innermost error's text: "Connection refused (os error 111)" rather
/// than hyper's "client error (Connect)".
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut innermost = err;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}

/// `30 s`, `250 ms`.
pub(crate) fn humanize(duration: Duration) -> String {
    if duration.subsec_millis() == 0 && duration.as_secs() > 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_http_and_trimmed() {
        assert_eq!(base_url("https://api.twilio.com/", "Twilio"), Ok("https://api.twilio.com".to_owned()));
        assert_eq!(base_url(" http://127.0.0.1:8080 ", "x"), Ok("http://127.0.0.1:8080".to_owned()));
        for bad in ["", "api.twilio.com", "ftp://x", "https://"] {
            assert!(base_url(bad, "Twilio").is_err(), "{bad}");
        }
    }

    #[test]
    fn places_never_show_the_query() {
        let uri: Uri = "https://user:pw@sms.example:8443/send?key=hunter2".parse().expect("URL");
        assert_eq!(place(&uri), "sms.example:8443");
    }

    #[test]
    fn components_are_escaped_whole() {
        assert_eq!(encode_component("+254 7&x=ñ"), "%2B254%207%26x%3D%C3%B1");
    }

    #[test]
    fn secret_headers_do_not_print() {
        let header = secret_header("Bearer hunter2", "token").expect("valid");
        assert_eq!(format!("{header:?}"), "Sensitive");
        assert!(secret_header("a\nb", "token").is_err());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(humanize(Duration::from_secs(30)), "30 s");
        assert_eq!(humanize(Duration::from_millis(250)), "250 ms");
    }
}
