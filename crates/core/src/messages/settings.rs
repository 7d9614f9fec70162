//! The ISP's message settings: the provider of each channel, quiet hours,
//! reminder days, the default country and language, and their bounds.
//! Passwords, tokens and API keys are not here: they are in the keyring.

use std::fmt;
use std::str::FromStr;

use super::phone::Country;
use super::quiet::QuietHours;
use super::{Channel, Language};
use crate::billing::settings::SettingError;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the
    /// server does not offer it.
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only when the operator says so (a relay on the same
    /// machine or LAN).
    None,
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        }
    }
}

impl FromStr for SmtpSecurity {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "starttls" => Ok(SmtpSecurity::StartTls),
            "tls" => Ok(SmtpSecurity::Tls),
            "none" => Ok(SmtpSecurity::None),
            _ => Err(SettingError::new("smtp-tls", format!("unknown SMTP security {s:?}: use starttls, tls or none"))),
        }
    }
}

/// The SMTP server e-mail goes through. Its password is in the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// The login; `None` sends without authenticating.
    pub username: Option<String>,
    /// The sender, `billing@isp.example` or `Fibra Sul <billing@isp.example>`.
    pub from: String,
}

/// Which SMS gateway carries text messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsProviderKind {
    Twilio,
    AfricasTalking,
    Generic,
}

impl SmsProviderKind {
    pub const ALL: [SmsProviderKind; 3] =
        [SmsProviderKind::Twilio, SmsProviderKind::AfricasTalking, SmsProviderKind::Generic];

    pub fn as_str(self) -> &'static str {
        match self {
            SmsProviderKind::Twilio => "twilio",
            SmsProviderKind::AfricasTalking => "africastalking",
            SmsProviderKind::Generic => "generic",
        }
    }

    /// Where the provider's API lives unless the operator says otherwise.
    pub fn default_base_url(self) -> &'static str {
        match self {
            SmsProviderKind::Twilio => "https://api.twilio.com",
            SmsProviderKind::AfricasTalking => "https://api.africastalking.com",
            SmsProviderKind::Generic => "",
        }
    }
}

impl FromStr for SmsProviderKind {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SmsProviderKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            SettingError::new(
                "sms-provider",
                format!("unknown SMS provider {s:?}: use twilio, africastalking or generic"),
            )
        })
    }
}

/// The HTTP method of a generic gateway's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HttpMethod {
    Get,
    #[default]
    Post,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

impl FromStr for HttpMethod {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(HttpMethod::Get),
            "POST" => Ok(HttpMethod::Post),
            _ => Err(SettingError::new("sms-method", format!("unknown method {s:?}: use GET or POST"))),
        }
    }
}

/// How a generic gateway's request carries the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GenericBody {
    /// `application/x-www-form-urlencoded` fields (or the query string of
    /// a GET).
    #[default]
    Form,
    /// A JSON document; the values put in are JSON-escaped.
    Json,
}

impl GenericBody {
    pub fn as_str(self) -> &'static str {
        match self {
            GenericBody::Form => "form",
            GenericBody::Json => "json",
        }
    }
}

impl FromStr for GenericBody {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "form" => Ok(GenericBody::Form),
            "json" => Ok(GenericBody::Json),
            _ => Err(SettingError::new("sms-body", format!("unknown body {s:?}: use form or json"))),
        }
    }
}

/// The SMS gateway and what it needs besides its secret (Twilio's auth
/// token, Africa's Talking's API key, a generic gateway's `{secret}`),
/// which is in the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsProvider {
    /// `POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`,
    /// HTTP basic authentication with the account SID and auth token.
    Twilio { base_url: String, account_sid: String, from: String },
    /// `POST {base_url}/version1/messaging`, the `apiKey` header.
    AfricasTalking { base_url: String, username: String, sender_id: Option<String> },
    /// Any gateway: `url` (with `{to}`, `{text}` and `{secret}` put in,
    /// URL-encoded), its method and headers (`{secret}` put in), and a body
    /// template (form `key=value&…` lines or a JSON document) with `{to}`,
    /// `{text}` and `{secret}`.
    Generic { url: String, method: HttpMethod, headers: Vec<(String, String)>, body: GenericBody, template: String },
}

impl SmsProvider {
    pub fn kind(&self) -> SmsProviderKind {
        match self {
            SmsProvider::Twilio { .. } => SmsProviderKind::Twilio,
            SmsProvider::AfricasTalking { .. } => SmsProviderKind::AfricasTalking,
            SmsProvider::Generic { .. } => SmsProviderKind::Generic,
        }
    }
}

