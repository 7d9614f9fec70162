//! `headend messages settings`: the providers, quiet hours, reminders,
//! default country and language, and the credentials (standard input).

use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::messages::Language;
use headend_core::messages::phone::Country;
use headend_core::messages::quiet::QuietHours;
use headend_core::messages::settings::{
    GenericBody, HttpMethod, MessageSettings, RateLimit, ReminderDays, SmsProvider, SmsProviderKind, SmtpSecurity,
    SmtpSettings, WhatsappSettings,
};
use headend_secrets::Secret;
use headend_workflows::Workflows;
use headend_workflows::messages::ProviderCredentials;
use serde::Serialize;

use crate::{Globals, input, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The SMTP server e-mail goes through ("" removes e-mail).
    #[arg(long, value_name = "HOST")]
    smtp_host: Option<String>,
    /// Its port (default: 587 for starttls, 465 for tls, 25 for none).
    #[arg(long, value_name = "PORT")]
    smtp_port: Option<u16>,
    /// Its login.
    #[arg(long, value_name = "USER")]
    smtp_user: Option<String>,
    /// Read the SMTP password from standard input (kept in the keyring).
    #[arg(long, group = "stdin")]
    smtp_password_stdin: bool,
    /// starttls (port 587), tls (465) or none (a relay you trust).
    #[arg(long, value_parser = SmtpSecurity::from_str)]
    smtp_tls: Option<SmtpSecurity>,
    /// The sender: billing@isp.example or "Fibra Sul <billing@isp.example>".
    #[arg(long, value_name = "ADDR")]
    from: Option<String>,
    /// twilio, africastalking or generic ("none" removes SMS).
    #[arg(long, value_name = "PROVIDER")]
    sms_provider: Option<String>,
    /// The provider's API address (tests point it at loopback); a generic gateway's URL with {to} {text} {secret}.
    #[arg(long, value_name = "URL")]
    sms_url: Option<String>,
    /// Twilio's account SID, or the Africa's Talking username.
    #[arg(long, value_name = "ID")]
    sms_account: Option<String>,
    /// The number or sender id SMS come from.
    #[arg(long, value_name = "FROM")]
    sms_from: Option<String>,
    /// Read the SMS credential (auth token, API key, {secret}) from standard input.
    #[arg(long, group = "stdin")]
    sms_token_stdin: bool,
    /// Generic gateway: GET or POST.
    #[arg(long, value_parser = HttpMethod::from_str)]
    sms_method: Option<HttpMethod>,
    /// Generic gateway: a header, `Name: value` ({secret} put in); repeat for more.
    #[arg(long = "sms-header", value_name = "HEADER")]
    sms_headers: Vec<String>,
    /// Generic gateway: form (key=value lines) or json.
    #[arg(long, value_parser = GenericBody::from_str)]
    sms_body: Option<GenericBody>,
    /// Generic gateway: the body template with {to} {text} {secret} (\n for new lines).
    #[arg(long, value_name = "TEMPLATE")]
    sms_template: Option<String>,
    /// The WhatsApp Business phone number id ("" removes WhatsApp).
    #[arg(long, value_name = "ID")]
    whatsapp_phone_id: Option<String>,
    /// The Cloud API's address (default https://graph.facebook.com).
    #[arg(long, value_name = "URL")]
    whatsapp_url: Option<String>,
    /// The Graph API version (default v21.0).
    #[arg(long, value_name = "VERSION")]
    whatsapp_api_version: Option<String>,
    /// Read the WhatsApp access token from standard input.
    #[arg(long, group = "stdin")]
    whatsapp_token_stdin: bool,
    /// No SMS or WhatsApp in these hours (ISP's time zone): 21:00-08:00; "none" for none.
    #[arg(long, value_name = "HH:MM-HH:MM")]
    quiet_hours: Option<String>,
    /// Days before the due date reminders go: 3,1 ("" for none).
    #[arg(long, value_name = "DAYS", value_parser = ReminderDays::from_str)]
    reminder_days: Option<ReminderDays>,
    /// The country of numbers written without +: KE, BR, ID...
    #[arg(long, value_name = "CC", value_parser = Country::from_str)]
    default_country: Option<Country>,
    /// The language of customers who have none: en, es, pt, fr, id, sw...
    #[arg(long, value_name = "LANG", value_parser = Language::from_str)]
    default_language: Option<Language>,
    /// The ISP's phone number, for {isp_phone}.
    #[arg(long, value_name = "PHONE")]
    isp_phone: Option<String>,
    /// E-mails a minute at most.
    #[arg(long, value_name = "N")]
    email_rate: Option<u32>,
    /// SMS a minute at most.
    #[arg(long, value_name = "N")]
    sms_rate: Option<u32>,
    /// WhatsApp messages a minute at most.
    #[arg(long, value_name = "N")]
    whatsapp_rate: Option<u32>,
}

