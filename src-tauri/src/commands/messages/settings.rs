//! The providers' settings (SMTP, the SMS gateway, WhatsApp), quiet hours,
//! reminders, defaults and rates, with their credentials going into the
//! keyring; and a test message through them.

use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::billing::settings::SettingError;
use headend_core::messages::Language;
use headend_core::messages::phone::Country;
use headend_core::messages::quiet::QuietHours;
use headend_core::messages::settings::{
    GenericBody, HttpMethod, MessageSettings, RateLimit, ReminderDays, SmsProvider, SmsProviderKind, SmtpSecurity,
    SmtpSettings, WhatsappSettings,
};
use headend_ipc::ErrorDto;
use headend_ipc::messages::{MessageSettingsForm, MessageSettingsView, TestMessageForm, TestMessageSent};
use headend_secrets::Secret;
use headend_workflows::messages::ProviderCredentials;
use tauri::State;

use super::channel;
use crate::commands::{Answer, sentence, workflow_error};
use crate::state::AppState;

fn form(s: &MessageSettings) -> MessageSettingsForm {
    let mut f = MessageSettingsForm {
        smtp_tls: SmtpSecurity::default().as_str().to_owned(),
        sms_method: HttpMethod::default().as_str().to_owned(),
        sms_body: GenericBody::default().as_str().to_owned(),
        whatsapp_base_url: WhatsappSettings::DEFAULT_BASE_URL.to_owned(),
        whatsapp_api_version: WhatsappSettings::DEFAULT_API_VERSION.to_owned(),
        quiet_hours: s.quiet_hours.map(|q| q.to_string()).unwrap_or_default(),
        reminder_days: s.reminder_days.to_string(),
        default_country: s.default_country.to_string(),
        default_language: s.default_language.to_string(),
        isp_phone: s.isp_phone.clone(),
        email_rate: s.email_rate.per_minute().to_string(),
        sms_rate: s.sms_rate.per_minute().to_string(),
        whatsapp_rate: s.whatsapp_rate.per_minute().to_string(),
        ..MessageSettingsForm::default()
    };
    if let Some(smtp) = &s.smtp {
        f.smtp_host = smtp.host.clone();
        f.smtp_port = smtp.port.to_string();
        f.smtp_tls = smtp.security.as_str().to_owned();
        f.smtp_user = smtp.username.clone().unwrap_or_default();
        f.from = smtp.from.clone();
    }
    if let Some(sms) = &s.sms {
        f.sms_provider = sms.kind().as_str().to_owned();
        match sms {
            SmsProvider::Twilio { base_url, account_sid, from } => {
                f.sms_base_url = base_url.clone();
                f.sms_account = account_sid.clone();
                f.sms_from = from.clone();
            }
            SmsProvider::AfricasTalking { base_url, username, sender_id } => {
                f.sms_base_url = base_url.clone();
                f.sms_account = username.clone();
                f.sms_from = sender_id.clone().unwrap_or_default();
            }
            SmsProvider::Generic { url, method, headers, body, template } => {
                f.sms_url = url.clone();
                f.sms_method = method.as_str().to_owned();
                f.sms_headers = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
                f.sms_body = body.as_str().to_owned();
                f.sms_template = template.clone();
            }
        }
    }
    if let Some(w) = &s.whatsapp {
        f.whatsapp_base_url = w.base_url.clone();
        f.whatsapp_api_version = w.api_version.clone();
        f.whatsapp_phone_number_id = w.phone_number_id.clone();
    }
    f
}

fn setting(e: SettingError) -> ErrorDto {
    ErrorDto::field(e.setting, sentence(&e.message))
}

fn rate(field: &'static str, text: &str) -> Answer<RateLimit> {
    let n = text.trim().parse().map_err(|_| ErrorDto::field(field, "Enter a whole number of messages a minute."))?;
    RateLimit::new(n, field).map_err(setting)
}

/// `text`, or `default` when it is empty.
fn or(text: &str, default: &str) -> String {
    match text.trim() {
        "" => default.to_owned(),
        t => t.to_owned(),
    }
}