/// The WhatsApp Business Cloud API account. Its access token is in the
/// keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsappSettings {
    /// `https://graph.facebook.com` unless the operator says otherwise.
    pub base_url: String,
    /// The Graph API version in the path, `v21.0`.
    pub api_version: String,
    /// The business phone number's id messages are sent from.
    pub phone_number_id: String,
}

impl WhatsappSettings {
    pub const DEFAULT_BASE_URL: &'static str = "https://graph.facebook.com";
    pub const DEFAULT_API_VERSION: &'static str = "v21.0";
}

/// How many messages a minute one channel's provider is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit(u32);

impl RateLimit {
    pub const MAX: u32 = 60_000;

    pub fn per_minute(self) -> u32 {
        self.0
    }

    pub fn new(per_minute: u32, setting: &'static str) -> Result<Self, SettingError> {
        if (1..=Self::MAX).contains(&per_minute) {
            Ok(RateLimit(per_minute))
        } else {
            Err(SettingError::new(setting, format!("{per_minute} a minute: use 1 to {}", Self::MAX)))
        }
    }

    /// The time between two messages at this rate.
    pub fn spacing(self) -> std::time::Duration {
        std::time::Duration::from_micros(60_000_000 / u64::from(self.0))
    }
}

/// Days before an invoice's due date its reminders go: `3,1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDays(Vec<u16>);

impl ReminderDays {
    pub const MAX_DAY: u16 = 60;
    pub const MAX_COUNT: usize = 5;

    /// The days, largest first, each once.
    pub fn days(&self) -> &[u16] {
        &self.0
    }
}

impl Default for ReminderDays {
    fn default() -> Self {
        ReminderDays(vec![3, 1])
    }
}

impl fmt::Display for ReminderDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days: Vec<String> = self.0.iter().map(u16::to_string).collect();
        f.write_str(&days.join(","))
    }
}

impl FromStr for ReminderDays {
    type Err = SettingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |m: String| SettingError::new("reminder-days", m);
        let mut days = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let day: u16 = part.parse().map_err(|_| err(format!("{part:?} is not a number of days")))?;
            if !(1..=Self::MAX_DAY).contains(&day) {
                return Err(err(format!("{day}: use 1 to {} days before the due date", Self::MAX_DAY)));
            }
            days.push(day);
        }
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        if days.len() > Self::MAX_COUNT {
            return Err(err(format!("at most {} reminders", Self::MAX_COUNT)));
        }
        Ok(ReminderDays(days))
    }
}

/// The ISP's message settings. A channel without a provider is not used:
/// no message is made for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSettings {
    pub smtp: Option<SmtpSettings>,
    pub sms: Option<SmsProvider>,
    pub whatsapp: Option<WhatsappSettings>,
    /// Hours no SMS or WhatsApp message goes, in the ISP's time zone.
    pub quiet_hours: Option<QuietHours>,
    pub reminder_days: ReminderDays,
    /// The country of a phone number written without its `+` prefix.
    pub default_country: Country,
    /// The language of a customer who has none, and the fallback of a
    /// language without templates.
    pub default_language: Language,
    /// The ISP's phone number, for `{isp_phone}`.
    pub isp_phone: String,
    pub email_rate: RateLimit,
    pub sms_rate: RateLimit,
    pub whatsapp_rate: RateLimit,
}

impl MessageSettings {
    pub fn rate(&self, channel: Channel) -> RateLimit {
        match channel {
            Channel::Email => self.email_rate,
            Channel::Sms => self.sms_rate,
            Channel::Whatsapp => self.whatsapp_rate,
        }
    }

    /// Whether `channel` has a provider to send through.
    pub fn configured(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.smtp.is_some(),
            Channel::Sms => self.sms.is_some(),
            Channel::Whatsapp => self.whatsapp.is_some(),
        }
    }
}

fn check_url(setting: &'static str, url: &str) -> Result<(), SettingError> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(SettingError::new(setting, format!("{url:?} is not a web address: write it as https://host/…"))),
    }
}

fn required(setting: &'static str, value: &str, what: &str) -> Result<(), SettingError> {
    if value.trim().is_empty() { Err(SettingError::new(setting, format!("{what} is required"))) } else { Ok(()) }
}