#[derive(Debug, Serialize)]
struct SettingsJson {
    email: Option<EmailJson>,
    sms: Option<SmsJson>,
    whatsapp: Option<WhatsappJson>,
    quiet_hours: Option<String>,
    reminder_days: Vec<u16>,
    default_country: String,
    default_language: String,
    isp_phone: String,
    rates_per_minute: RatesJson,
    credentials: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct EmailJson {
    host: String,
    port: u16,
    tls: &'static str,
    user: Option<String>,
    from: String,
}

#[derive(Debug, Serialize)]
struct SmsJson {
    provider: &'static str,
    url: String,
    account: Option<String>,
    from: Option<String>,
}

#[derive(Debug, Serialize)]
struct WhatsappJson {
    url: String,
    api_version: String,
    phone_number_id: String,
}

#[derive(Debug, Serialize)]
struct RatesJson {
    email: u32,
    sms: u32,
    whatsapp: u32,
}

fn rate(n: Option<u32>, current: RateLimit, setting: &'static str) -> anyhow::Result<RateLimit> {
    match n {
        None => Ok(current),
        Some(n) => RateLimit::new(n, setting).map_err(|e| anyhow::anyhow!("--{setting}: {}", e.message)),
    }
}

fn apply(s: &mut MessageSettings, a: &Args) -> anyhow::Result<()> {
    match a.smtp_host.as_deref().map(str::trim) {
        Some("") => s.smtp = None,
        Some(host) => {
            let security = a.smtp_tls.or(s.smtp.as_ref().map(|m| m.security)).unwrap_or_default();
            let current = s.smtp.take();
            s.smtp = Some(SmtpSettings {
                host: host.to_owned(),
                port: current.as_ref().map_or(security.default_port(), |m| m.port),
                security,
                username: current.as_ref().and_then(|m| m.username.clone()),
                from: current.map(|m| m.from).unwrap_or_default(),
            });
        }
        None => {}
    }
    if let Some(smtp) = &mut s.smtp {
        if let Some(security) = a.smtp_tls {
            if a.smtp_port.is_none() && smtp.port == smtp.security.default_port() {
                smtp.port = security.default_port();
            }
            smtp.security = security;
        }
        if let Some(port) = a.smtp_port {
            smtp.port = port;
        }
        if let Some(user) = &a.smtp_user {
            smtp.username = Some(user.trim().to_owned()).filter(|u| !u.is_empty());
        }
        if let Some(from) = &a.from {
            smtp.from = from.trim().to_owned();
        }
    } else if a.smtp_port.is_some() || a.smtp_user.is_some() || a.from.is_some() || a.smtp_tls.is_some() {
        anyhow::bail!("e-mail is not set up: give --smtp-host first");
    }
    match a.sms_provider.as_deref() {
        Some("none") => s.sms = None,
        Some(kind) => {
            let kind: SmsProviderKind = kind.parse().map_err(|e: headend_core::billing::settings::SettingError| {
                anyhow::anyhow!("--sms-provider: {}", e.message)
            })?;
            // Naming the provider in use again keeps its fields.
            let same = s.sms.as_ref().is_some_and(|p| p.kind() == kind);
            let base_url = kind.default_base_url().to_owned();
            s.sms = if same { s.sms.take() } else { None }.or(Some(match kind {
                SmsProviderKind::Twilio => {
                    SmsProvider::Twilio { base_url, account_sid: String::new(), from: String::new() }
                }
                SmsProviderKind::AfricasTalking => {
                    SmsProvider::AfricasTalking { base_url, username: String::new(), sender_id: None }
                }
                SmsProviderKind::Generic => SmsProvider::Generic {
                    url: String::new(),
                    method: HttpMethod::Post,
                    headers: Vec::new(),
                    body: GenericBody::Form,
                    template: String::new(),
                },
            }));
        }
        None => {}
    }
    if let Some(sms) = &mut s.sms {
        match sms {
            SmsProvider::Twilio { base_url, account_sid, from } => {
                set(base_url, &a.sms_url);
                set(account_sid, &a.sms_account);
                set(from, &a.sms_from);
            }
            SmsProvider::AfricasTalking { base_url, username, sender_id } => {
                set(base_url, &a.sms_url);
                set(username, &a.sms_account);
                if let Some(f) = &a.sms_from {
                    *sender_id = Some(f.trim().to_owned()).filter(|f| !f.is_empty());
                }
            }
            SmsProvider::Generic { url, method, headers, body, template } => {
                set(url, &a.sms_url);
                if let Some(m) = a.sms_method {
                    *method = m;
                }
                if !a.sms_headers.is_empty() {
                    *headers = a
                        .sms_headers
                        .iter()
                        .map(|h| {
                            h.split_once(':')
                                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                                .ok_or_else(|| anyhow::anyhow!("--sms-header {h:?}: write it as `Name: value`"))
                        })
                        .collect::<anyhow::Result<_>>()?;
                }
                if let Some(b) = a.sms_body {
                    *body = b;
                }
                if let Some(t) = &a.sms_template {
                    *template = t.replace("\\n", "\n");
                }
            }
        }
    }
    match a.whatsapp_phone_id.as_deref().map(str::trim) {
        Some("") => s.whatsapp = None,
        Some(id) => {
            let current = s.whatsapp.take();
            s.whatsapp = Some(WhatsappSettings {
                base_url: current
                    .as_ref()
                    .map_or(WhatsappSettings::DEFAULT_BASE_URL.to_owned(), |w| w.base_url.clone()),
                api_version: current.map_or(WhatsappSettings::DEFAULT_API_VERSION.to_owned(), |w| w.api_version),
                phone_number_id: id.to_owned(),
            });
        }
        None => {}
    }
    if let Some(w) = &mut s.whatsapp {
        set(&mut w.base_url, &a.whatsapp_url);
        set(&mut w.api_version, &a.whatsapp_api_version);
    }
    if let Some(q) = a.quiet_hours.as_deref() {
        s.quiet_hours = match q.trim() {
            "" | "none" => None,
            q => Some(QuietHours::from_str(q).map_err(|e| anyhow::anyhow!("--quiet-hours: {}", e.message))?),
        };
    }
    if let Some(days) = &a.reminder_days {
        s.reminder_days = days.clone();
    }
    if let Some(c) = a.default_country {
        s.default_country = c;
    }
    if let Some(l) = &a.default_language {
        s.default_language = l.clone();
    }
    if let Some(p) = &a.isp_phone {
        s.isp_phone = p.trim().to_owned();
    }
    s.email_rate = rate(a.email_rate, s.email_rate, "email-rate")?;
    s.sms_rate = rate(a.sms_rate, s.sms_rate, "sms-rate")?;
    s.whatsapp_rate = rate(a.whatsapp_rate, s.whatsapp_rate, "whatsapp-rate")?;
    Ok(())
}

fn set(field: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        *field = v.trim().to_owned();
    }
}

