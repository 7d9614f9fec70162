//! The REST API's wire format: JSON objects of strings to and from
//! [`Attributes`], RouterOS's error objects to [`ClientError`], Basic
//! authorization and path segments.
//!
//! RouterOS sends every value as a JSON string (`"true"`, `"1500"`,
//! `"10M/20M"`); numbers and booleans are accepted here too and kept as
//! their text. JSON carries text, not bytes: a body that is not UTF-8 (a
//! router whose names are Windows-1252) is read as Windows-1252, and a
//! [`Value`] that is not UTF-8 is sent as its Windows-1252 reading. Byte
//! exact round trips of such text need the binary API.

use std::borrow::Cow;

use serde_json::{Map, Value as Json};

use crate::client::ClientError;
use crate::{Attributes, Command, Value};

/// The body's JSON: UTF-8, or else read as Windows-1252. An empty body is
/// `None`.
pub(crate) fn parse(body: &[u8]) -> Result<Option<Json>, ClientError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let text = match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(body.iter().copied().map(crate::cp1252_char).collect()),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| ClientError::UnexpectedReply(format!("an answer that is not JSON: {e}")))
}

/// A JSON value as RouterOS text; `None` for `null`.
fn text(value: &Json) -> Option<String> {
    match value {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        // Not something RouterOS sends in an item; kept as JSON text.
        Json::Array(_) | Json::Object(_) => Some(value.to_string()),
    }
}

/// One item.
pub(crate) fn attributes(object: &Map<String, Json>) -> Attributes {
    object.iter().filter_map(|(name, value)| Some((name.as_str(), text(value)?))).collect()
}

/// The items of a list (an array of objects) or the one item of an object.
pub(crate) fn items(json: Option<&Json>) -> Result<Vec<Attributes>, ClientError> {
    match json {
        None => Ok(Vec::new()),
        Some(Json::Object(object)) => Ok(vec![attributes(object)]),
        Some(Json::Array(list)) => list
            .iter()
            .map(|item| match item {
                Json::Object(object) => Ok(attributes(object)),
                _ => Err(ClientError::UnexpectedReply("a list entry that is not an object".into())),
            })
            .collect(),
        Some(_) => Err(ClientError::UnexpectedReply("an answer that is neither an object nor a list".into())),
    }
}

/// `{"ret": "..."}`, the answer of a command such as `add` or a
/// `count-only` print.
pub(crate) fn ret(json: Option<&Json>) -> Option<Value> {
    match json {
        Some(Json::Object(object)) if object.len() == 1 => object.get("ret").and_then(text).map(Value::from),
        _ => None,
    }
}

fn string(value: &Value) -> Json {
    Json::String(value.to_string_lossy_cp1252().into_owned())
}

/// An item's properties as a JSON object of strings.
pub(crate) fn object(attrs: &Attributes) -> Map<String, Json> {
    attrs.iter().map(|(name, value)| (name.to_string_lossy_cp1252().into_owned(), string(value))).collect()
}

