//! Messages from the terminal: `messages settings`, `run`, `list`,
//! `retry`, `template`, `test` and `blast`. Each subcommand parses its
//! flags, calls one workflow and prints; `--json` everywhere.

mod blast;
mod outbox;
mod settings;
mod template;

use headend_core::messages::Channel;

use crate::Globals;
use crate::open::open_workflows;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show the channels' providers, quiet hours and reminders, or change the ones given.
    Settings(Box<settings::Args>),
    /// Queue the reminders due now, then send what is queued (`--once`: one pass, then exit).
    Run(outbox::RunArgs),
    /// The outbox, newest first.
    List(outbox::ListArgs),
    /// Queue a failed message again, to the customer's address as it is now.
    Retry {
        /// The message's id (`messages list` shows it).
        id: i64,
    },
    /// Show, change or reset a template of one event, channel and language.
    #[command(subcommand)]
    Template(template::Command),
    /// Send a test message now, bypassing the outbox.
    Test {
        /// email, sms or whatsapp.
        channel: Channel,
        /// The e-mail address or phone number to send it to.
        #[arg(long)]
        to: String,
    },
    /// Write to every customer a filter picks (a router, POP, plan, status, OLT or PON port).
    Blast(blast::Args),
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = match command {
        Command::Settings(args) => settings::run(globals, &w, *args).await,
        Command::Run(args) => outbox::run(globals, &w, args).await,
        Command::List(args) => outbox::list(globals, &w, args).await,
        Command::Retry { id } => outbox::retry(globals, &w, id).await,
        Command::Template(command) => template::run(globals, &w, command).await,
        Command::Test { channel, to } => outbox::test(globals, &w, channel, &to).await,
        Command::Blast(args) => blast::run(globals, &w, args).await,
    };
    w.store().close().await;
    result
}
