//! The providers' settings and credentials, and a test message.

use headend_core::activity::{Actor, Subject};
use headend_core::messages::settings::MessageSettings;
use headend_core::messages::{Channel, phone};
use headend_messaging::{Email, Mailer, SmsGateway, WhatsappClient};
use headend_secrets::{Secret, SecretKey};

use super::sender::PROVIDER_TIMEOUT;
use crate::{WorkflowError, Workflows};

/// Credentials to keep in the keyring with the settings: `Some` replaces
/// the channel's, `None` keeps it.
#[derive(Debug, Default)]
pub struct ProviderCredentials {
    /// The SMTP password.
    pub email: Option<Secret>,
    /// Twilio's auth token, Africa's Talking's API key or a generic
    /// gateway's `{secret}`.
    pub sms: Option<Secret>,
    /// The WhatsApp Cloud API access token.
    pub whatsapp: Option<Secret>,
}

impl Workflows {
    pub async fn message_settings(&self) -> Result<MessageSettings, WorkflowError> {
        Ok(self.store.message_settings().await?)
    }

    /// Which channels have a credential in the keyring.
    pub async fn message_credentials_set(&self) -> Result<Vec<Channel>, WorkflowError> {
        let secrets = self.secrets().await?;
        let mut set = Vec::new();
        for channel in Channel::ALL {
            let key = SecretKey::message_provider(channel);
            let s = secrets.clone();
            let found = crate::keyring::blocking(move || s.get(&key))
                .await?
                .map_err(|source| WorkflowError::Keyring { what: "reading a message provider's credential", source })?;
            if found.is_some() {
                set.push(channel);
            }
        }
        Ok(set)
    }

    /// Saves the settings (checked) and the credentials given.
    pub async fn set_message_settings(
        &self,
        actor: &Actor,
        settings: &MessageSettings,
        credentials: ProviderCredentials,
    ) -> Result<(), WorkflowError> {
        settings.check().map_err(|e| WorkflowError::invalid(e.setting, e.message))?;
        for (channel, secret) in [
            (Channel::Email, credentials.email),
            (Channel::Sms, credentials.sms),
            (Channel::Whatsapp, credentials.whatsapp),
        ] {
            if let Some(secret) = secret {
                let key = SecretKey::message_provider(channel);
                self.keyring.set(&self.store, key, secret.expose().to_owned()).await?;
            }
        }
        self.store.set_message_settings(settings).await?;
        let channels: Vec<&str> =
            Channel::ALL.into_iter().filter(|c| settings.configured(*c)).map(Channel::as_str).collect();
        let detail = if channels.is_empty() { "no channel set up".to_owned() } else { channels.join(", ") };
        self.log(actor, Subject::Policy, "message settings", detail).await;
        Ok(())
    }

    /// Sends a test message on `channel` to `to` (an address or a phone
    /// number) now, bypassing the outbox; answers the provider's id.
    pub async fn send_test_message(&self, channel: Channel, to: &str) -> Result<Option<String>, WorkflowError> {
        let settings = self.store.message_settings().await?;
        let billing = self.store.billing_settings().await?;
        let secrets = self.secrets().await?;
        let key = SecretKey::message_provider(channel);
        let secret = crate::keyring::blocking(move || secrets.get(&key))
            .await?
            .map_err(|source| WorkflowError::Keyring { what: "reading a message provider's credential", source })?;
        let not_set_up = || WorkflowError::invalid("channel", format!("{channel} is not set up"));
        let refused = |e: headend_messaging::SendError| WorkflowError::invalid("to", e.to_string());
        let isp = if billing.company.is_empty() { "Headend".to_owned() } else { billing.company.clone() };
        let text = format!("Test message from {isp}: {channel} works.");
        let number = || {
            phone::normalize(to, settings.default_country)
                .map(|n| n.to_string())
                .map_err(|e| WorkflowError::invalid("to", e.to_string()))
        };
        let accepted = match channel {
            Channel::Email => {
                let smtp = settings.smtp.as_ref().ok_or_else(not_set_up)?;
                let mailer = Mailer::new(smtp, secret, PROVIDER_TIMEOUT).map_err(refused)?;
                let email = Email {
                    to: to.trim().to_owned(),
                    to_name: None,
                    subject: format!("Test message from {isp}"),
                    body: text,
                    attachments: Vec::new(),
                };
                mailer.send(&email).await.map_err(refused)?
            }
            Channel::Sms => {
                let sms = settings.sms.as_ref().ok_or_else(not_set_up)?;
                let gateway = SmsGateway::new(sms, secret, PROVIDER_TIMEOUT).map_err(refused)?;
                gateway.send(&number()?, &text).await.map_err(refused)?
            }
            Channel::Whatsapp => {
                let whatsapp = settings.whatsapp.as_ref().ok_or_else(not_set_up)?;
                let token = secret.ok_or_else(|| WorkflowError::invalid("channel", "WhatsApp has no access token"))?;
                let client = WhatsappClient::new(whatsapp, token, PROVIDER_TIMEOUT).map_err(refused)?;
                // Meta's sample template, approved on every business account.
                client.send_template(&number()?, "hello_world", "en_US", &[]).await.map_err(refused)?
            }
        };
        Ok(accepted.provider_id)
    }
}