/// Reads the form; its errors name the setting. What the types do not say
/// (required fields, web addresses) the workflow checks.
fn parse(f: &MessageSettingsForm) -> Answer<MessageSettings> {
    let smtp = match f.smtp_host.trim() {
        "" => None,
        host => {
            let security = SmtpSecurity::from_str(f.smtp_tls.trim()).map_err(setting)?;
            let port = match f.smtp_port.trim() {
                "" => security.default_port(),
                p => p.parse().map_err(|_| ErrorDto::field("smtp-port", "Enter a port from 1 to 65535."))?,
            };
            Some(SmtpSettings {
                host: host.to_owned(),
                port,
                security,
                username: Some(f.smtp_user.trim().to_owned()).filter(|u| !u.is_empty()),
                from: f.from.trim().to_owned(),
            })
        }
    };
    let sms = match f.sms_provider.trim() {
        "" | "none" => None,
        kind => {
            let kind = SmsProviderKind::from_str(kind).map_err(setting)?;
            let base_url = or(&f.sms_base_url, kind.default_base_url());
            Some(match kind {
                SmsProviderKind::Twilio => SmsProvider::Twilio {
                    base_url,
                    account_sid: f.sms_account.trim().to_owned(),
                    from: f.sms_from.trim().to_owned(),
                },
                SmsProviderKind::AfricasTalking => SmsProvider::AfricasTalking {
                    base_url,
                    username: f.sms_account.trim().to_owned(),
                    sender_id: Some(f.sms_from.trim().to_owned()).filter(|s| !s.is_empty()),
                },
                SmsProviderKind::Generic => SmsProvider::Generic {
                    url: f.sms_url.trim().to_owned(),
                    method: HttpMethod::from_str(f.sms_method.trim()).map_err(setting)?,
                    headers: headers(&f.sms_headers)?,
                    body: GenericBody::from_str(f.sms_body.trim()).map_err(setting)?,
                    template: f.sms_template.trim().to_owned(),
                },
            })
        }
    };
    let whatsapp = match f.whatsapp_phone_number_id.trim() {
        "" => None,
        id => Some(WhatsappSettings {
            base_url: or(&f.whatsapp_base_url, WhatsappSettings::DEFAULT_BASE_URL),
            api_version: or(&f.whatsapp_api_version, WhatsappSettings::DEFAULT_API_VERSION),
            phone_number_id: id.to_owned(),
        }),
    };
    Ok(MessageSettings {
        smtp,
        sms,
        whatsapp,
        quiet_hours: match f.quiet_hours.trim() {
            "" | "none" => None,
            q => Some(QuietHours::from_str(q).map_err(setting)?),
        },
        reminder_days: ReminderDays::from_str(&f.reminder_days).map_err(setting)?,
        default_country: Country::from_str(&f.default_country).map_err(setting)?,
        default_language: Language::from_str(&f.default_language)
            .map_err(|e| ErrorDto::field("default-language", sentence(&e.to_string())))?,
        isp_phone: f.isp_phone.trim().to_owned(),
        email_rate: rate("email-rate", &f.email_rate)?,
        sms_rate: rate("sms-rate", &f.sms_rate)?,
        whatsapp_rate: rate("whatsapp-rate", &f.whatsapp_rate)?,
    })
}

/// A generic gateway's headers, one `Name: value` a line.
fn headers(text: &str) -> Answer<Vec<(String, String)>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.trim().to_owned())),
            _ => Err(ErrorDto::field("sms-headers", format!("Write each header as `Name: value`, not {line:?}."))),
        })
        .collect()
}

/// A typed secret, as typed, or `None` (keep the stored one) when left
/// empty.
fn secret(text: &str) -> Option<Secret> {
    Some(text).filter(|t| !t.is_empty()).map(|t| Secret::new(t.to_owned()))
}

async fn view(state: &AppState, settings: &MessageSettings) -> Answer<MessageSettingsView> {
    let credentials = state.workflows.message_credentials_set().await.map_err(workflow_error)?;
    Ok(MessageSettingsView {
        form: form(settings),
        credentials: credentials.into_iter().map(|c| c.as_str().to_owned()).collect(),
    })
}