pub async fn run(globals: &Globals, w: &Workflows, a: Args) -> anyhow::Result<()> {
    let mut s = w.message_settings().await?;
    let before = s.clone();
    apply(&mut s, &a)?;
    let read = |what: &str| input::read_password(what, "messages settings").map(Secret::new);
    let credentials = ProviderCredentials {
        email: a.smtp_password_stdin.then(|| read("SMTP password")).transpose()?,
        sms: a.sms_token_stdin.then(|| read("SMS gateway token")).transpose()?,
        whatsapp: a.whatsapp_token_stdin.then(|| read("WhatsApp access token")).transpose()?,
    };
    let new_credentials = credentials.email.is_some() || credentials.sms.is_some() || credentials.whatsapp.is_some();
    if s != before || new_credentials {
        w.set_message_settings(&Actor::Cli, &s, credentials).await?;
    }
    let credentials = w.message_credentials_set().await?;
    let json = SettingsJson {
        email: s.smtp.as_ref().map(|m| EmailJson {
            host: m.host.clone(),
            port: m.port,
            tls: m.security.as_str(),
            user: m.username.clone(),
            from: m.from.clone(),
        }),
        sms: s.sms.as_ref().map(|p| match p {
            SmsProvider::Twilio { base_url, account_sid, from } => SmsJson {
                provider: p.kind().as_str(),
                url: base_url.clone(),
                account: Some(account_sid.clone()),
                from: Some(from.clone()),
            },
            SmsProvider::AfricasTalking { base_url, username, sender_id } => SmsJson {
                provider: p.kind().as_str(),
                url: base_url.clone(),
                account: Some(username.clone()),
                from: sender_id.clone(),
            },
            SmsProvider::Generic { url, .. } => {
                SmsJson { provider: p.kind().as_str(), url: url.clone(), account: None, from: None }
            }
        }),
        whatsapp: s.whatsapp.as_ref().map(|w| WhatsappJson {
            url: w.base_url.clone(),
            api_version: w.api_version.clone(),
            phone_number_id: w.phone_number_id.clone(),
        }),
        quiet_hours: s.quiet_hours.map(|q| q.to_string()),
        reminder_days: s.reminder_days.days().to_vec(),
        default_country: s.default_country.to_string(),
        default_language: s.default_language.to_string(),
        isp_phone: s.isp_phone.clone(),
        rates_per_minute: RatesJson {
            email: s.email_rate.per_minute(),
            sms: s.sms_rate.per_minute(),
            whatsapp: s.whatsapp_rate.per_minute(),
        },
        credentials: credentials.iter().map(|c| c.as_str()).collect(),
    };
    if globals.json {
        return output::json(&json);
    }
    let has = |c: &str| if json.credentials.contains(&c) { "credential in the keyring" } else { "no credential" };
    let email = json.email.as_ref().map_or("not set up".to_owned(), |m| {
        format!("{}:{} ({}), from {}, {}", m.host, m.port, m.tls, m.from, has("email"))
    });
    let sms =
        json.sms.as_ref().map_or("not set up".to_owned(), |p| format!("{} at {}, {}", p.provider, p.url, has("sms")));
    let whatsapp = json.whatsapp.as_ref().map_or("not set up".to_owned(), |w| {
        format!("phone number id {} at {}/{}, {}", w.phone_number_id, w.url, w.api_version, has("whatsapp"))
    });
    let days: Vec<String> = json.reminder_days.iter().map(u16::to_string).collect();
    let rows = [
        ("E-mail", email),
        ("SMS", sms),
        ("WhatsApp", whatsapp),
        ("Quiet hours", json.quiet_hours.clone().unwrap_or_else(|| "none".into())),
        ("Reminders", if days.is_empty() { "none".into() } else { format!("{} day(s) before due", days.join(", ")) }),
        ("Country", json.default_country.clone()),
        ("Language", json.default_language.clone()),
        ("ISP phone", output::or_dash(Some(json.isp_phone.clone()).filter(|p| !p.is_empty()))),
        (
            "Rates",
            format!(
                "{} e-mail, {} SMS, {} WhatsApp a minute",
                json.rates_per_minute.email, json.rates_per_minute.sms, json.rates_per_minute.whatsapp
            ),
        ),
    ];
    for (label, value) in rows {
        output::line(format!("{label:<14}{}", output::safe(&value)))?;
    }
    Ok(())
}