impl MessageSettings {
    /// Checks what the types alone do not: the fields each provider needs,
    /// web addresses, a generic gateway's template.
    pub fn check(&self) -> Result<(), SettingError> {
        if let Some(smtp) = &self.smtp {
            required("smtp-host", &smtp.host, "the SMTP server's name")?;
            if smtp.port == 0 {
                return Err(SettingError::new("smtp-port", "the port is 1 to 65535".into()));
            }
            if !smtp.from.contains('@') {
                return Err(SettingError::new("from", format!("{:?} is not an e-mail address", smtp.from)));
            }
        }
        match &self.sms {
            None => {}
            Some(SmsProvider::Twilio { base_url, account_sid, from }) => {
                check_url("sms-base-url", base_url)?;
                required("sms-account", account_sid, "Twilio's account SID")?;
                required("sms-from", from, "the number or sender id messages come from")?;
            }
            Some(SmsProvider::AfricasTalking { base_url, username, .. }) => {
                check_url("sms-base-url", base_url)?;
                required("sms-account", username, "the Africa's Talking username")?;
            }
            Some(SmsProvider::Generic { url, template, method, .. }) => {
                check_url("sms-url", url)?;
                let carries = |field: &str| url.contains(field) || template.contains(field);
                if !carries("{to}") || !carries("{text}") {
                    return Err(SettingError::new(
                        "sms-template",
                        "the gateway's address or body must carry {to} and {text}".into(),
                    ));
                }
                if *method == HttpMethod::Get && !template.trim().is_empty() && !url.contains("{text}") {
                    return Err(SettingError::new("sms-method", "a GET carries its fields in the address".into()));
                }
            }
        }
        if let Some(w) = &self.whatsapp {
            check_url("whatsapp-base-url", &w.base_url)?;
            required("whatsapp-phone-number-id", &w.phone_number_id, "the WhatsApp phone number id")?;
            required("whatsapp-api-version", &w.api_version, "the Graph API version")?;
        }
        Ok(())
    }
}

impl Default for MessageSettings {
    fn default() -> Self {
        Self {
            smtp: None,
            sms: None,
            whatsapp: None,
            quiet_hours: None,
            reminder_days: ReminderDays::default(),
            default_country: Country::default(),
            default_language: Language::english(),
            isp_phone: String::new(),
            email_rate: RateLimit(600),
            sms_rate: RateLimit(60),
            whatsapp_rate: RateLimit(60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_days_are_sorted_bounded_and_distinct() {
        assert_eq!("1, 3,3".parse::<ReminderDays>().map(|d| d.days().to_vec()), Ok(vec![3, 1]));
        assert_eq!("".parse::<ReminderDays>().map(|d| d.days().is_empty()), Ok(true));
        assert_eq!(ReminderDays::default().to_string(), "3,1");
        for bad in ["0", "61", "x", "1,2,3,4,5,6"] {
            let err = bad.parse::<ReminderDays>().expect_err(bad);
            assert_eq!(err.setting, "reminder-days");
        }
    }

    #[test]
    fn rate_limits_space_messages() {
        let rate = RateLimit::new(120, "sms-rate").expect("in bounds");
        assert_eq!(rate.spacing(), std::time::Duration::from_millis(500));
        assert!(RateLimit::new(0, "sms-rate").is_err());
        assert!(RateLimit::new(RateLimit::MAX + 1, "sms-rate").is_err());
    }

    #[test]
    fn providers_need_their_fields() {
        let mut s = MessageSettings::default();
        assert_eq!(s.check(), Ok(()));
        s.smtp = Some(SmtpSettings {
            host: "smtp.example.net".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: None,
            from: "Fibra <billing@example.net>".into(),
        });
        assert_eq!(s.check(), Ok(()));
        s.sms = Some(SmsProvider::Generic {
            url: "http://127.0.0.1:9000/send".into(),
            method: HttpMethod::Post,
            headers: vec![],
            body: GenericBody::Json,
            template: r#"{"to":"{to}"}"#.into(),
        });
        assert_eq!(s.check().map_err(|e| e.setting), Err("sms-template"));
        s.sms = Some(SmsProvider::Twilio { base_url: "ftp://x".into(), account_sid: "AC1".into(), from: "+1".into() });
        assert_eq!(s.check().map_err(|e| e.setting), Err("sms-base-url"));
        s.sms = None;
        s.whatsapp = Some(WhatsappSettings {
            base_url: WhatsappSettings::DEFAULT_BASE_URL.into(),
            api_version: WhatsappSettings::DEFAULT_API_VERSION.into(),
            phone_number_id: " ".into(),
        });
        assert_eq!(s.check().map_err(|e| e.setting), Err("whatsapp-phone-number-id"));
    }

    #[test]
    fn words_parse() {
        for k in SmsProviderKind::ALL {
            assert_eq!(k.as_str().parse::<SmsProviderKind>(), Ok(k));
        }
        assert_eq!("tls".parse::<SmtpSecurity>(), Ok(SmtpSecurity::Tls));
        assert_eq!("get".parse::<HttpMethod>(), Ok(HttpMethod::Get));
        assert!("smoke".parse::<SmtpSecurity>().is_err());
    }
}
