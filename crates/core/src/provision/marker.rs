//! The mark Headend leaves in the comment of every router object it
//! manages. Objects without it belong to the operator and are never
//! changed or removed (except by an explicit adoption).

use crate::ids::{PlanId, ServiceId};

/// Who an object on a router belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// A secret, address-list entry or queue of a service.
    Service(ServiceId),
    /// The PPP profile of a plan.
    Plan(PlanId),
}

impl Marker {
    /// The comment Headend writes: `headend:svc=42` or `headend:plan=3`.
    pub fn comment(self) -> String {
        match self {
            Marker::Service(id) => format!("headend:svc={id}"),
            Marker::Plan(id) => format!("headend:plan={id}"),
        }
    }

    /// Finds the mark anywhere in a comment, so an operator's note written
    /// beside it in Winbox does not make the object unmanaged.
    pub fn find(comment: &str) -> Option<Marker> {
        comment.split_whitespace().find_map(|word| {
            let rest = word.strip_prefix("headend:")?;
            let (kind, id) = rest.split_once('=')?;
            let id: i64 = id.trim_end_matches([',', ';']).parse().ok()?;
            match kind {
                "svc" => Some(Marker::Service(ServiceId(id))),
                "plan" => Some(Marker::Plan(PlanId(id))),
                _ => None,
            }
        })
    }

    pub fn in_comment(comment: Option<&str>) -> Option<Marker> {
        comment.and_then(Marker::find)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_survives_notes() {
        for m in [Marker::Service(ServiceId(42)), Marker::Plan(PlanId(3))] {
            assert_eq!(Marker::find(&m.comment()), Some(m));
        }
        assert_eq!(Marker::find("moved to tower B headend:svc=7 (Ana)"), Some(Marker::Service(ServiceId(7))));
    }

    #[test]
    fn other_comments_are_not_marks() {
        for c in ["", "svc=4", "headend:svc=", "headend:svc=x", "headend:olt=1", "Headend:svc=1"] {
            assert_eq!(Marker::find(c), None, "{c:?}");
        }
    }
}
