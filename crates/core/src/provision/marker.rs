//! The mark Headend leaves in the comment of every router object it
//! manages: what the object is for and which installation (database) made
//! it, `headend:svc=42@5f3a9c0e1b2d4a67`. Objects without a mark belong to
//! the operator and are never changed or removed (except by an explicit
//! adoption); objects marked by another installation (a second desktop, a
//! restored copy, a test install) belong to it and are left alone too, so
//! two databases that reach one router never fight over its objects.
//!
//! Marks written before installations were named (`headend:svc=42`) are
//! *legacy*: the first sweep of an installation that knows the object's
//! service or plan claims it by rewriting its comment in place (a `set` of
//! the comment only: no secret is removed or re-added, no session drops).

use std::fmt;

use crate::ids::{PlanId, ServiceId};

/// Who an object on a router is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// A secret, address-list entry or queue of a service.
    Service(ServiceId),
    /// The PPP profile of a plan.
    Plan(PlanId),
}

/// This database's name in the marks: its installation id, lower-case
/// letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Installation(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an installation id is 1 to 32 lower-case letters and digits, not {0:?}")]
pub struct InvalidInstallation(pub String);

impl Installation {
    pub fn new(id: &str) -> Result<Self, InvalidInstallation> {
        let plain =
            !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if plain { Ok(Self(id.to_owned())) } else { Err(InvalidInstallation(id.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Installation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mark as found in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub marker: Marker,
    /// The installation that made it; `None` for a legacy mark.
    pub owner: Option<String>,
}

/// Whose an object is, from this installation's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ownership {
    /// Marked by this installation.
    Ours(Marker),
    /// A legacy mark: this installation may claim it.
    Legacy(Marker),
    /// Marked by another installation (named): not ours to touch.
    Foreign(Marker, String),
    /// No mark: the operator's.
    Unmarked,
}

impl Marker {
    /// The comment Headend writes: `headend:svc=42@<installation>` or
    /// `headend:plan=3@<installation>`.
    pub fn comment(self, installation: &Installation) -> String {
        format!("{}@{installation}", self.legacy_token())
    }

    /// The mark as written before installations were named.
    fn legacy_token(self) -> String {
        match self {
            Marker::Service(id) => format!("headend:svc={id}"),
            Marker::Plan(id) => format!("headend:plan={id}"),
        }
    }
}

impl Mark {
    /// Finds the mark anywhere in a comment, so an operator's note written
    /// beside it in Winbox does not make the object unmanaged.
    pub fn find(comment: &str) -> Option<Mark> {
        comment.split_whitespace().find_map(Self::parse_word)
    }

    pub fn in_comment(comment: Option<&str>) -> Option<Mark> {
        comment.and_then(Mark::find)
    }

    fn parse_word(word: &str) -> Option<Mark> {
        let rest = word.strip_prefix("headend:")?;
        let (kind, value) = rest.split_once('=')?;
        let value = value.trim_end_matches([',', ';']);
        let (id, owner) = match value.split_once('@') {
            Some((id, owner)) => (id, Some(Installation::new(owner).ok()?.0)),
            None => (value, None),
        };
        let id: i64 = id.parse().ok()?;
        let marker = match kind {
            "svc" => Marker::Service(ServiceId(id)),
            "plan" => Marker::Plan(PlanId(id)),
            _ => return None,
        };
        Some(Mark { marker, owner })
    }

    /// Whose the object marked so is, for `installation`.
    pub fn ownership(comment: Option<&str>, installation: &Installation) -> Ownership {
        match Mark::in_comment(comment) {
            None => Ownership::Unmarked,
            Some(Mark { marker, owner: None }) => Ownership::Legacy(marker),
            Some(Mark { marker, owner: Some(owner) }) if owner == installation.0 => Ownership::Ours(marker),
            Some(Mark { marker, owner: Some(owner) }) => Ownership::Foreign(marker, owner),
        }
    }
}

/// `comment` with its legacy mark for `marker` claimed by `installation`,
/// and everything the operator wrote beside it kept.
pub fn claimed(comment: &str, marker: Marker, installation: &Installation) -> String {
    let legacy = marker.legacy_token();
    let mut found = false;
    let words: Vec<String> = comment
        .split(' ')
        .map(|word| {
            let bare = word.trim_end_matches([',', ';']);
            if !found && bare == legacy {
                found = true;
                format!("{}{}", marker.comment(installation), &word[bare.len()..])
            } else {
                word.to_owned()
            }
        })
        .collect();
    if found { words.join(" ") } else { marker.comment(installation) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Installation {
        Installation::new("5f3a9c0e1b2d4a67").unwrap()
    }

    #[test]
    fn round_trips_and_survives_notes() {
        for m in [Marker::Service(ServiceId(42)), Marker::Plan(PlanId(3))] {
            assert_eq!(Mark::find(&m.comment(&here())), Some(Mark { marker: m, owner: Some(here().0) }));
            assert_eq!(Mark::ownership(Some(&m.comment(&here())), &here()), Ownership::Ours(m));
        }
        assert_eq!(
            Mark::find("moved to tower B headend:svc=7@ab12 (Ana)"),
            Some(Mark { marker: Marker::Service(ServiceId(7)), owner: Some("ab12".into()) })
        );
    }

    #[test]
    fn legacy_foreign_and_other_comments() {
        let svc = Marker::Service(ServiceId(7));
        assert_eq!(Mark::ownership(Some("headend:svc=7"), &here()), Ownership::Legacy(svc));
        assert_eq!(
            Mark::ownership(Some("headend:svc=7@0000aaaa"), &here()),
            Ownership::Foreign(svc, "0000aaaa".into())
        );
        assert_eq!(Mark::ownership(None, &here()), Ownership::Unmarked);
        for c in [
            "",
            "svc=4",
            "headend:svc=",
            "headend:svc=x",
            "headend:olt=1",
            "Headend:svc=1",
            "headend:svc=1@",
            "headend:svc=1@A!",
        ] {
            assert_eq!(Mark::find(c), None, "{c:?}");
        }
    }

    #[test]
    fn claiming_rewrites_only_the_mark() {
        let svc = Marker::Service(ServiceId(7));
        assert_eq!(claimed("headend:svc=7", svc, &here()), "headend:svc=7@5f3a9c0e1b2d4a67");
        assert_eq!(
            claimed("Ana, tower B headend:svc=7; paid cash", svc, &here()),
            "Ana, tower B headend:svc=7@5f3a9c0e1b2d4a67; paid cash"
        );
        assert_eq!(claimed("", svc, &here()), "headend:svc=7@5f3a9c0e1b2d4a67");
    }

    #[test]
    fn installation_ids_are_plain() {
        assert!(Installation::new("5f3a9c0e1b2d4a67").is_ok());
        for bad in ["", "UPPER", "a b", "a@b", &"a".repeat(33)] {
            assert!(Installation::new(bad).is_err(), "{bad:?}");
        }
    }
}
