//! [`SmsGateway`]: one text message through the ISP's SMS provider.

use std::time::Duration;

use headend_core::messages::settings::SmsProvider;
use headend_secrets::Secret;
use tracing::debug;

use crate::africastalking::{self, AfricasTalking};
use crate::generic::{self, Generic};
use crate::http::HttpClient;
use crate::twilio::{self, Twilio};
use crate::{Accepted, SendError};

#[derive(Debug)]
enum Provider {
    Twilio(Twilio),
    AfricasTalking(AfricasTalking),
    Generic(Generic),
}

/// Sends text messages through one SMS provider, reusing its connections.
#[derive(Debug)]
pub struct SmsGateway {
    provider: Provider,
    http: HttpClient,
}

impl SmsGateway {
    /// A gateway for `provider` with its `secret` from the keyring (Twilio's
    /// auth token, Africa's Talking's API key, a generic gateway's
    /// `{secret}`), each request under `timeout`. Fails (transient: the
    /// operator can fix it) on incomplete settings or a missing secret.
    pub fn new(provider: &SmsProvider, secret: Option<Secret>, timeout: Duration) -> Result<SmsGateway, SendError> {
        let missing = |what: &str| SendError::Transient(format!("no {what} in the keyring"));
        let provider = match provider {
            SmsProvider::Twilio { base_url, account_sid, from } => {
                let token = secret.ok_or_else(|| missing("Twilio auth token"))?;
                Provider::Twilio(Twilio::new(base_url, account_sid, from, &token)?)
            }
            SmsProvider::AfricasTalking { base_url, username, sender_id } => {
                let key = secret.ok_or_else(|| missing("Africa's Talking API key"))?;
                Provider::AfricasTalking(AfricasTalking::new(base_url, username, sender_id.as_deref(), &key)?)
            }
            SmsProvider::Generic { url, method, headers, body, template } => {
                Provider::Generic(Generic::new(url, *method, headers, *body, template, secret)?)
            }
        };
        Ok(SmsGateway { provider, http: HttpClient::new(timeout)? })
    }

    /// Send `text` to `to`, a number in international format (`+2547…`).
    pub async fn send(&self, to: &str, text: &str) -> Result<Accepted, SendError> {
        let result = match &self.provider {
            Provider::Twilio(twilio) => {
                let response = self.http.execute(twilio.request(to, text), "Twilio").await?;
                twilio::classify(response.status, &response.body, to)
            }
            Provider::AfricasTalking(at) => {
                let response = self.http.execute(at.request(to, text), "Africa's Talking").await?;
                africastalking::classify(response.status, &response.body, to)
            }
            Provider::Generic(gateway) => {
                let response = self.http.execute(gateway.request(to, text)?, generic::PROVIDER).await?;
                gateway.classify(response.status, &response.body, to)
            }
        };
        debug!(ok = result.is_ok(), "SMS");
        result
    }
}
