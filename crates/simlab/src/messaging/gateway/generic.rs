//! A generic gateway at `/generic/send`: `GET` with query fields, or
//! `POST` with a form or a JSON object; fields `to` and `text`; the key
//! in a `key` field, the `X-Api-Key` header or `Authorization: Bearer`
//! (`401 {"error": …}` otherwise). `400` for a missing field or a
//! malformed or rejected number; 200 `{"id", "status": "queued"}`.

use hyper::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Core, Parsed, SimProvider, field, is_e164};

fn failure(status: StatusCode, message: &str) -> Answer {
    Answer::json(status, &json!({ "error": message }))
}

pub(super) fn handle(incoming: &Parsed, core: &Core) -> Answer {
    let request = &incoming.request;
    let mut fields = incoming.query_pairs();
    match request.method.as_str() {
        "GET" => {}
        "POST" if incoming.content_type_is("application/json") => {
            let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&request.body) else {
                return failure(StatusCode::BAD_REQUEST, "the body is not a JSON object");
            };
            for (key, value) in object {
                if let Some(text) = value.as_str() {
                    fields.push((key, text.to_owned()));
                }
            }
        }
        "POST" => fields.extend(incoming.form()),
        _ => return failure(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST"),
    }
    let secret = core.config.generic_secret.as_str();
    let bearer = format!("Bearer {secret}");
    let authorized = field(&fields, "key") == Some(secret)
        || request.header("x-api-key") == Some(secret)
        || request.header("authorization") == Some(bearer.as_str());
    if !authorized {
        return failure(StatusCode::UNAUTHORIZED, "invalid key");
    }
    let (Some(to), Some(text)) = (field(&fields, "to"), field(&fields, "text")) else {
        return failure(StatusCode::BAD_REQUEST, "to and text are required");
    };
    if !is_e164(to) || core.rejects(to) {
        return failure(StatusCode::BAD_REQUEST, &format!("invalid destination number {to}"));
    }
    let mut message = incoming.record(SimProvider::Generic, to);
    message.text = Some(text.to_owned());
    let id = core.accept(message, |n| format!("gw-{n}"));
    Answer::json(StatusCode::OK, &json!({ "id": id, "status": "queued" }))
}
