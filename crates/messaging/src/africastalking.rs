//! Africa's Talking's SMS API: `POST {base}/version1/messaging` with the
//! `apiKey` header, `Accept: application/json` (XML otherwise) and the
//! form fields `username`, `to`, `message` and, when set, `from`. It
//! answers 201 with one status per recipient in
//! `SMSMessageData.Recipients[]` (`statusCode`, `status`, `messageId`), and
//! refused credentials with a bare 401 text.

use bytes::Bytes;
use headend_secrets::Secret;
use hyper::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Uri};
use serde_json::Value;

use crate::http::{HttpRequest, base_url, secret_header, uri};
use crate::{Accepted, SendError, snippet};

const PROVIDER: &str = "Africa's Talking";

/// What every request to the account shares.
#[derive(Debug)]
pub(crate) struct AfricasTalking {
    url: Uri,
    username: String,
    sender_id: Option<String>,
    /// Hidden from `Debug`.
    api_key: HeaderValue,
}

impl AfricasTalking {
    pub(crate) fn new(
        base: &str,
        username: &str,
        sender_id: Option<&str>,
        api_key: &Secret,
    ) -> Result<Self, SendError> {
        let username = username.trim();
        if username.is_empty() {
            return Err(SendError::Transient("Africa's Talking's username is not set".to_owned()));
        }
        Ok(Self {
            url: uri(&format!("{}/version1/messaging", base_url(base, PROVIDER)?), PROVIDER)?,
            username: username.to_owned(),
            sender_id: sender_id.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
            api_key: secret_header(api_key.expose(), "Africa's Talking API key")?,
        })
    }

    pub(crate) fn request(&self, to: &str, text: &str) -> HttpRequest {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("username", &self.username).append_pair("to", to).append_pair("message", text);
        if let Some(from) = &self.sender_id {
            form.append_pair("from", from);
        }
        let mut headers = HeaderMap::new();
        headers.insert(HeaderName::from_static("apikey"), self.api_key.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
        HttpRequest { method: Method::POST, uri: self.url.clone(), headers, body: Bytes::from(form.finish()) }
    }
}

/// What a recipient's `statusCode` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    /// Worth trying again: low balance (405), the gateway's own failures
    /// (500, 501, 502).
    Retry,
    Refused,
}

fn outcome(status_code: i64) -> Outcome {
    match status_code {
        100..=102 => Outcome::Sent,
        405 | 500..=502 => Outcome::Retry,
        // RiskHold, InvalidSenderId, InvalidPhoneNumber,
        // UnsupportedNumberType, UserInBlacklist, CouldNotRoute,
        // DoNotDisturbRejection, and any other refusal.
        _ => Outcome::Refused,
    }
}

/// Africa's Talking's answer to a message to `to`.
pub(crate) fn classify(status: u16, body: &[u8], to: &str) -> Result<Accepted, SendError> {
    match status {
        200..=299 => {}
        401 | 403 => {
            return Err(SendError::Transient(format!(
                "Africa's Talking refused the username or API key: {}",
                snippet(body, 200)
            )));
        }
        408 | 429 => {
            return Err(SendError::Transient(format!("Africa's Talking asked to slow down: {}", snippet(body, 200))));
        }
        400..=499 => {
            return Err(SendError::Permanent(format!(
                "Africa's Talking refused the message to {to}: {}",
                snippet(body, 200)
            )));
        }
        _ => {
            return Err(SendError::Transient(format!(
                "Africa's Talking is unavailable: HTTP {status}: {}",
                snippet(body, 200)
            )));
        }
    }
    let json: Value = serde_json::from_slice(body).map_err(|_| {
        // Accepted, but the answer is not the one documented: sending again
        // could send twice.
        SendError::Permanent(format!("Africa's Talking answered something unexpected: {}", snippet(body, 200)))
    })?;
    let data = &json["SMSMessageData"];
    let Some(recipient) = data["Recipients"].as_array().and_then(|r| r.first()) else {
        // No recipient at all: the whole request was refused (an invalid
        // sender id, a blacklisted account), said in `Message`.
        let why = data["Message"].as_str().unwrap_or("no recipient in the answer");
        return Err(SendError::Permanent(format!("Africa's Talking sent nothing to {to}: {why}")));
    };
    let code = recipient["statusCode"].as_i64().unwrap_or(0);
    let why = format!("{} ({code})", recipient["status"].as_str().unwrap_or("no status"));
    match outcome(code) {
        Outcome::Sent => Ok(Accepted { provider_id: recipient["messageId"].as_str().map(str::to_owned) }),
        Outcome::Retry => Err(SendError::Transient(format!("Africa's Talking could not send to {to} now: {why}"))),
        Outcome::Refused => Err(SendError::Permanent(format!("Africa's Talking refused the number {to}: {why}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_form_with_the_api_key() {
        let at = AfricasTalking::new(
            "https://api.africastalking.com",
            "fibra",
            Some("FIBRA"),
            &Secret::from("k1".to_owned()),
        )
        .expect("valid settings");
        let request = at.request("+254711000000", "Hi Ana");
        assert_eq!(request.uri.to_string(), "https://api.africastalking.com/version1/messaging");
        assert_eq!(request.headers["apiKey"], "k1");
        assert_eq!(request.headers[ACCEPT], "application/json");
        assert_eq!(request.body, "username=fibra&to=%2B254711000000&message=Hi+Ana&from=FIBRA".as_bytes());
        assert!(!format!("{at:?}").contains("k1"));

        let no_sender = AfricasTalking::new("https://x.example", "u", Some(" "), &Secret::from("k".to_owned()))
            .expect("valid settings");
        assert!(!String::from_utf8_lossy(&no_sender.request("+1", "t").body).contains("from="));
    }

    fn answer(code: i64, status: &str) -> String {
        format!(
            r#"{{"SMSMessageData":{{"Message":"Sent to 1/1","Recipients":[{{"statusCode":{code},"number":"+254711000000","status":"{status}","cost":"KES 0.8000","messageId":"ATXid_1"}}]}}}}"#
        )
    }

    #[test]
    fn classifies_each_recipient_status() {
        for ok in [100, 101, 102] {
            assert_eq!(
                classify(201, answer(ok, "Success").as_bytes(), "+2547"),
                Ok(Accepted { provider_id: Some("ATXid_1".into()) })
            );
        }
        for refused in [401, 402, 403, 404, 406, 407] {
            assert!(
                classify(201, answer(refused, "X").as_bytes(), "+2547").is_err_and(|e| e.is_permanent()),
                "{refused}"
            );
        }
        for retry in [405, 500, 501, 502] {
            assert!(classify(201, answer(retry, "X").as_bytes(), "+2547").is_err_and(|e| !e.is_permanent()), "{retry}");
        }
        assert_eq!(
            classify(201, answer(403, "InvalidPhoneNumber").as_bytes(), "+2547"),
            Err(SendError::Permanent("Africa's Talking refused the number +2547: InvalidPhoneNumber (403)".into()))
        );
        let none = br#"{"SMSMessageData":{"Message":"InvalidSenderId","Recipients":[]}}"#;
        assert!(
            classify(201, none, "+1").is_err_and(|e| e.is_permanent() && e.to_string().contains("InvalidSenderId"))
        );
    }

    #[test]
    fn classifies_http_failures() {
        assert!(classify(401, b"The supplied authentication is invalid", "+1").is_err_and(|e| !e.is_permanent()));
        assert!(classify(400, b"Invalid request", "+1").is_err_and(|e| e.is_permanent()));
        assert!(classify(502, b"", "+1").is_err_and(|e| !e.is_permanent()));
    }
}
