//! The WhatsApp Cloud API's `POST /{version}/{phone_number_id}/messages`:
//! `Authorization: Bearer` with the access token (Graph error `190`
//! otherwise), the phone number id the token's business owns (`100`
//! otherwise), and a template message: `messaging_product` `whatsapp`,
//! `to` in digits, `type` `template`, `template.name`,
//! `template.language.code`, and optional body components of text
//! parameters (`100`, `131008` or `131009` when malformed). 200 with the
//! `wamid`. A rejected number is refused at once with `131026` (the real
//! API reports it later, by webhook).

use hyper::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Core, Parsed, SimProvider};

fn error(status: StatusCode, code: u32, message: &str, details: Option<&str>) -> Answer {
    let mut error =
        json!({ "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "SimGatewayTrace" });
    if let Some(details) = details {
        error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
    }
    Answer::json(status, &json!({ "error": error }))
}

fn invalid(details: &str) -> Answer {
    error(StatusCode::BAD_REQUEST, 100, "(#100) Invalid parameter", Some(details))
}

pub(super) fn handle(incoming: &Parsed, phone: &str, core: &Core) -> Answer {
    let config = &core.config;
    let bearer = format!("Bearer {}", config.whatsapp_token);
    if incoming.request.header("authorization") != Some(bearer.as_str()) {
        return error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token - Cannot parse access token", None);
    }
    if phone != config.whatsapp_phone_number_id {
        let message = format!(
            "Unsupported post request. Object with ID '{phone}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
        );
        return error(StatusCode::BAD_REQUEST, 100, &message, None);
    }
    if incoming.request.method != "POST" {
        return error(StatusCode::BAD_REQUEST, 100, "Unsupported get request.", None);
    }
    let Ok(body) = serde_json::from_slice::<Value>(&incoming.request.body) else {
        return invalid("The request body is not JSON");
    };
    if body["messaging_product"] != "whatsapp" {
        return error(StatusCode::BAD_REQUEST, 100, "(#100) The parameter messaging_product is required.", None);
    }
    let Some(to) = body["to"].as_str().filter(|t| !t.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            131008,
            "(#131008) Required parameter is missing",
            Some("Parameter 'to' is required."),
        );
    };
    if !to.trim_start_matches('+').bytes().all(|b| b.is_ascii_digit()) {
        return error(
            StatusCode::BAD_REQUEST,
            131009,
            "(#131009) Parameter value is not valid",
            Some("'to' is not a phone number"),
        );
    }
    if body["type"] != "template" {
        return invalid("The simulator sends templates only: type must be template");
    }
    let template = &body["template"];
    let (Some(name), Some(language)) = (template["name"].as_str(), template["language"]["code"].as_str()) else {
        return error(
            StatusCode::BAD_REQUEST,
            131008,
            "(#131008) Required parameter is missing",
            Some("template.name and template.language.code are required"),
        );
    };
    let mut parameters = Vec::new();
    if let Some(components) = template.get("components") {
        let Some(components) = components.as_array() else { return invalid("components must be an array") };
        for component in components {
            if component["type"] != "body" {
                return invalid("the simulator knows body components only");
            }
            let Some(items) = component["parameters"].as_array() else { return invalid("parameters must be an array") };
            for item in items {
                match (item["type"].as_str(), item["text"].as_str()) {
                    (Some("text"), Some(text)) => parameters.push(text.to_owned()),
                    _ => return invalid("each parameter must be {\"type\":\"text\",\"text\":...}"),
                }
            }
        }
    }
    if core.rejects(to) {
        return error(
            StatusCode::BAD_REQUEST,
            131026,
            "(#131026) Message Undeliverable.",
            Some("Message Undeliverable."),
        );
    }
    let mut message = incoming.record(SimProvider::Whatsapp, to);
    message.template = Some(name.to_owned());
    message.language = Some(language.to_owned());
    message.parameters = parameters;
    let id = core.accept(message, |n| format!("wamid.SIM{n:016X}"));
    Answer::json(
        StatusCode::OK,
        &json!({
            "messaging_product": "whatsapp",
            "contacts": [{ "input": to, "wa_id": to.trim_start_matches('+') }],
            "messages": [{ "id": id }],
        }),
    )
}
