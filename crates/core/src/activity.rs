//! The activity log: who or what did what, to which object, and why.

use jiff::Timestamp;

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

/// One line of the activity log. `subject` names the object, such as
/// `service:42` or `router:3`, so the log can be filtered per object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEntry {
    pub at: Timestamp,
    pub actor: Actor,
    pub subject: String,
    pub action: String,
    pub detail: String,
}
