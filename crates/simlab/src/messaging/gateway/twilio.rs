//! Twilio's `POST /2010-04-01/Accounts/{sid}/Messages.json`: basic
//! authentication with the account SID and auth token, form fields `To`,
//! `From`, `Body`; 201 with the message resource, or Twilio's error JSON
//! (`20003` refused credentials, `20404` another account, `21602`–`21604`
//! a missing field, `21211` an invalid or rejected number).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hyper::StatusCode;
use serde_json::json;

use super::{Answer, Core, Parsed, SimProvider, field, is_e164};

fn error(status: StatusCode, code: u32, message: &str) -> Answer {
    Answer::json(
        status,
        &json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status.as_u16(),
        }),
    )
}

pub(super) fn handle(incoming: &Parsed, sid: &str, core: &Core) -> Answer {
    let config = &core.config;
    let expected =
        format!("Basic {}", STANDARD.encode(format!("{}:{}", config.twilio_account_sid, config.twilio_auth_token)));
    if incoming.request.header("authorization") != Some(expected.as_str()) {
        return error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    if sid != config.twilio_account_sid {
        let path = &incoming.path;
        return error(StatusCode::NOT_FOUND, 20404, &format!("The requested resource {path} was not found"));
    }
    if incoming.request.method != "POST" {
        return error(StatusCode::METHOD_NOT_ALLOWED, 20004, "Method not allowed");
    }
    let form = if incoming.content_type_is("application/x-www-form-urlencoded") { incoming.form() } else { Vec::new() };
    let (Some(to), Some(from), Some(body)) = (field(&form, "To"), field(&form, "From"), field(&form, "Body")) else {
        return match (field(&form, "To"), field(&form, "From")) {
            (None, _) => error(StatusCode::BAD_REQUEST, 21604, "A 'To' phone number is required."),
            (_, None) => error(StatusCode::BAD_REQUEST, 21603, "A 'From' phone number is required."),
            _ => error(StatusCode::BAD_REQUEST, 21602, "Message body is required."),
        };
    };
    if !is_e164(to) || core.rejects(to) {
        return error(StatusCode::BAD_REQUEST, 21211, &format!("The 'To' number {to} is not a valid phone number."));
    }
    let mut message = incoming.record(SimProvider::Twilio, to);
    message.from = Some(from.to_owned());
    message.text = Some(body.to_owned());
    let sid = core.accept(message, |n| format!("SM{n:032x}"));
    Answer::json(
        StatusCode::CREATED,
        &json!({
            "sid": sid,
            "account_sid": config.twilio_account_sid,
            "to": to,
            "from": from,
            "body": body,
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": null,
            "error_message": null,
            "uri": format!("/2010-04-01/Accounts/{}/Messages/{sid}.json", config.twilio_account_sid),
        }),
    )
}
