//! Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`
//! with HTTP basic authentication (account SID, auth token) and the form
//! fields `To`, `From` and `Body`. It answers 201 with the message's `sid`,
//! or an error `{"code", "message", "more_info", "status"}`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use headend_secrets::Secret;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::{Method, Uri};

use crate::http::{HttpRequest, base_url, encode_component, secret_header, uri};
use crate::{Accepted, SendError, snippet};

const PROVIDER: &str = "Twilio";

/// Twilio error codes about the recipient's number rather than the
/// message: invalid number, unsubscribed (STOP), not a mobile number.
const NUMBER_ERRORS: [i64; 3] = [21211, 21610, 21614];

/// What every request to the account shares.
#[derive(Debug)]
pub(crate) struct Twilio {
    url: Uri,
    from: String,
    /// `Basic base64(sid:token)`, hidden from `Debug`.
    authorization: HeaderValue,
}

impl Twilio {
    pub(crate) fn new(base: &str, account_sid: &str, from: &str, token: &Secret) -> Result<Self, SendError> {
        let sid = account_sid.trim();
        if sid.is_empty() {
            return Err(SendError::Transient("Twilio's account SID is not set".to_owned()));
        }
        if from.trim().is_empty() {
            return Err(SendError::Transient("Twilio's sender number (From) is not set".to_owned()));
        }
        let url = uri(
            &format!("{}/2010-04-01/Accounts/{}/Messages.json", base_url(base, PROVIDER)?, encode_component(sid)),
            PROVIDER,
        )?;
        let credentials = STANDARD.encode(format!("{sid}:{}", token.expose()));
        let authorization = secret_header(&format!("Basic {credentials}"), "Twilio auth token")?;
        Ok(Self { url, from: from.trim().to_owned(), authorization })
    }

    pub(crate) fn request(&self, to: &str, text: &str) -> HttpRequest {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("To", to)
            .append_pair("From", &self.from)
            .append_pair("Body", text)
            .finish();
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        HttpRequest { method: Method::POST, uri: self.url.clone(), headers, body: Bytes::from(body) }
    }
}

/// Twilio's answer to a message to `to`.
pub(crate) fn classify(status: u16, body: &[u8], to: &str) -> Result<Accepted, SendError> {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    if (200..300).contains(&status) {
        let sid = json.as_ref().and_then(|j| j.get("sid")).and_then(|s| s.as_str()).map(str::to_owned);
        return Ok(Accepted { provider_id: sid });
    }
    let code = json.as_ref().and_then(|j| j.get("code")).and_then(serde_json::Value::as_i64);
    let message = json.as_ref().and_then(|j| j.get("message")).and_then(|m| m.as_str());
    let reason = match (message, code) {
        (Some(message), Some(code)) => format!("{message} ({code})"),
        (Some(message), None) => message.to_owned(),
        _ => format!("HTTP {status}: {}", snippet(body, 200)),
    };
    match status {
        401 | 403 => Err(SendError::Transient(format!("Twilio refused the account SID or auth token: {reason}"))),
        408 | 429 => Err(SendError::Transient(format!("Twilio asked to slow down: {reason}"))),
        400..=499 if code.is_some_and(|c| NUMBER_ERRORS.contains(&c)) => {
            Err(SendError::Permanent(format!("Twilio refused the number {to}: {reason}")))
        }
        400..=499 => Err(SendError::Permanent(format!("Twilio refused the message to {to}: {reason}"))),
        _ => Err(SendError::Transient(format!("Twilio is unavailable: {reason}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twilio() -> Twilio {
        Twilio::new("https://api.twilio.com/", "AC123", "+15005550006", &Secret::from("tok".to_owned()))
            .expect("valid settings")
    }

    #[test]
    fn builds_the_form_with_basic_authentication() {
        let request = twilio().request("+254712345678", "Paid: KES 1,500 & thanks");
        assert_eq!(request.method, Method::POST);
        assert_eq!(request.uri.to_string(), "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json");
        assert_eq!(request.headers[AUTHORIZATION], "Basic QUMxMjM6dG9r");
        assert_eq!(request.headers[CONTENT_TYPE], "application/x-www-form-urlencoded");
        assert_eq!(
            request.body,
            "To=%2B254712345678&From=%2B15005550006&Body=Paid%3A+KES+1%2C500+%26+thanks".as_bytes()
        );
    }

    #[test]
    fn debug_hides_the_token() {
        let printed = format!("{:?}", twilio());
        assert!(!printed.contains("QUMxMjM6dG9r"), "{printed}");
    }

    #[test]
    fn settings_must_be_complete() {
        let token = Secret::from("t".to_owned());
        assert!(Twilio::new("https://api.twilio.com", " ", "+1", &token).is_err());
        assert!(Twilio::new("https://api.twilio.com", "AC1", "", &token).is_err());
        assert!(Twilio::new("api.twilio.com", "AC1", "+1", &token).is_err());
    }

    #[test]
    fn classifies_answers() {
        let created = br#"{"sid":"SM0123","status":"queued"}"#;
        assert_eq!(classify(201, created, "+1"), Ok(Accepted { provider_id: Some("SM0123".into()) }));

        let invalid = br#"{"code":21211,"message":"The 'To' number is not a valid phone number","status":400}"#;
        assert_eq!(
            classify(400, invalid, "+2547"),
            Err(SendError::Permanent(
                "Twilio refused the number +2547: The 'To' number is not a valid phone number (21211)".into()
            ))
        );
        let other = br#"{"code":21602,"message":"Message body is required.","status":400}"#;
        assert!(classify(400, other, "+1").is_err_and(|e| e.is_permanent()));

        let auth = br#"{"code":20003,"message":"Authenticate","status":401}"#;
        assert_eq!(
            classify(401, auth, "+1"),
            Err(SendError::Transient("Twilio refused the account SID or auth token: Authenticate (20003)".into()))
        );
        assert!(
            classify(429, br#"{"code":20429,"message":"Too Many Requests"}"#, "+1").is_err_and(|e| !e.is_permanent())
        );
        assert_eq!(
            classify(503, b"<html>down</html>", "+1"),
            Err(SendError::Transient("Twilio is unavailable: HTTP 503: <html>down</html>".into()))
        );
    }
}
