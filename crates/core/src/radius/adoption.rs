//! Adopting a FreeRADIUS database that already has users
//! (`import radius-users`): which users become services Headend manages,
//! and why the others do not. The counterpart of
//! [`provision::adoption`](crate::provision::adoption) for RADIUS, with
//! the same [`Adoption`] result.
//!
//! Choices: a user's plan is that of its first group (by priority) the
//! plan map or Headend's own group names; the customer is named after the
//! user; `Auth-Type := Reject` makes a suspended service, anything else an
//! active one. A user without a `Cleartext-Password` (an NT or crypt hash)
//! is left alone: Headend writes the password it keeps, and cannot turn a
//! hash back into it. Nothing in the database changes here; the next sync
//! writes Headend's group membership beside the operator's own rows, which
//! stay.

use std::collections::BTreeMap;

use crate::PlanId;
use crate::provision::adoption::{Adopted, Adoption};
use crate::provision::{Password, validate_username};
use crate::radius::desired::{FRAMED_IP_ADDRESS, RadiusState};
use crate::service::ServiceStatus;

/// Decides each user's fate from the rows `state` holds (every user's
/// `radcheck` and `radusergroup` rows), which plan each group means, and
/// which user names are services already.
pub fn adopt_users(
    state: &RadiusState,
    plan_for: &dyn Fn(&str) -> Option<PlanId>,
    is_service: &dyn Fn(&str) -> bool,
) -> Adoption {
    let mut users: BTreeMap<&str, (Option<&str>, bool)> = BTreeMap::new();
    for row in &state.check {
        let user = users.entry(row.username.as_str()).or_default();
        match row.attribute.as_str() {
            "Cleartext-Password" => user.0 = Some(row.value.expose()),
            "Auth-Type" if row.value.expose().eq_ignore_ascii_case("Reject") => user.1 = true,
            _ => {}
        }
    }
    let mut out = Adoption::default();
    for (name, (password, rejected)) in users {
        if is_service(name) {
            out.skipped.push((name.to_owned(), "already a Headend service".into()));
            continue;
        }
        let Some(password) = password else {
            out.skipped.push((name.to_owned(), "no Cleartext-Password (a hashed password cannot be adopted)".into()));
            continue;
        };
        if let Err(e) = validate_username(name) {
            out.skipped.push((name.to_owned(), e.to_string()));
            continue;
        }
        let mut groups: Vec<_> = state.user_group.iter().filter(|m| m.username == name).collect();
        groups.sort_by_key(|m| m.priority);
        let Some(plan) = groups.iter().find_map(|m| plan_for(&m.groupname)) else {
            let names: Vec<&str> = groups.iter().map(|m| m.groupname.as_str()).collect();
            let why = match names.first() {
                None => "the user is in no group: it has no plan".to_owned(),
                Some(first) => {
                    format!("its groups ({}) have no plan: map one with --plan-map (`{first},PLAN`)", names.join(", "))
                }
            };
            out.errors.push((name.to_owned(), why));
            continue;
        };
        let status = if rejected { ServiceStatus::Suspended } else { ServiceStatus::Active };
        let address = state
            .reply
            .iter()
            .find(|r| r.username == name && r.attribute == FRAMED_IP_ADDRESS)
            .and_then(|r| r.value.parse().ok());
        let adopted = Adopted { username: name.to_owned(), customer: name.to_owned(), plan, status, address };
        out.services.push((adopted, Password::new(password)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radius::rows::{CheckRow, Op, UserGroup};

    fn member(user: &str, group: &str, priority: i32) -> UserGroup {
        UserGroup { username: user.into(), groupname: group.into(), priority }
    }

    #[test]
    fn users_become_services_by_their_first_mapped_group() {
        let state = RadiusState {
            check: vec![
                CheckRow::new("ana", "Cleartext-Password", Op::Set, "a"),
                CheckRow::new("bob", "Cleartext-Password", Op::Set, "b"),
                CheckRow::new("bob", "Auth-Type", Op::Set, "Reject"),
                CheckRow::new("carol", "NT-Password", Op::Set, "0x1234"),
                CheckRow::new("dan", "Cleartext-Password", Op::Set, "d"),
                CheckRow::new("eve", "Cleartext-Password", Op::Set, "e"),
                CheckRow::new("old", "Cleartext-Password", Op::Set, "o"),
                CheckRow::new("bad name", "Cleartext-Password", Op::Set, "x"),
            ],
            user_group: vec![
                member("ana", "static", 0),
                member("ana", "10mb", 1),
                member("bob", "20mb", 1),
                member("dan", "unknown", 1),
                member("old", "10mb", 1),
            ],
            ..RadiusState::default()
        };
        let plans = |group: &str| match group {
            "10mb" => Some(PlanId(1)),
            "20mb" => Some(PlanId(2)),
            _ => None,
        };
        let got = adopt_users(&state, &plans, &|name| name == "old");
        let services: Vec<(&str, PlanId, ServiceStatus, &str)> =
            got.services.iter().map(|(a, p)| (a.username.as_str(), a.plan, a.status, p.expose())).collect();
        assert_eq!(
            services,
            [("ana", PlanId(1), ServiceStatus::Active, "a"), ("bob", PlanId(2), ServiceStatus::Suspended, "b")]
        );
        let skipped: Vec<&str> = got.skipped.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(skipped, ["bad name", "carol", "old"]);
        let errors: Vec<&str> = got.errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(errors, ["dan", "eve"]);
        assert!(got.errors[0].1.contains("`unknown,PLAN`"), "{:?}", got.errors);
    }
}
