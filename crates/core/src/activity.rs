//! The activity log: who or what did what, to which object, and why.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use crate::{CustomerId, OltId, PlanId, PopId, RouterId, ServiceId};

/// Who caused an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The operator, from the desktop app.
    Operator,
    /// The operator, from the `headend` command line.
    Cli,
    /// The provisioning engine, on a sweep or a retry.
    Engine,
}

impl Actor {
    pub fn as_str(&self) -> &'static str {
        match self {
            Actor::Operator => "operator",
            Actor::Cli => "cli",
            Actor::Engine => "engine",
        }
    }

    pub fn parse(s: &str) -> Option<Actor> {
        [Actor::Operator, Actor::Cli, Actor::Engine].into_iter().find(|a| a.as_str() == s)
    }
}

/// What an entry is about, so the log can be filtered per object. Its text
/// (`service:42`, `router:3`, `policy`) is what the database stores and the
/// activity page filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Service(ServiceId),
    Router(RouterId),
    Plan(PlanId),
    Customer(CustomerId),
    Olt(OltId),
    /// A point of presence (a site routers and OLTs stand in).
    Pop(PopId),
    /// The ISP's provisioning policy.
    Policy,
    /// The OLT signal sweep's settings.
    OltSettings,
    /// Every router at once ("Sweep now").
    Routers,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Service(id) => write!(f, "service:{id}"),
            Subject::Router(id) => write!(f, "router:{id}"),
            Subject::Plan(id) => write!(f, "plan:{id}"),
            Subject::Customer(id) => write!(f, "customer:{id}"),
            Subject::Olt(id) => write!(f, "olt:{id}"),
            Subject::Pop(id) => write!(f, "pop:{id}"),
            Subject::Policy => f.write_str("policy"),
            Subject::OltSettings => f.write_str("olt-settings"),
            Subject::Routers => f.write_str("routers"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown subject {0:?}: use service:<id>, router:<id>, plan:<id>, customer:<id>, olt:<id>, policy, olt-settings or routers"
)]
pub struct UnknownSubject(pub String);

/// Accepts exactly the text [`Subject`]'s `Display` writes (`service:042`
/// is not `service:42`), so a filter matches what the log stores.
impl FromStr for Subject {
    type Err = UnknownSubject;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownSubject(s.to_owned());
        let subject = match s.split_once(':') {
            None => match s {
                "policy" => Subject::Policy,
                "olt-settings" => Subject::OltSettings,
                "routers" => Subject::Routers,
                _ => return Err(unknown()),
            },
            Some((kind, id)) => {
                let id: i64 = id.parse().map_err(|_| unknown())?;
                match kind {
                    "service" => Subject::Service(ServiceId(id)),
                    "router" => Subject::Router(RouterId(id)),
                    "plan" => Subject::Plan(PlanId(id)),
                    "customer" => Subject::Customer(CustomerId(id)),
                    "olt" => Subject::Olt(OltId(id)),
                    "pop" => Subject::Pop(PopId(id)),
                    _ => return Err(unknown()),
                }
            }
        };
        if subject.to_string() == s { Ok(subject) } else { Err(unknown()) }
    }
}

/// One line of the activity log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEntry {
    pub at: Timestamp,
    pub actor: Actor,
    pub subject: Subject,
    pub action: String,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_read_back_as_the_log_stores_them() {
        let all = [
            (Subject::Service(ServiceId(42)), "service:42"),
            (Subject::Router(RouterId(3)), "router:3"),
            (Subject::Plan(PlanId(7)), "plan:7"),
            (Subject::Customer(CustomerId(9)), "customer:9"),
            (Subject::Olt(OltId(1)), "olt:1"),
            (Subject::Pop(PopId(2)), "pop:2"),
            (Subject::Policy, "policy"),
            (Subject::OltSettings, "olt-settings"),
            (Subject::Routers, "routers"),
        ];
        for (subject, text) in all {
            assert_eq!(subject.to_string(), text);
            assert_eq!(text.parse::<Subject>(), Ok(subject));
        }
    }

    #[test]
    fn only_the_exact_text_is_a_subject() {
        for text in
            ["", "service", "service:", "service:x", "service:042", "service:+4", "site:1", "Policy", "router:1:2"]
        {
            assert_eq!(text.parse::<Subject>(), Err(UnknownSubject(text.to_owned())), "{text:?}");
        }
    }
}
