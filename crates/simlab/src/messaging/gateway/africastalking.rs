//! Africa's Talking's `POST /version1/messaging`: the `apiKey` header and
//! the `username` field must match (a bare `401` text otherwise), `Accept:
//! application/json` (the real one answers XML without it; the simulator
//! answers `406`), form fields `username`, `to` (comma-separated),
//! `message` and optional `from`. 201 with one status per recipient:
//! `101 Success`, or `403 InvalidPhoneNumber` for a malformed or rejected
//! number.

use hyper::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Core, Parsed, SimProvider, field, is_e164};

pub(super) fn handle(incoming: &Parsed, core: &Core) -> Answer {
    let config = &core.config;
    if incoming.request.method != "POST" {
        return Answer::text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let form = if incoming.content_type_is("application/x-www-form-urlencoded") { incoming.form() } else { Vec::new() };
    let key_ok = incoming.request.header("apikey") == Some(config.at_api_key.as_str());
    if !key_ok || field(&form, "username").is_some_and(|u| u != config.at_username) {
        return Answer::text(StatusCode::UNAUTHORIZED, "The supplied authentication is invalid");
    }
    if !incoming.request.header("accept").is_some_and(|a| a.contains("application/json")) {
        return Answer::text(
            StatusCode::NOT_ACCEPTABLE,
            "The simulator answers JSON only: send Accept: application/json",
        );
    }
    for required in ["username", "to", "message"] {
        if field(&form, required).is_none_or(str::is_empty) {
            return Answer::text(
                StatusCode::BAD_REQUEST,
                &format!("Request is missing required form field '{required}'"),
            );
        }
    }
    let (Some(to), Some(text)) = (field(&form, "to"), field(&form, "message")) else {
        return Answer::text(StatusCode::BAD_REQUEST, "Request is missing required form field 'to'");
    };
    let from = field(&form, "from").map(str::to_owned);
    let mut recipients = Vec::new();
    let mut sent = 0;
    for number in to.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !is_e164(number) || core.rejects(number) {
            recipients.push(json!({
                "statusCode": 403, "number": number, "status": "InvalidPhoneNumber", "cost": "0", "messageId": "None",
            }));
            continue;
        }
        let mut message = incoming.record(SimProvider::AfricasTalking, number);
        message.from.clone_from(&from);
        message.text = Some(text.to_owned());
        let id = core.accept(message, |n| format!("ATXid_sim{n}"));
        sent += 1;
        recipients.push(json!({
            "statusCode": 101, "number": number, "status": "Success", "cost": "KES 0.8000", "messageId": id,
        }));
    }
    let total = recipients.len();
    let summary = format!("Sent to {sent}/{total} Total Cost: KES {:.4}", f64::from(sent) * 0.8);
    Answer::json(
        StatusCode::CREATED,
        &json!({ "SMSMessageData": { "Message": summary, "Recipients": Value::from(recipients) } }),
    )
}
