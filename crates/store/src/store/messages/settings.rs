//! The ISP's message settings (rows of `isp_settings` under `messages.`).

use std::collections::HashMap;

use headend_core::messages::settings::{
    MessageSettings, RateLimit, SmsProvider, SmsProviderKind, SmtpSettings, WhatsappSettings,
};
use sqlx::Row;

use crate::error::StoreError;
use crate::store::policy::setting as get;
use crate::store::{Store, corrupt};

const PREFIX: &str = "messages.";

impl Store {
    /// The message settings; a setting never saved is its default, and a
    /// channel whose provider was never saved has none.
    pub async fn message_settings(&self) -> Result<MessageSettings, StoreError> {
        let rows = sqlx::query("SELECT key, value FROM isp_settings WHERE key LIKE 'messages.%'")
            .fetch_all(&self.pool)
            .await?;
        let mut v = HashMap::new();
        for row in rows {
            let key: String = row.try_get("key")?;
            v.insert(key.trim_start_matches(PREFIX).to_owned(), row.try_get::<String, _>("value")?);
        }
        let text = |key: &str| v.get(key).cloned().unwrap_or_default();
        let opt = |key: &str| v.get(key).filter(|s| !s.is_empty()).cloned();
        let d = MessageSettings::default();
        let smtp = match opt("smtp_host") {
            None => None,
            Some(host) => {
                let security = get(&v, "smtp_tls", Default::default())?;
                Some(SmtpSettings {
                    host,
                    port: get(&v, "smtp_port", headend_core::messages::settings::SmtpSecurity::default_port(security))?,
                    security,
                    username: opt("smtp_user"),
                    from: text("smtp_from"),
                })
            }
        };
        let sms = match opt("sms_provider") {
            None => None,
            Some(kind) => {
                let kind: SmsProviderKind = kind.parse().map_err(|e| corrupt("isp_settings", e))?;
                let base_url = opt("sms_base_url").unwrap_or_else(|| kind.default_base_url().to_owned());
                Some(match kind {
                    SmsProviderKind::Twilio => {
                        SmsProvider::Twilio { base_url, account_sid: text("sms_account"), from: text("sms_from") }
                    }
                    SmsProviderKind::AfricasTalking => SmsProvider::AfricasTalking {
                        base_url,
                        username: text("sms_account"),
                        sender_id: opt("sms_from"),
                    },
                    SmsProviderKind::Generic => SmsProvider::Generic {
                        url: base_url,
                        method: get(&v, "sms_method", Default::default())?,
                        headers: headers(&text("sms_headers")),
                        body: get(&v, "sms_body", Default::default())?,
                        template: text("sms_template"),
                    },
                })
            }
        };
        let whatsapp = opt("whatsapp_phone_number_id").map(|phone_number_id| WhatsappSettings {
            base_url: opt("whatsapp_base_url").unwrap_or_else(|| WhatsappSettings::DEFAULT_BASE_URL.to_owned()),
            api_version: opt("whatsapp_api_version")
                .unwrap_or_else(|| WhatsappSettings::DEFAULT_API_VERSION.to_owned()),
            phone_number_id,
        });
        let rate = |key: &'static str, default: RateLimit| -> Result<RateLimit, StoreError> {
            let n: u32 = get(&v, key, default.per_minute())?;
            RateLimit::new(n, key).map_err(|e| corrupt("isp_settings", e.message))
        };
        Ok(MessageSettings {
            smtp,
            sms,
            whatsapp,
            quiet_hours: opt("quiet_hours")
                .map(|q| q.parse())
                .transpose()
                .map_err(|e: headend_core::billing::settings::SettingError| corrupt("isp_settings", e.message))?,
            reminder_days: get(&v, "reminder_days", d.reminder_days)?,
            default_country: get(&v, "default_country", d.default_country)?,
            default_language: get(&v, "default_language", d.default_language)?,
            isp_phone: get(&v, "isp_phone", d.isp_phone)?,
            email_rate: rate("email_rate", d.email_rate)?,
            sms_rate: rate("sms_rate", d.sms_rate)?,
            whatsapp_rate: rate("whatsapp_rate", d.whatsapp_rate)?,
        })
    }

    /// Saves every message setting (already validated by the caller); a
    /// channel without a provider loses its saved one.
    pub async fn set_message_settings(&self, s: &MessageSettings) -> Result<(), StoreError> {
        let mut values: Vec<(&str, String)> = vec![
            ("quiet_hours", s.quiet_hours.map(|q| q.to_string()).unwrap_or_default()),
            ("reminder_days", s.reminder_days.to_string()),
            ("default_country", s.default_country.to_string()),
            ("default_language", s.default_language.to_string()),
            ("isp_phone", s.isp_phone.clone()),
            ("email_rate", s.email_rate.per_minute().to_string()),
            ("sms_rate", s.sms_rate.per_minute().to_string()),
            ("whatsapp_rate", s.whatsapp_rate.per_minute().to_string()),
        ];
        if let Some(smtp) = &s.smtp {
            values.extend([
                ("smtp_host", smtp.host.clone()),
                ("smtp_port", smtp.port.to_string()),
                ("smtp_tls", smtp.security.as_str().to_owned()),
                ("smtp_user", smtp.username.clone().unwrap_or_default()),
                ("smtp_from", smtp.from.clone()),
            ]);
        }
        if let Some(sms) = &s.sms {
            values.push(("sms_provider", sms.kind().as_str().to_owned()));
            match sms {
                SmsProvider::Twilio { base_url, account_sid, from } => values.extend([
                    ("sms_base_url", base_url.clone()),
                    ("sms_account", account_sid.clone()),
                    ("sms_from", from.clone()),
                ]),
                SmsProvider::AfricasTalking { base_url, username, sender_id } => values.extend([
                    ("sms_base_url", base_url.clone()),
                    ("sms_account", username.clone()),
                    ("sms_from", sender_id.clone().unwrap_or_default()),
                ]),
                SmsProvider::Generic { url, method, headers, body, template } => values.extend([
                    ("sms_base_url", url.clone()),
                    ("sms_method", method.as_str().to_owned()),
                    ("sms_headers", headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")),
                    ("sms_body", body.as_str().to_owned()),
                    ("sms_template", template.clone()),
                ]),
            }
        }
        if let Some(w) = &s.whatsapp {
            values.extend([
                ("whatsapp_base_url", w.base_url.clone()),
                ("whatsapp_api_version", w.api_version.clone()),
                ("whatsapp_phone_number_id", w.phone_number_id.clone()),
            ]);
        }
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM isp_settings WHERE key LIKE 'messages.%'").execute(&mut *tx).await?;
        for (key, value) in values {
            sqlx::query("INSERT INTO isp_settings (key, value) VALUES (?, ?)")
                .bind(format!("{PREFIX}{key}"))
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A generic gateway's headers, stored one `Name: value` a line.
fn headers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}
