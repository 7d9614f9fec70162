//! Any HTTP SMS gateway, described by the operator: a URL, a method,
//! headers and a body template, with `{to}`, `{text}` and `{secret}` put in
//! — URL-encoded in the URL, as they are in headers, form-encoded in a form
//! body (the query of a GET), JSON-escaped in a JSON body. Any 2xx is
//! accepted; a 4xx other than 401, 403, 408 and 429 refuses the message.

use bytes::Bytes;
use headend_core::messages::settings::{GenericBody, HttpMethod};
use headend_secrets::Secret;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Uri};
use serde_json::Value;

use crate::http::{HttpRequest, encode_component};
use crate::{Accepted, SendError, snippet};

/// How the operator's settings name the gateway in messages.
pub(crate) const PROVIDER: &str = "the SMS gateway";

const PLACEHOLDERS: [&str; 3] = ["to", "text", "secret"];

/// The body, parsed once from the template.
#[derive(Debug)]
enum BodyTemplate {
    None,
    /// `key=value` pairs, one a line (or `&`-separated), values templates.
    Form(Vec<(String, String)>),
    /// A JSON document whose strings are templates.
    Json(Value),
}

/// The operator's gateway, checked.
#[derive(Debug)]
pub(crate) struct Generic {
    url: String,
    method: HttpMethod,
    headers: Vec<(HeaderName, String)>,
    body: BodyTemplate,
    secret: Option<Secret>,
}

/// The values of one message.
struct Values<'a> {
    to: &'a str,
    text: &'a str,
    secret: &'a str,
}

impl Values<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        match name {
            "to" => Some(self.to),
            "text" => Some(self.text),
            "secret" => Some(self.secret),
            _ => None,
        }
    }
}

/// `template` with each `{to}`, `{text}` and `{secret}` replaced by
/// `encode(value)`, in one pass (a customer's text holding `{secret}` stays
/// text); any other brace is kept.
fn fill(template: &str, values: &Values<'_>, encode: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + values.text.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let found = after.find('}').and_then(|close| values.get(&after[..close]).map(|value| (close, value)));
        match found {
            Some((close, value)) => {
                out.push_str(&encode(value));
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn uses_secret(template: &str) -> bool {
    template.contains("{secret}")
}

/// The strings of a JSON document filled in (keys too: a gateway may want
/// the number as a key).
fn fill_json(value: &Value, values: &Values<'_>) -> Value {
    match value {
        Value::String(s) => Value::String(fill(s, values, str::to_owned)),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill_json(v, values)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (fill(k, values, str::to_owned), fill_json(v, values))).collect())
        }
        other => other.clone(),
    }
}

fn config_error(what: impl std::fmt::Display) -> SendError {
    SendError::Transient(format!("the SMS gateway's settings: {what}"))
}

