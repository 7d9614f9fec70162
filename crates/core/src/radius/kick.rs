//! Which live sessions of a RADIUS router must be ended or changed after a
//! sync: the router applies FreeRADIUS's answer only at login, so a
//! suspension, a return from the suspended list and a new rate reach a
//! session already up only through RFC 5176 (or the API's fallback).

use crate::radius::desired::{RadiusSuspension, SUSPENDED_GROUP};

/// A service's RADIUS standing around one sync, for one live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStanding<'a> {
    /// Entitled to be on now.
    pub on: bool,
    /// What the last settled sync left it as (`router_provisioned`): on or
    /// not.
    pub was_on: bool,
    /// Adopted from a database that already had the user: its session is
    /// the operator's, not a suspended one coming back.
    pub adopted: bool,
    pub suspension: RadiusSuspension,
    /// The user's Headend group in the database before the sync.
    pub group_before: Option<&'a str>,
    /// The user's Headend group as the sync leaves it (`None`: no rows,
    /// FreeRADIUS rejects them).
    pub group_after: Option<&'a str>,
    /// The rate FreeRADIUS gave the session's group before the sync, and
    /// gives it now.
    pub rate_before: Option<&'a str>,
    pub rate_after: Option<&'a str>,
}

/// What happens to a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionAction {
    /// Disconnect-Request: the user must log in again, to be refused or
    /// to get the other group's attributes.
    Disconnect(&'static str),
    /// CoA-Request with the new `Mikrotik-Rate-Limit`: same session,
    /// new rate.
    ChangeRate(String),
}

/// What to do with one live session of a service, if anything.
pub fn session_action(s: &SessionStanding<'_>) -> Option<SessionAction> {
    let suspended_before = s.group_before == Some(SUSPENDED_GROUP);
    if !s.on {
        return match s.suspension {
            // Its next login is refused: end it until it is gone.
            RadiusSuspension::Reject => Some(SessionAction::Disconnect("suspended: FreeRADIUS now rejects the user")),
            RadiusSuspension::AddressList if s.group_after != Some(SUSPENDED_GROUP) => {
                Some(SessionAction::Disconnect("off: FreeRADIUS now rejects the user"))
            }
            // Once, when the suspension starts: the new login lands in
            // the suspended list.
            RadiusSuspension::AddressList if s.was_on || !suspended_before => {
                Some(SessionAction::Disconnect("suspended: logs in again into the suspended address list"))
            }
            RadiusSuspension::AddressList => None,
        };
    }
    let back_from_list = suspended_before || (!s.was_on && !s.adopted && s.suspension == RadiusSuspension::AddressList);
    if back_from_list {
        return Some(SessionAction::Disconnect("back on: logs in again out of the suspended address list"));
    }
    match (s.rate_before, s.rate_after) {
        (Some(before), Some(after)) if before != after => Some(SessionAction::ChangeRate(after.to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing() -> SessionStanding<'static> {
        SessionStanding {
            on: true,
            was_on: true,
            adopted: false,
            suspension: RadiusSuspension::Reject,
            group_before: Some("headend-plan-1"),
            group_after: Some("headend-plan-1"),
            rate_before: Some("10M/20M"),
            rate_after: Some("10M/20M"),
        }
    }

    fn kind(action: Option<SessionAction>) -> &'static str {
        match action {
            None => "none",
            Some(SessionAction::Disconnect(_)) => "disconnect",
            Some(SessionAction::ChangeRate(_)) => "coa",
        }
    }

    #[test]
    fn sessions_are_ended_or_changed_only_when_their_login_would_differ() {
        let base = standing();
        let list = RadiusSuspension::AddressList;
        let cases: Vec<(&str, SessionStanding<'static>, &str)> = vec![
            ("unchanged", base.clone(), "none"),
            ("suspended, reject mode", SessionStanding { on: false, ..base.clone() }, "disconnect"),
            (
                "still suspended, reject mode: still ended",
                SessionStanding { on: false, was_on: false, ..base.clone() },
                "disconnect",
            ),
            (
                "suspended into the list",
                SessionStanding { on: false, suspension: list, group_after: Some(SUSPENDED_GROUP), ..base.clone() },
                "disconnect",
            ),
            (
                "already in the list",
                SessionStanding {
                    on: false,
                    was_on: false,
                    suspension: list,
                    group_before: Some(SUSPENDED_GROUP),
                    group_after: Some(SUSPENDED_GROUP),
                    ..base.clone()
                },
                "none",
            ),
            (
                "suspension recorded but the kick failed last time",
                SessionStanding {
                    on: false,
                    was_on: true,
                    suspension: list,
                    group_before: Some(SUSPENDED_GROUP),
                    group_after: Some(SUSPENDED_GROUP),
                    ..base.clone()
                },
                "disconnect",
            ),
            (
                "off without a password: rejected",
                SessionStanding { on: false, suspension: list, group_after: None, ..base.clone() },
                "disconnect",
            ),
            (
                "back from the list",
                SessionStanding {
                    was_on: false,
                    suspension: list,
                    group_before: Some(SUSPENDED_GROUP),
                    ..base.clone()
                },
                "disconnect",
            ),
            (
                "back on, list mode, rows already moved by an earlier sync",
                SessionStanding { was_on: false, suspension: list, ..base.clone() },
                "disconnect",
            ),
            (
                "adopted user online: left alone",
                SessionStanding { was_on: false, adopted: true, suspension: list, ..base.clone() },
                "none",
            ),
            (
                "back on, reject mode: the session was never refused",
                SessionStanding { was_on: false, ..base.clone() },
                "none",
            ),
            ("plan change", SessionStanding { rate_after: Some("20M/40M"), ..base.clone() }, "coa"),
            ("first sync of a user: nothing to compare", SessionStanding { rate_before: None, ..base.clone() }, "none"),
        ];
        for (name, s, want) in cases {
            assert_eq!(kind(session_action(&s)), want, "{name}");
        }
        let coa = session_action(&SessionStanding { rate_after: Some("20M/40M"), ..base });
        assert_eq!(coa, Some(SessionAction::ChangeRate("20M/40M".into())));
    }
}
