//! Events the engine raises for the operator's attention.

use crate::ids::{RouterId, ServiceId};

/// A provisioning action gave up after its last retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionFailed {
    pub service: ServiceId,
    pub router: RouterId,
    pub error: String,
}

/// A router presented another TLS certificate than the pinned one: it is
/// not contacted until the operator trusts the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateChanged {
    pub router: RouterId,
    pub name: String,
    pub pinned: String,
    pub presented: String,
}

impl CertificateChanged {
    pub fn notice(&self) -> Notice {
        Notice {
            title: format!("Router {}: TLS certificate changed", self.name),
            body: "Headend stopped connecting to it. If its certificate was replaced, trust the new one on the \
                   Routers page; otherwise someone may be intercepting the connection."
                .to_owned(),
        }
    }
}

/// What a desktop notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// Longest error text put in a notification: desktop notification servers
/// cut long bodies anyway, and the full text is in the app.
const NOTICE_ERROR_CHARS: usize = 160;

impl ProvisionFailed {
    /// The notification for this failure, naming the service and router the
    /// way the operator knows them.
    pub fn notice(&self, service_label: &str, router_name: &str) -> Notice {
        let error = cut(self.error.trim());
        Notice { title: format!("Provisioning failed: {service_label}"), body: format!("On {router_name}: {error}") }
    }
}

/// `text` cut to what a notification shows, on a character boundary.
pub(crate) fn cut(text: &str) -> String {
    if text.chars().count() > NOTICE_ERROR_CHARS {
        let mut cut: String = text.chars().take(NOTICE_ERROR_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(error: &str) -> ProvisionFailed {
        ProvisionFailed { service: ServiceId(7), router: RouterId(2), error: error.to_owned() }
    }

    #[test]
    fn notice_names_service_and_router() {
        let n = failure("failure: secret with the same name already exists\n").notice("jdoe (Jane Doe)", "core-1");
        assert_eq!(n.title, "Provisioning failed: jdoe (Jane Doe)");
        assert_eq!(n.body, "On core-1: failure: secret with the same name already exists");
    }

    #[test]
    fn long_errors_are_cut_on_a_char_boundary() {
        let n = failure(&"é".repeat(500)).notice("s", "r");
        assert_eq!(n.body.chars().count(), "On r: ".len() + NOTICE_ERROR_CHARS);
        assert!(n.body.ends_with('…'));
    }
}
