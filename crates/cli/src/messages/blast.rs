//! `headend messages blast`: a message to every customer a filter picks,
//! with the count shown first (`--dry-run` shows only that).

use std::path::PathBuf;
use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::service::ServiceStatus;
use headend_store::BlastFilter;
use headend_workflows::Workflows;
use headend_workflows::messages::{BlastInput, BlastPreview};
use serde::Serialize;

use crate::{Globals, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customers with a service on this router.
    #[arg(long, value_name = "NAME")]
    router: Option<String>,
    /// ... at this POP.
    #[arg(long, value_name = "NAME")]
    pop: Option<String>,
    /// ... on this plan.
    #[arg(long, value_name = "NAME")]
    plan: Option<String>,
    /// ... in this status: active, suspended...
    #[arg(long, value_parser = ServiceStatus::from_str)]
    status: Option<ServiceStatus>,
    /// ... whose ONU is on this OLT: an outage.
    #[arg(long, value_name = "NAME")]
    olt: Option<String>,
    /// ... on this PON port of the OLT (0/1/0).
    #[arg(long, requires = "olt")]
    port: Option<String>,
    /// The text: optional `Subject: …` and `Template: NAME` (WhatsApp) lines, an empty line, the body.
    #[arg(long, value_name = "FILE")]
    template: PathBuf,
    /// Only count who it would reach.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Serialize)]
struct BlastJson {
    customers: u64,
    reachable: Vec<(&'static str, u64)>,
    unreachable: u64,
    blast_id: Option<i64>,
    queued: Option<u64>,
}

/// The blast file: header lines (`Subject:`, `Template:`) up to the first
/// empty line, then the body; a file without headers is all body.
fn parse_file(text: &str) -> (Option<String>, Option<String>, String) {
    let (mut subject, mut whatsapp) = (None, None);
    let mut lines = text.lines().peekable();
    let has_headers = text.lines().next().is_some_and(|l| l.starts_with("Subject:") || l.starts_with("Template:"));
    if has_headers {
        while let Some(line) = lines.next_if(|l| !l.trim().is_empty()) {
            if let Some(s) = line.strip_prefix("Subject:") {
                subject = Some(s.trim().to_owned());
            } else if let Some(t) = line.strip_prefix("Template:") {
                whatsapp = Some(t.trim().to_owned());
            }
        }
        lines.next();
    }
    let body: Vec<&str> = lines.collect();
    (subject, whatsapp, body.join("\n").trim_end().to_owned())
}

pub async fn run(globals: &Globals, w: &Workflows, a: Args) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.template)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.template.display()))?;
    let (subject, whatsapp_name, body) = parse_file(&text);
    let store = w.store();
    let missing = |what: &str, name: &str| anyhow::anyhow!("there is no {what} named {name:?}");
    let mut filter = BlastFilter { status: a.status, ..BlastFilter::default() };
    if let Some(name) = &a.router {
        filter.router = Some(store.router_by_name(name).await?.ok_or_else(|| missing("router", name))?.id);
    }
    if let Some(name) = &a.pop {
        filter.pop = Some(store.pop_by_name(name).await?.ok_or_else(|| missing("POP", name))?.id);
    }
    if let Some(name) = &a.plan {
        filter.plan = Some(store.plan_by_name(name).await?.ok_or_else(|| missing("plan", name))?.id);
    }
    if let Some(name) = &a.olt {
        let olt = store.olt_by_name(name).await?.ok_or_else(|| missing("OLT", name))?.id;
        filter.olt = Some((olt, a.port.clone()));
    }
    let preview: BlastPreview = w.preview_blast(&filter).await?;
    let mut json = BlastJson {
        customers: preview.customers,
        reachable: preview.by_channel.iter().map(|(c, n)| (c.as_str(), *n)).collect(),
        unreachable: preview.unreachable,
        blast_id: None,
        queued: None,
    };
    if !a.dry_run {
        let sent = w.send_blast(&Actor::Cli, &BlastInput { filter, subject, body, whatsapp_name }).await?;
        json.blast_id = Some(sent.id);
        json.queued = Some(sent.queued);
    }
    if globals.json {
        return output::json(&json);
    }
    let by: Vec<String> = json.reachable.iter().map(|(c, n)| format!("{n} by {c}")).collect();
    output::line(format!(
        "{} customer(s): {}; {} unreachable (no address, or opted out).",
        json.customers,
        if by.is_empty() { "none reachable".to_owned() } else { by.join(", ") },
        json.unreachable
    ))?;
    match (json.blast_id, json.queued) {
        (Some(id), Some(queued)) => output::line(format!("Blast {id}: {queued} message(s) queued."))?,
        _ => output::line("Dry run: nothing queued.")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_then_body() {
        let (s, t, b) = parse_file("Subject: Outage\nTemplate: outage_notice\n\nFibre cut on {plan}.\nSorry!\n");
        assert_eq!(
            (s.as_deref(), t.as_deref(), b.as_str()),
            (Some("Outage"), Some("outage_notice"), "Fibre cut on {plan}.\nSorry!")
        );
        let (s, t, b) = parse_file("Just text\n\nmore");
        assert_eq!((s, t, b.as_str()), (None, None, "Just text\n\nmore"));
    }
}
