//! The WhatsApp Business Cloud API: `POST
//! {base}/{version}/{phone_number_id}/messages` with `Authorization: Bearer`
//! and a JSON template message. It answers 200 with `messages[0].id`, or a
//! Graph API error `{"error": {"message", "code", "error_data": {"details"}}}`.
//!
//! Only templates: a business may write first to a customer only with a
//! template Meta approved.

use std::time::Duration;

use bytes::Bytes;
use headend_core::messages::settings::WhatsappSettings;
use headend_secrets::Secret;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::{Method, Uri};
use serde_json::{Value, json};
use tracing::debug;

use crate::http::{HttpClient, HttpRequest, base_url, encode_component, secret_header, uri};
use crate::{Accepted, SendError, snippet};

const PROVIDER: &str = "WhatsApp";

/// Error codes worth trying again: throttling (4, 80007, 130429, 131048,
/// 131056), Meta's own trouble (1, 2, 131000, 131016, 131057, 133004), a
/// temporary block (368), and the token or its permissions (190, 10,
/// 200–299), which the operator can fix. Any other code with a 4xx status
/// is about this message and final.
fn transient_code(code: i64) -> bool {
    matches!(
        code,
        1 | 2 | 4 | 10 | 190 | 200..=299 | 368 | 80007 | 130429 | 131000 | 131016 | 131048 | 131056 | 131057 | 133004
    )
}

/// Error codes about the recipient's number: not on WhatsApp or not
/// reachable (131026), not in a test account's allowed list (131030).
fn number_code(code: i64) -> bool {
    matches!(code, 131026 | 131030)
}

/// Sends template messages from one business phone number.
#[derive(Debug)]
pub struct WhatsappClient {
    url: Uri,
    /// `Bearer <token>`, hidden from `Debug`.
    authorization: HeaderValue,
    http: HttpClient,
}

impl WhatsappClient {
    /// A client of the account in `settings` with its access `token`, each
    /// request under `timeout`. Fails (transient: the operator can fix it)
    /// on incomplete settings.
    pub fn new(settings: &WhatsappSettings, token: Secret, timeout: Duration) -> Result<WhatsappClient, SendError> {
        let version = settings.api_version.trim();
        let phone = settings.phone_number_id.trim();
        if version.is_empty() || phone.is_empty() {
            return Err(SendError::Transient("WhatsApp's API version or phone number id is not set".to_owned()));
        }
        let base = base_url(&settings.base_url, PROVIDER)?;
        let url = uri(&format!("{base}/{}/{}/messages", encode_component(version), encode_component(phone)), PROVIDER)?;
        let authorization = secret_header(&format!("Bearer {}", token.expose().trim()), "WhatsApp access token")?;
        Ok(WhatsappClient { url, authorization, http: HttpClient::new(timeout)? })
    }

    /// Send the approved template `template_name` in `language` (`en_US`,
    /// `sw`) to `to` (E.164, `+2547…`), its body's `{{1}}`, `{{2}}`… filled
    /// with `parameters` in order.
    pub async fn send_template(
        &self,
        to: &str,
        template_name: &str,
        language: &str,
        parameters: &[String],
    ) -> Result<Accepted, SendError> {
        let request = self.request(to, template_name, language, parameters)?;
        let response = self.http.execute(request, PROVIDER).await?;
        let result = classify(response.status, &response.body, to, template_name);
        debug!(template_name, ok = result.is_ok(), "WhatsApp template");
        result
    }

    fn request(&self, to: &str, name: &str, language: &str, parameters: &[String]) -> Result<HttpRequest, SendError> {
        let body = template_body(to, name, language, parameters)?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(HttpRequest { method: Method::POST, uri: self.url.clone(), headers, body: Bytes::from(body.to_string()) })
    }
}

/// The message's JSON. The API wants the number's digits without `+`.
fn template_body(to: &str, name: &str, language: &str, parameters: &[String]) -> Result<Value, SendError> {
    let digits = to.trim().trim_start_matches('+');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SendError::Permanent(format!("{to:?} is not a phone number in international format")));
    }
    let mut template = json!({ "name": name, "language": { "code": language } });
    // A template without parameters is sent without components: an empty
    // body component is refused.
    if !parameters.is_empty() {
        let parameters: Vec<Value> = parameters.iter().map(|p| json!({ "type": "text", "text": p })).collect();
        template["components"] = json!([{ "type": "body", "parameters": parameters }]);
    }
    Ok(json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": digits,
        "type": "template",
        "template": template,
    }))
}

