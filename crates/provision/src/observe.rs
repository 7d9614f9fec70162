//! Reading a router's state in the menus Headend manages: one print per
//! menu, all sent at once (tagged on one connection, so a router 20 ms
//! away answers all of them in about one round trip).

use std::net::IpAddr;

use headend_core::provision::Password;
use headend_core::provision::observed::{
    ObservedAddress, ObservedProfile, ObservedQueue, ObservedRouter, ObservedSecret, ObservedSession,
};
use headend_core::provision::policy::{ALLOWED_LIST, SUSPENDED_LIST};
use headend_routeros::Value;
use headend_routeros::client::ClientError;
use headend_routeros::ops::RouterApi;

/// Router text as Rust text: UTF-8 when it is, else cp1252 (what Winbox
/// writes on most routers).
fn text(value: &Value) -> String {
    value.to_string_lossy_cp1252().into_owned()
}

fn opt_text(value: Option<&Value>) -> Option<String> {
    value.map(text)
}

/// Reads everything the reconciler compares. Queues are read only when
/// static-IP services get them.
pub async fn observe(api: &impl RouterApi, with_queues: bool) -> Result<ObservedRouter, ClientError> {
    let queues = async { if with_queues { api.simple_queues().await.map(Some) } else { Ok(None) } };
    let lists = [Value::from(ALLOWED_LIST), Value::from(SUSPENDED_LIST)];
    let (profiles, secrets, active, addresses, queues) =
        tokio::join!(api.ppp_profiles(), api.ppp_secrets(), api.ppp_active(), api.address_list(&lists), queues,);
    Ok(ObservedRouter {
        profiles: profiles?
            .into_iter()
            .map(|p| ObservedProfile {
                id: text(p.id.as_value()),
                name: text(&p.name),
                rate_limit: opt_text(p.rate_limit.as_ref()),
                session_timeout: p.session_timeout.and_then(|d| u32::try_from(d.as_secs()).ok()),
                idle_timeout: p.idle_timeout.and_then(|d| u32::try_from(d.as_secs()).ok()),
                remote_address: opt_text(p.remote_address.as_ref()),
                comment: opt_text(p.comment.as_ref()),
            })
            .collect(),
        secrets: secrets?
            .into_iter()
            .map(|s| ObservedSecret {
                id: text(s.id.as_value()),
                name: text(&s.name),
                password: s.password.map(|p| Password::new(text(p.expose()))),
                profile: text(&s.profile),
                remote_address: opt_text(s.remote_address.as_ref()),
                disabled: s.disabled,
                comment: opt_text(s.comment.as_ref()),
            })
            .collect(),
        sessions: active?
            .into_iter()
            .map(|a| ObservedSession {
                id: text(a.id.as_value()),
                name: text(&a.name),
                address: a.address.as_ref().and_then(|v| v.to_str()).and_then(|s| s.parse::<IpAddr>().ok()),
            })
            .collect(),
        addresses: addresses?
            .into_iter()
            .map(|e| ObservedAddress {
                id: text(e.id.as_value()),
                list: text(&e.list),
                address: text(&e.address),
                dynamic: e.dynamic,
                comment: opt_text(e.comment.as_ref()),
            })
            .collect(),
        queues: queues?
            .unwrap_or_default()
            .into_iter()
            .map(|q| ObservedQueue {
                id: text(q.id.as_value()),
                name: text(&q.name),
                target: text(&q.target),
                max_limit: opt_text(q.max_limit.as_ref()),
                comment: opt_text(q.comment.as_ref()),
            })
            .collect(),
    })
}