impl Generic {
    pub(crate) fn new(
        url: &str,
        method: HttpMethod,
        headers: &[(String, String)],
        body: GenericBody,
        template: &str,
        secret: Option<Secret>,
    ) -> Result<Self, SendError> {
        let url = url.trim().to_owned();
        check_placeholders(&url)?;
        let template = template.trim();
        let mut secret_used = uses_secret(&url) || uses_secret(template);
        let mut parsed_headers = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            let header = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| config_error(format!("{name:?} is not a header name")))?;
            check_placeholders(value)?;
            secret_used |= uses_secret(value);
            parsed_headers.push((header, value.trim().to_owned()));
        }
        if secret_used && secret.is_none() {
            return Err(config_error("they use {secret} but no secret is in the keyring"));
        }
        let body = match body {
            _ if template.is_empty() => BodyTemplate::None,
            GenericBody::Form => BodyTemplate::Form(parse_form(template)?),
            GenericBody::Json if method == HttpMethod::Get => {
                return Err(config_error("a GET request carries no JSON body: use POST, or a form body"));
            }
            GenericBody::Json => BodyTemplate::Json(
                serde_json::from_str(template)
                    .map_err(|err| config_error(format!("the body template is not JSON ({err})")))?,
            ),
        };
        let generic = Self { url, method, headers: parsed_headers, body, secret };
        // A sample message shows a broken URL or header now rather than at
        // every send.
        let sample = generic.request("+10000000000", "sample")?;
        match sample.uri.scheme_str() {
            Some("http" | "https") if sample.uri.host().is_some() => Ok(generic),
            _ => Err(config_error("the URL must start with http:// or https://")),
        }
    }

    fn values<'a>(&'a self, to: &'a str, text: &'a str) -> Values<'a> {
        Values { to, text, secret: self.secret.as_ref().map_or("", Secret::expose) }
    }

    pub(crate) fn request(&self, to: &str, text: &str) -> Result<HttpRequest, SendError> {
        let values = self.values(to, text);
        let mut url = fill(&self.url, &values, encode_component);
        let mut headers = HeaderMap::new();
        for (name, template) in &self.headers {
            let mut value = HeaderValue::from_str(&fill(template, &values, str::to_owned)).map_err(|_| {
                SendError::Permanent(format!(
                    "the header {name} cannot carry this message (a line break or control character)"
                ))
            })?;
            value.set_sensitive(uses_secret(template));
            headers.append(name.clone(), value);
        }
        let (body, content_type) = match &self.body {
            BodyTemplate::None => (String::new(), None),
            BodyTemplate::Form(pairs) => {
                let mut form = form_urlencoded::Serializer::new(String::new());
                for (key, value) in pairs {
                    form.append_pair(&fill(key, &values, str::to_owned), &fill(value, &values, str::to_owned));
                }
                let encoded = form.finish();
                if self.method == HttpMethod::Get {
                    url.push(if url.contains('?') { '&' } else { '?' });
                    url.push_str(&encoded);
                    (String::new(), None)
                } else {
                    (encoded, Some("application/x-www-form-urlencoded"))
                }
            }
            BodyTemplate::Json(document) => (fill_json(document, &values).to_string(), Some("application/json")),
        };
        if let Some(content_type) = content_type {
            headers.entry(CONTENT_TYPE).or_insert(HeaderValue::from_static(content_type));
        }
        let uri = url.parse::<Uri>().map_err(|_| config_error("the URL is not a valid URL"))?;
        let method = match self.method {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
        };
        Ok(HttpRequest { method, uri, headers, body: Bytes::from(body) })
    }

    /// The gateway's answer to a message to `to`.
    pub(crate) fn classify(&self, status: u16, body: &[u8], to: &str) -> Result<Accepted, SendError> {
        if (200..300).contains(&status) {
            return Ok(Accepted { provider_id: None });
        }
        // A gateway may echo the request, key included, in any of the
        // encodings it was sent in: masked in the whole answer before it is
        // cut short, so no part of it survives the cut.
        let mut text = String::from_utf8_lossy(body).into_owned();
        if let Some(secret) = self.secret.as_ref().map(Secret::expose).filter(|s| !s.is_empty()) {
            let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            let json = serde_json::to_string(secret).ok().map(|quoted| quoted.trim_matches('"').to_owned());
            for encoded in [secret.to_owned(), encode_component(secret), form].into_iter().chain(json) {
                text = text.replace(&encoded, "***");
            }
        }
        let reason = snippet(text.as_bytes(), 200);
        match status {
            401 | 403 => {
                Err(SendError::Transient(format!("{PROVIDER} refused the credentials (HTTP {status}): {reason}")))
            }
            408 | 429 => Err(SendError::Transient(format!("{PROVIDER} asked to slow down (HTTP {status}): {reason}"))),
            400..=499 => {
                Err(SendError::Permanent(format!("{PROVIDER} refused the message to {to} (HTTP {status}): {reason}")))
            }
            _ => Err(SendError::Transient(format!("{PROVIDER} is unavailable (HTTP {status}): {reason}"))),
        }
    }
}

