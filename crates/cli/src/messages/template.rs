//! `headend messages template show | set | reset`.

use std::path::PathBuf;
use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::messages::sms;
use headend_core::messages::{Channel, Language, MessageEvent};
use headend_workflows::Workflows;
use headend_workflows::messages::TemplateView;
use serde::Serialize;

use crate::{Globals, output};

#[derive(Debug, clap::Args)]
pub struct Which {
    /// invoice-issued, payment-received, due-soon, overdue, suspended, reconnected or plan-changed.
    #[arg(value_parser = MessageEvent::from_str)]
    event: MessageEvent,
    /// email, sms or whatsapp.
    #[arg(value_parser = Channel::from_str)]
    channel: Channel,
    /// en, es, pt, fr, id, sw...
    #[arg(value_parser = Language::from_str)]
    language: Language,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print a template (the operator's, or Headend's default).
    Show(Which),
    /// Save a template from a file (or standard input with `--file -`); it is checked first.
    Set {
        #[command(flatten)]
        which: Which,
        /// E-mail: `Subject: …`, an empty line, the body. WhatsApp: `Template: NAME`, an empty line, the body.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Go back to Headend's default text.
    Reset(Which),
}

#[derive(Debug, Serialize)]
struct TemplateJson {
    event: &'static str,
    channel: &'static str,
    language: String,
    custom: bool,
    text: String,
    placeholders: Vec<&'static str>,
    sms_encoding: &'static str,
    sms_characters: usize,
    sms_segments: usize,
}

fn print(globals: &Globals, t: &TemplateView) -> anyhow::Result<()> {
    let length = sms::length(&t.text);
    let json = TemplateJson {
        event: t.event.as_str(),
        channel: t.channel.as_str(),
        language: t.language.to_string(),
        custom: t.custom,
        text: t.text.clone(),
        placeholders: t.placeholders.iter().map(|p| p.name()).collect(),
        sms_encoding: match length.encoding {
            sms::SmsEncoding::Gsm7 => "gsm-7",
            sms::SmsEncoding::Ucs2 => "ucs-2",
        },
        sms_characters: length.units,
        sms_segments: length.segments,
    };
    if globals.json {
        return output::json(&json);
    }
    let origin = if json.custom { "yours" } else { "Headend's default" };
    output::line(format!("# {} by {} in {} ({origin})", json.event, json.channel, json.language))?;
    let names: Vec<String> = json.placeholders.iter().map(|p| format!("{{{p}}}")).collect();
    output::line(format!("# placeholders: {}", names.join(" ")))?;
    if t.channel == Channel::Sms {
        output::line(format!(
            "# {} characters ({}), {} segment(s) before placeholders are filled",
            json.sms_characters, json.sms_encoding, json.sms_segments
        ))?;
    }
    output::line(&json.text)?;
    Ok(())
}

pub async fn run(globals: &Globals, w: &Workflows, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Show(x) => print(globals, &w.message_template(x.event, x.channel, &x.language).await?),
        Command::Set { which: x, file } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?
            };
            let saved = w.set_message_template(&Actor::Cli, x.event, x.channel, &x.language, text.trim_end()).await?;
            print(globals, &saved)
        }
        Command::Reset(x) => {
            print(globals, &w.reset_message_template(&Actor::Cli, x.event, x.channel, &x.language).await?)
        }
    }
}