/// The body of `POST /rest/<command>`: the attributes, `.proplist` and
/// `.query` (the API's query words without their `?`).
pub(crate) fn command_body(command: &Command) -> Result<Map<String, Json>, ClientError> {
    let mut body = object(command.attributes());
    if let Some(props) = command.props() {
        body.insert(".proplist".into(), Json::Array(props.iter().map(string).collect()));
    }
    if !command.queries().is_empty() {
        let words = command
            .queries()
            .iter()
            .map(|query| {
                let word = query.to_word().map_err(ClientError::Encode)?;
                let bytes = word.as_bytes();
                let text = bytes.strip_prefix(b"?").unwrap_or(bytes);
                Ok(string(&Value::from(text)))
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        body.insert(".query".into(), Json::Array(words));
    }
    Ok(body)
}

/// The JSON bytes of an object.
pub(crate) fn to_bytes(object: Map<String, Json>) -> Vec<u8> {
    Json::Object(object).to_string().into_bytes()
}

/// A RouterOS error answer, `{"error": 400, "message": "Bad Request",
/// "detail": "..."}`.
#[derive(Debug, Default, PartialEq, Eq)]
struct ErrorBody {
    message: Option<String>,
    detail: Option<String>,
}

fn error_body(body: &[u8]) -> Option<ErrorBody> {
    let json = parse(body).ok()??;
    let object = json.as_object()?;
    object.contains_key("error").then(|| ErrorBody {
        message: object.get("message").and_then(text),
        detail: object.get("detail").and_then(text),
    })
}

/// The error for a non-success answer, shaped like the binary API's
/// where RouterOS means the same thing:
///
/// - `401`: [`ClientError::LoginFailed`];
/// - `400` from RouterOS (a refused command: a duplicate, an unknown
///   parameter, `no such command prefix`): [`ClientError::Trap`] with the
///   detail as its message, as `!trap =message=` would carry it;
/// - `404` from RouterOS (no item with that id): [`ClientError::Trap`]
///   `no such item`, what the binary API traps with;
/// - anything else (a `5xx`, a `404` without RouterOS's JSON: no REST on
///   that port): [`ClientError::Http`].
pub(crate) fn error(status: u16, reason: &str, body: &[u8]) -> ClientError {
    let routeros = error_body(body);
    match (status, routeros) {
        (401, found) => {
            let found = found.unwrap_or_default();
            let message = match (found.message, found.detail) {
                (Some(m), Some(d)) => format!("{m}: {d}"),
                (Some(m), None) => m,
                (None, Some(d)) => d,
                (None, None) => reason.to_owned(),
            };
            ClientError::LoginFailed { message }
        }
        (400, Some(found)) => ClientError::Trap {
            category: None,
            message: Value::from(found.detail.or(found.message).unwrap_or_else(|| reason.to_owned())),
        },
        (404, Some(found)) => ClientError::Trap {
            category: None,
            message: Value::from(found.detail.unwrap_or_else(|| "no such item".to_owned())),
        },
        (_, found) => {
            let found = found.unwrap_or_default();
            ClientError::Http {
                status,
                message: found.message.unwrap_or_else(|| reason.to_owned()),
                detail: found.detail,
            }
        }
    }
}

/// `Basic <base64(user:password)>`, the value of the `Authorization`
/// header.
#[must_use]
pub fn basic_authorization(username: &[u8], password: &[u8]) -> String {
    let mut plain = Vec::with_capacity(username.len() + password.len() + 1);
    plain.extend_from_slice(username);
    plain.push(b':');
    plain.extend_from_slice(password);
    format!("Basic {}", base64(&plain))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let symbol = |n: u32| char::from(ALPHABET[(n & 63) as usize]);
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(symbol(n >> 18));
        out.push(symbol(n >> 12));
        out.push(if chunk.len() > 1 { symbol(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { symbol(n) } else { '=' });
    }
    out
}

/// A path segment: unreserved characters and `*` (RouterOS ids, `*1A`)
/// as they are, everything else percent-encoded.
pub(crate) fn segment(value: &Value) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'*') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(basic_authorization(b"admin", b""), "Basic YWRtaW46", "the default admin with no password");
    }

    #[test]
    fn values_are_strings_and_others_are_kept_as_text() {
        let json = parse(br#"[{".id":"*1","mtu":1500,"running":true,"comment":null}]"#).unwrap();
        let list = items(json.as_ref()).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].get_str("mtu"), Some("1500"));
        assert_eq!(list[0].get_str("running"), Some("true"));
        assert!(!list[0].contains("comment"));
        let one = parse(br#"{"name":"MikroTik"}"#).unwrap();
        assert_eq!(items(one.as_ref()).unwrap()[0].get_str("name"), Some("MikroTik"));
        assert!(items(parse(b"").unwrap().as_ref()).unwrap().is_empty());
        assert!(items(parse(b"[1]").unwrap().as_ref()).is_err());
        assert!(parse(b"<html>").is_err());
    }

    #[test]
    fn windows_1252_bodies_are_read_as_such() {
        let json = parse(b"[{\"name\":\"Jos\xe9\"}]").unwrap();
        assert_eq!(items(json.as_ref()).unwrap()[0].get_str("name"), Some("José"));
    }

    #[test]
    fn ret_only_from_a_lone_ret() {
        let json = parse(br#"{"ret":"*5"}"#).unwrap();
        assert_eq!(ret(json.as_ref()), Some(Value::from("*5")));
        let json = parse(br#"{"ret":"*5","name":"x"}"#).unwrap();
        assert_eq!(ret(json.as_ref()), None);
    }

    #[test]
    fn command_bodies_carry_proplist_and_queries() {
        let command = Command::new("/interface/print")
            .proplist(["name", "type"])
            .query_eq("type", "ether")
            .query_eq("type", "vlan")
            .query_ops("|")
            .attr("detail", "");
        let body = Json::Object(command_body(&command).unwrap());
        assert_eq!(
            body,
            serde_json::json!({
                "detail": "",
                ".proplist": ["name", "type"],
                ".query": ["type=ether", "type=vlan", "#|"],
            })
        );
    }

    #[test]
    fn errors_map_like_the_binary_api() {
        let dup =
            br#"{"error":400,"message":"Bad Request","detail":"failure: secret with the same name already exists"}"#;
        match error(400, "Bad Request", dup) {
            ClientError::Trap { category, message } => {
                assert_eq!(category, None);
                assert_eq!(message, "failure: secret with the same name already exists");
            }
            other => panic!("{other:?}"),
        }
        let missing = br#"{"error":404,"message":"Not Found"}"#;
        assert_eq!(error(404, "Not Found", missing).trap_message(), Some(&Value::from("no such item")));
        assert!(matches!(
            error(401, "Unauthorized", br#"{"error":401,"message":"Unauthorized"}"#),
            ClientError::LoginFailed { message } if message == "Unauthorized"
        ));
        assert!(matches!(error(404, "Not Found", b"<html>not here</html>"), ClientError::Http { status: 404, .. }));
        let err =
            error(500, "Internal Server Error", br#"{"error":500,"message":"Internal Server Error","detail":"oops"}"#);
        assert!(err.is_transient());
        assert_eq!(err.to_string(), "HTTP 500 from the router: Internal Server Error (oops)");
    }

    #[test]
    fn segments_keep_ids_and_escape_the_rest() {
        assert_eq!(segment(&Value::from("*1A")), "*1A");
        assert_eq!(segment(&Value::from("a b/c")), "a%20b%2Fc");
        assert_eq!(segment(&Value::from(&b"\xe9"[..])), "%E9");
    }
}
