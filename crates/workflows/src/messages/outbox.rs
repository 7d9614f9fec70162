//! The outbox as the operator sees it: lists, counts and retries.

use headend_core::MessageId;
use headend_core::activity::{Actor, Subject};
use headend_core::messages::outbox::MessageStatus;
use headend_store::{MessageQuery, OutboxMessage};

use super::compose::Composer;
use crate::{WorkflowError, Workflows};

impl Workflows {
    pub async fn messages(&self, query: &MessageQuery) -> Result<Vec<OutboxMessage>, WorkflowError> {
        Ok(self.store.messages(query).await?)
    }

    /// How many messages stand in each status.
    pub async fn message_counts(&self) -> Result<Vec<(MessageStatus, u64)>, WorkflowError> {
        Ok(self.store.message_counts().await?)
    }

    /// The operator's retry of a failed (or waiting) message: queued again,
    /// due now, to the customer's address as it is now (so fixing a phone
    /// number and retrying sends to the new one).
    pub async fn retry_message(&self, actor: &Actor, id: MessageId) -> Result<OutboxMessage, WorkflowError> {
        let message = self.store.message(id).await?.ok_or_else(|| {
            WorkflowError::NotFound(format!("no message with id {id}; `headend messages list` shows them"))
        })?;
        if matches!(message.status, MessageStatus::Sent | MessageStatus::Sending) {
            return Err(WorkflowError::invalid("id", format!("message {id} is {}: nothing to retry", message.status)));
        }
        let composer = Composer::load(&self.store).await?;
        let contact = self.store.contacts(&[message.customer]).await?.into_iter().next();
        let recipient = match contact {
            Some(c) => composer.address(&c, message.channel),
            None => Err("the customer no longer exists".to_owned()),
        };
        self.store.retry_message(id, recipient).await?;
        let detail = format!("message {id} ({} by {}) retried", message.event, message.channel);
        self.log(actor, Subject::Customer(message.customer), "message retried", detail).await;
        self.store.message(id).await?.ok_or_else(|| WorkflowError::NotFound(format!("message {id}")))
    }
}