/// `key=value` lines (or `&`-separated pairs), blank ones skipped.
fn parse_form(template: &str) -> Result<Vec<(String, String)>, SendError> {
    template
        .split(['\n', '&'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (key, value) =
                line.split_once('=').ok_or_else(|| config_error(format!("the body line {line:?} is not key=value")))?;
            let key = key.trim();
            if key.is_empty() {
                return Err(config_error(format!("the body line {line:?} has no key")));
            }
            check_placeholders(key)?;
            check_placeholders(value)?;
            Ok((key.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

fn check_placeholders(text: &str) -> Result<(), SendError> {
    match unknown_placeholder(text) {
        Some(unknown) => {
            Err(config_error(format!("{{{unknown}}} is not a placeholder: use {{to}}, {{text}} or {{secret}}")))
        }
        None => Ok(()),
    }
}

/// The first `{word}` that is not one of ours: a typo the operator should
/// hear about rather than a gateway receiving `{txt}`.
fn unknown_placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let word = &after[..close];
        if !word.is_empty()
            && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !PLACEHOLDERS.contains(&word)
        {
            return Some(word);
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Option<Secret> {
        Some(Secret::from("s3cr&t".to_owned()))
    }

    #[test]
    fn fills_in_one_pass() {
        let values = Values { to: "+2547", text: "pay {secret} now", secret: "k" };
        assert_eq!(fill("{to}|{text}|{x}|{", &values, str::to_owned), "+2547|pay {secret} now|{x}|{");
        assert_eq!(fill("u?to={to}", &values, encode_component), "u?to=%2B2547");
    }

    #[test]
    fn get_puts_the_form_in_the_query() {
        let gateway = Generic::new(
            "https://sms.example/send?key={secret}",
            HttpMethod::Get,
            &[],
            GenericBody::Form,
            "to={to}\nmessage={text}",
            secret(),
        )
        .expect("valid settings");
        let request = gateway.request("+254711000000", "Hi & bye").expect("request");
        assert_eq!(request.method, Method::GET);
        assert_eq!(
            request.uri.to_string(),
            "https://sms.example/send?key=s3cr%26t&to=%2B254711000000&message=Hi+%26+bye"
        );
        assert!(request.body.is_empty());
    }

    #[test]
    fn post_json_escapes_values_inside_strings() {
        let gateway = Generic::new(
            "http://127.0.0.1:9/api",
            HttpMethod::Post,
            &[("Authorization".into(), "Bearer {secret}".into()), ("X-To".into(), "{to}".into())],
            GenericBody::Json,
            r#"{"to": ["{to}"], "text": "{text}", "priority": 1}"#,
            secret(),
        )
        .expect("valid settings");
        let request = gateway.request("+1555", "say \"hi\"\n").expect("request");
        assert_eq!(request.headers["authorization"], "Bearer s3cr&t");
        assert_eq!(format!("{:?}", request.headers["authorization"]), "Sensitive");
        assert_eq!(request.headers["x-to"], "+1555");
        assert_eq!(request.headers[CONTENT_TYPE], "application/json");
        let sent: Value = serde_json::from_slice(&request.body).expect("JSON");
        assert_eq!(sent, serde_json::json!({"to": ["+1555"], "text": "say \"hi\"\n", "priority": 1}));
        assert!(!format!("{gateway:?}").contains("s3cr"));
    }

    #[test]
    fn post_form_is_form_encoded() {
        let gateway =
            Generic::new("http://gw.example/sms", HttpMethod::Post, &[], GenericBody::Form, "to={to}&msg={text}", None)
                .expect("valid settings");
        let request = gateway.request("+1", "a=b").expect("request");
        assert_eq!(request.body, "to=%2B1&msg=a%3Db".as_bytes());
        assert_eq!(request.headers[CONTENT_TYPE], "application/x-www-form-urlencoded");
    }

    #[test]
    fn refuses_broken_settings() {
        let new =
            |url: &str, method, body, template: &str, secret| Generic::new(url, method, &[], body, template, secret);
        assert!(new("sms.example/send", HttpMethod::Post, GenericBody::Form, "", None).is_err());
        assert!(new("http://x.example/?k={secret}", HttpMethod::Post, GenericBody::Form, "", None).is_err());
        assert!(new("http://x.example", HttpMethod::Post, GenericBody::Json, "{to}", None).is_err());
        assert!(new("http://x.example", HttpMethod::Get, GenericBody::Json, r#"{"a":"{to}"}"#, None).is_err());
        assert!(new("http://x.example", HttpMethod::Post, GenericBody::Form, "to", None).is_err());
        assert!(new("http://x.example", HttpMethod::Post, GenericBody::Form, "to={txt}", None).is_err());
        let bad_header = Generic::new(
            "http://x.example",
            HttpMethod::Post,
            &[("Bad Name".into(), "x".into())],
            GenericBody::Form,
            "",
            None,
        );
        assert!(bad_header.is_err());
    }

    #[test]
    fn a_text_that_cannot_be_a_header_is_refused_for_good() {
        let gateway = Generic::new(
            "http://x.example",
            HttpMethod::Post,
            &[("X-Text".into(), "{text}".into())],
            GenericBody::Form,
            "",
            None,
        )
        .expect("valid settings");
        assert!(gateway.request("+1", "two\nlines").is_err_and(|e| e.is_permanent()));
    }

    #[test]
    fn classifies_and_redacts() {
        let gateway =
            Generic::new("http://x.example/?k={secret}", HttpMethod::Get, &[], GenericBody::Form, "", secret())
                .expect("valid settings");
        assert_eq!(gateway.classify(202, b"queued", "+1"), Ok(Accepted { provider_id: None }));
        let refused = gateway.classify(400, b"bad number for key s3cr%26t", "+1").expect_err("refused");
        assert_eq!(
            refused,
            SendError::Permanent("the SMS gateway refused the message to +1 (HTTP 400): bad number for key ***".into())
        );
        for transient in [401, 403, 408, 429, 500, 503, 302] {
            assert!(gateway.classify(transient, b"", "+1").is_err_and(|e| !e.is_permanent()), "{transient}");
        }
        let long = vec![b'x'; 1000];
        assert!(gateway.classify(404, &long, "+1").is_err_and(|e| e.to_string().len() < 300));
        // An echo cut at the 200th character still shows no part of the key,
        // nor does one form- or JSON-encoded.
        let mut cut = vec![b'x'; 197];
        cut.extend_from_slice(b"s3cr&t and more");
        let echoes = [cut, b"key=s3cr%26t".to_vec(), br#"{"key":"s3cr&t"}"#.to_vec()];
        for echo in echoes {
            let err = gateway.classify(400, &echo, "+1").expect_err("refused").to_string();
            assert!(!err.contains("s3c") && !err.contains("%26"), "{err}");
        }
    }
}
