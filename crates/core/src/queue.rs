//! The durable retry queues' words: where a queued action stands, and the
//! actions each queue retries. Their text is what the database stores.

use std::fmt;
use std::str::FromStr;

/// Where a queued action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueStatus {
    /// Waiting for its first (or a manually retried) attempt.
    Pending,
    /// Failed; tried again at its next attempt.
    Retrying,
    /// Failed its last allowed attempt; waits for a manual retry.
    Failed,
}

impl QueueStatus {
    pub const ALL: [QueueStatus; 3] = [QueueStatus::Pending, QueueStatus::Retrying, QueueStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueStatus::Pending => "pending",
            QueueStatus::Retrying => "retrying",
            QueueStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for QueueStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown queue status {0:?}: use pending, retrying or failed")]
pub struct UnknownQueueStatus(pub String);

impl FromStr for QueueStatus {
    type Err = UnknownQueueStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QueueStatus::ALL.into_iter().find(|q| q.as_str() == s).ok_or_else(|| UnknownQueueStatus(s.to_owned()))
    }
}

/// What a row of the provisioning queue retries on its router: a step of
/// the router's plan (`provision::diff::Step::action`), or a conflict the
/// operator must resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvisionAction {
    ProfileAdd,
    ProfileSet,
    SecretAdd,
    SecretSet,
    SecretEnable,
    SecretDisable,
    SecretRemove,
    Kick,
    AddressListAdd,
    AddressListRemove,
    QueueAdd,
    QueueSet,
    QueueRemove,
    /// The router holds something Headend must not overwrite.
    Conflict,
}

impl ProvisionAction {
    pub const ALL: [ProvisionAction; 14] = [
        ProvisionAction::ProfileAdd,
        ProvisionAction::ProfileSet,
        ProvisionAction::SecretAdd,
        ProvisionAction::SecretSet,
        ProvisionAction::SecretEnable,
        ProvisionAction::SecretDisable,
        ProvisionAction::SecretRemove,
        ProvisionAction::Kick,
        ProvisionAction::AddressListAdd,
        ProvisionAction::AddressListRemove,
        ProvisionAction::QueueAdd,
        ProvisionAction::QueueSet,
        ProvisionAction::QueueRemove,
        ProvisionAction::Conflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProvisionAction::ProfileAdd => "profile-add",
            ProvisionAction::ProfileSet => "profile-set",
            ProvisionAction::SecretAdd => "secret-add",
            ProvisionAction::SecretSet => "secret-set",
            ProvisionAction::SecretEnable => "secret-enable",
            ProvisionAction::SecretDisable => "secret-disable",
            ProvisionAction::SecretRemove => "secret-remove",
            ProvisionAction::Kick => "kick",
            ProvisionAction::AddressListAdd => "address-list-add",
            ProvisionAction::AddressListRemove => "address-list-remove",
            ProvisionAction::QueueAdd => "queue-add",
            ProvisionAction::QueueSet => "queue-set",
            ProvisionAction::QueueRemove => "queue-remove",
            ProvisionAction::Conflict => "conflict",
        }
    }
}

impl fmt::Display for ProvisionAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provisioning action {0:?}")]
pub struct UnknownProvisionAction(pub String);

impl FromStr for ProvisionAction {
    type Err = UnknownProvisionAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProvisionAction::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| UnknownProvisionAction(s.to_owned()))
    }
}

/// What a row of the zero-touch queue retries on an OLT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OltAction {
    /// Registering the service's ONU.
    Authorize,
}

impl OltAction {
    pub const ALL: [OltAction; 1] = [OltAction::Authorize];

    pub fn as_str(self) -> &'static str {
        match self {
            OltAction::Authorize => "authorize",
        }
    }
}

impl fmt::Display for OltAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OLT action {0:?}")]
pub struct UnknownOltAction(pub String);

impl FromStr for OltAction {
    type Err = UnknownOltAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OltAction::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| UnknownOltAction(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_read_back() {
        for status in QueueStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        for action in ProvisionAction::ALL {
            assert_eq!(action.as_str().parse(), Ok(action));
        }
        for action in OltAction::ALL {
            assert_eq!(action.as_str().parse(), Ok(action));
        }
        assert_eq!("stuck".parse::<QueueStatus>(), Err(UnknownQueueStatus("stuck".into())));
        assert!("secret-rename".parse::<ProvisionAction>().is_err());
        assert!("reboot".parse::<OltAction>().is_err());
    }
}