/// The Cloud API's answer to template `template` sent to `to`.
fn classify(status: u16, body: &[u8], to: &str, template: &str) -> Result<Accepted, SendError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if (200..300).contains(&status) {
        let id = json.as_ref().and_then(|j| j["messages"][0]["id"].as_str()).map(str::to_owned);
        return Ok(Accepted { provider_id: id });
    }
    let error = json.as_ref().map(|j| &j["error"]).filter(|e| e.is_object());
    let code = error.and_then(|e| e["code"].as_i64());
    let reason = match error {
        Some(error) => {
            let message = error["message"].as_str().unwrap_or("no message");
            let details = error["error_data"]["details"].as_str().filter(|d| !message.contains(d));
            match (details, code) {
                (Some(details), Some(code)) => format!("{message}: {details} ({code})"),
                (None, Some(code)) => format!("{message} ({code})"),
                (Some(details), None) => format!("{message}: {details}"),
                (None, None) => message.to_owned(),
            }
        }
        None => format!("HTTP {status}: {}", snippet(body, 200)),
    };
    // A code worth retrying, or a status not about this message: anything
    // but a 4xx, or the 4xx of credentials and throttling.
    let transient =
        code.is_some_and(transient_code) || !matches!(status, 400..=499) || matches!(status, 401 | 403 | 408 | 429);
    if transient {
        let what = match (status, code) {
            (401 | 403, _) | (_, Some(10 | 190 | 200..=299)) => "WhatsApp refused the access token",
            (429, _) | (_, Some(4 | 80007 | 130429 | 131048 | 131056)) => "WhatsApp asked to slow down",
            _ => "WhatsApp is unavailable",
        };
        Err(SendError::Transient(format!("{what}: {reason}")))
    } else if code.is_some_and(number_code) {
        Err(SendError::Permanent(format!("WhatsApp refused the number {to}: {reason}")))
    } else {
        Err(SendError::Permanent(format!("WhatsApp refused the template {template:?} to {to}: {reason}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_a_template_with_text_parameters() {
        let body = template_body("+254712345678", "invoice_issued", "en", &["Ana".into(), "KES 1,500".into()])
            .expect("a number");
        assert_eq!(
            body,
            json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "254712345678",
                "type": "template",
                "template": {
                    "name": "invoice_issued",
                    "language": { "code": "en" },
                    "components": [{ "type": "body", "parameters": [
                        { "type": "text", "text": "Ana" },
                        { "type": "text", "text": "KES 1,500" },
                    ]}],
                },
            })
        );
        let bare = template_body("+1555", "hello_world", "en_US", &[]).expect("a number");
        assert!(bare["template"].get("components").is_none());
        assert!(template_body("+254 712", "t", "en", &[]).is_err_and(|e| e.is_permanent()));
        assert!(template_body("+", "t", "en", &[]).is_err());
    }

    #[test]
    fn builds_an_authorized_request_to_the_phone_numbers_messages() {
        let settings = WhatsappSettings {
            base_url: "https://graph.facebook.com/".into(),
            api_version: "v21.0".into(),
            phone_number_id: "1066".into(),
        };
        let client =
            WhatsappClient::new(&settings, Secret::from("EAAG".to_owned()), std::time::Duration::from_secs(30))
                .expect("valid settings");
        let request = client.request("+1555", "hello_world", "en_US", &[]).expect("request");
        assert_eq!(request.uri.to_string(), "https://graph.facebook.com/v21.0/1066/messages");
        assert_eq!(request.headers[AUTHORIZATION], "Bearer EAAG");
        assert!(!format!("{client:?}").contains("EAAG"));
    }

    fn error(code: i64, message: &str, details: &str) -> String {
        format!(
            r#"{{"error":{{"message":"{message}","type":"OAuthException","code":{code},"error_data":{{"messaging_product":"whatsapp","details":"{details}"}},"fbtrace_id":"A1"}}}}"#
        )
    }

    #[test]
    fn classifies_answers() {
        let sent = br#"{"messaging_product":"whatsapp","contacts":[{"input":"1555","wa_id":"1555"}],"messages":[{"id":"wamid.HBg"}]}"#;
        assert_eq!(classify(200, sent, "+1555", "t"), Ok(Accepted { provider_id: Some("wamid.HBg".into()) }));

        let undeliverable = error(131026, "(#131026) Message Undeliverable.", "Message Undeliverable.");
        assert_eq!(
            classify(400, undeliverable.as_bytes(), "+1555", "t"),
            Err(SendError::Permanent(
                "WhatsApp refused the number +1555: (#131026) Message Undeliverable. (131026)".into()
            ))
        );
        for permanent in [100, 131030, 131008, 132000, 132001] {
            let body = error(permanent, "(#x) refused", "why");
            assert!(classify(400, body.as_bytes(), "+1", "t").is_err_and(|e| e.is_permanent()), "{permanent}");
        }
        let template = error(132001, "(#132001) Template name does not exist in the translation", "template x");
        assert!(classify(404, template.as_bytes(), "+1", "x").is_err_and(|e| e.to_string().contains("template \"x\"")));
        for transient in [130429, 131048, 80007, 131000] {
            let body = error(transient, "(#x) slow", "slow");
            assert!(classify(400, body.as_bytes(), "+1", "t").is_err_and(|e| !e.is_permanent()), "{transient}");
        }
        let token = error(190, "Invalid OAuth access token - Cannot parse access token", "");
        assert_eq!(
            classify(401, token.as_bytes(), "+1", "t"),
            Err(SendError::Transient(
                "WhatsApp refused the access token: Invalid OAuth access token - Cannot parse access token (190)"
                    .into()
            ))
        );
        assert!(classify(503, b"Service Unavailable", "+1", "t").is_err_and(|e| !e.is_permanent()));
        assert!(classify(400, b"not json", "+1", "t").is_err_and(|e| e.is_permanent()));
    }
}