#[tauri::command]
pub async fn get_message_settings(state: State<'_, AppState>) -> Answer<MessageSettingsView> {
    let settings = state.workflows.message_settings().await.map_err(workflow_error)?;
    view(&state, &settings).await
}

#[tauri::command]
pub async fn save_message_settings(
    state: State<'_, AppState>,
    form: MessageSettingsForm,
) -> Answer<MessageSettingsView> {
    let settings = parse(&form)?;
    let credentials = ProviderCredentials {
        email: secret(&form.smtp_password),
        sms: secret(&form.sms_token),
        whatsapp: secret(&form.whatsapp_token),
    };
    state.workflows.set_message_settings(&Actor::Operator, &settings, credentials).await.map_err(workflow_error)?;
    view(&state, &settings).await
}

/// Sends a test message now through the saved settings; the provider's
/// refusal comes back at the "to" field, in its words.
#[tauri::command]
pub async fn send_test_message(state: State<'_, AppState>, test: TestMessageForm) -> Answer<TestMessageSent> {
    let channel = channel("channel", &test.channel)?;
    if test.to.trim().is_empty() {
        return Err(ErrorDto::field("to", "Enter where the test goes: an address or a phone number."));
    }
    let id = state.workflows.send_test_message(channel, &test.to).await.map_err(workflow_error)?;
    Ok(TestMessageSent { provider_id: id.unwrap_or_default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_and_names_bad_fields() {
        let mut settings = MessageSettings {
            smtp: Some(SmtpSettings {
                host: "127.0.0.1".into(),
                port: 2525,
                security: SmtpSecurity::None,
                username: Some("billing@isp.test".into()),
                from: "Fibra <billing@isp.test>".into(),
            }),
            sms: Some(SmsProvider::Generic {
                url: "http://127.0.0.1:9/send".into(),
                method: HttpMethod::Post,
                headers: vec![("X-Api-Key".into(), "{secret}".into())],
                body: GenericBody::Json,
                template: r#"{"to":"{to}","text":"{text}"}"#.into(),
            }),
            quiet_hours: Some("21:00-08:00".parse().unwrap()),
            ..MessageSettings::default()
        };
        assert_eq!(parse(&form(&settings)).unwrap(), settings);
        settings.sms = Some(SmsProvider::Twilio {
            base_url: "https://api.twilio.com".into(),
            account_sid: "AC1".into(),
            from: "+15550001".into(),
        });
        assert_eq!(parse(&form(&settings)).unwrap(), settings);
        assert_eq!(parse(&form(&MessageSettings::default())).unwrap(), MessageSettings::default());

        let good = form(&settings);
        let field = |f: MessageSettingsForm| parse(&f).err().and_then(|e| e.field);
        let bad = [
            (MessageSettingsForm { smtp_port: "x".into(), ..good.clone() }, "smtp-port"),
            (MessageSettingsForm { smtp_tls: "ssl".into(), ..good.clone() }, "smtp-tls"),
            (MessageSettingsForm { sms_provider: "carrier-pigeon".into(), ..good.clone() }, "sms-provider"),
            (MessageSettingsForm { quiet_hours: "late".into(), ..good.clone() }, "quiet-hours"),
            (MessageSettingsForm { reminder_days: "0".into(), ..good.clone() }, "reminder-days"),
            (MessageSettingsForm { default_country: "XX".into(), ..good.clone() }, "default-country"),
            (MessageSettingsForm { default_language: "english".into(), ..good.clone() }, "default-language"),
            (MessageSettingsForm { sms_rate: "0".into(), ..good.clone() }, "sms-rate"),
            (
                MessageSettingsForm { sms_provider: "generic".into(), sms_headers: "nocolon".into(), ..good },
                "sms-headers",
            ),
        ];
        for (f, expected) in bad {
            assert_eq!(field(f).as_deref(), Some(expected));
        }
    }

    #[test]
    fn empty_secrets_keep_the_stored_ones() {
        assert!(secret("").is_none());
        assert_eq!(secret(" pw").map(|s| s.expose().to_owned()).as_deref(), Some(" pw"));
    }
}
