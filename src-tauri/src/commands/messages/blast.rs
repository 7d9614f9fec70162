//! Blasts: the operator's message to every customer a filter picks,
//! counted before it is sent; and what the Messages pickers offer.

use std::str::FromStr;

use headend_core::activity::Actor;
use headend_core::messages::{Channel, Language, MessageEvent};
use headend_core::service::ServiceStatus;
use headend_core::{OltId, PlanId, PopId, RouterId};
use headend_ipc::ErrorDto;
use headend_ipc::messages::{
    BlastFilterDto, BlastForm, BlastPreviewDto, BlastSentDto, ChannelCount, Choice, MessageOptions, OltChoice,
};
use headend_store::BlastFilter;
use headend_workflows::messages::BlastInput;
use tauri::State;

use crate::commands::{Answer, db, sentence, workflow_error};
use crate::state::AppState;

fn filter(f: &BlastFilterDto) -> Answer<BlastFilter> {
    let status = match f.status.trim() {
        "" => None,
        s => Some(ServiceStatus::from_str(s).map_err(|e| ErrorDto::field("status", sentence(&e.to_string())))?),
    };
    let port = Some(f.port.trim().to_owned()).filter(|p| !p.is_empty());
    let olt = match (f.olt_id, port) {
        (Some(olt), port) => Some((OltId(olt), port)),
        (None, None) => None,
        (None, Some(_)) => return Err(ErrorDto::field("port", "Pick the OLT of the PON port.")),
    };
    Ok(BlastFilter {
        router: f.router_id.map(RouterId),
        pop: f.pop_id.map(PopId),
        plan: f.plan_id.map(PlanId),
        status,
        olt,
    })
}

/// The events with templates, the channels, the built-in languages, the
/// customers to preview on, and what a blast can be filtered by.
#[tauri::command]
pub async fn message_options(state: State<'_, AppState>) -> Answer<MessageOptions> {
    let store = &state.store;
    let choice = |id: i64, name: &str| Choice { id, name: name.to_owned() };
    let mut customers: Vec<Choice> =
        store.customers().await.map_err(db)?.iter().map(|c| choice(c.id.0, &c.name)).collect();
    customers.sort_by_cached_key(|c| c.name.to_lowercase());
    let mut olts = Vec::new();
    for olt in store.olts().await.map_err(db)? {
        let ports = store.pon_ports(olt.id).await.map_err(db)?.into_iter().map(|p| p.name).collect();
        olts.push(OltChoice { id: olt.id.0, name: olt.name, ports });
    }
    Ok(MessageOptions {
        events: MessageEvent::ALL
            .into_iter()
            .filter(|e| *e != MessageEvent::Blast)
            .map(|e| e.as_str().to_owned())
            .collect(),
        channels: Channel::ALL.into_iter().map(|c| c.as_str().to_owned()).collect(),
        languages: Language::BUILT_IN.into_iter().map(str::to_owned).collect(),
        blast_placeholders: MessageEvent::Blast.placeholders().iter().map(|p| p.name().to_owned()).collect(),
        customers,
        routers: store.routers().await.map_err(db)?.iter().map(|r| choice(r.id.0, &r.name)).collect(),
        pops: store.pops().await.map_err(db)?.iter().map(|p| choice(p.id.0, &p.name)).collect(),
        plans: store.plans().await.map_err(db)?.iter().map(|p| choice(p.id.0, &p.name)).collect(),
        olts,
    })
}

#[tauri::command]
pub async fn preview_blast(state: State<'_, AppState>, filter: BlastFilterDto) -> Answer<BlastPreviewDto> {
    let preview = state.workflows.preview_blast(&self::filter(&filter)?).await.map_err(workflow_error)?;
    Ok(BlastPreviewDto {
        customers: preview.customers,
        by_channel: preview
            .by_channel
            .into_iter()
            .map(|(channel, count)| ChannelCount { channel: channel.as_str().to_owned(), count })
            .collect(),
        unreachable: preview.unreachable,
    })
}

#[tauri::command]
pub async fn send_blast(state: State<'_, AppState>, form: BlastForm) -> Answer<BlastSentDto> {
    let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    let input = BlastInput {
        filter: filter(&form.filter)?,
        subject: text(&form.subject),
        body: form.body.clone(),
        whatsapp_name: text(&form.whatsapp_name),
    };
    let sent = state.workflows.send_blast(&Actor::Operator, &input).await.map_err(workflow_error)?;
    Ok(BlastSentDto { id: sent.id, queued: sent.queued })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_needs_its_olt() {
        let port_only = BlastFilterDto { port: "0/1/0".into(), ..BlastFilterDto::default() };
        assert_eq!(filter(&port_only).err().and_then(|e| e.field).as_deref(), Some("port"));
        let outage = BlastFilterDto { olt_id: Some(2), ..port_only };
        assert_eq!(filter(&outage).unwrap().olt, Some((OltId(2), Some("0/1/0".to_owned()))));
        let bad = BlastFilterDto { status: "sleeping".into(), ..BlastFilterDto::default() };
        assert_eq!(filter(&bad).err().and_then(|e| e.field).as_deref(), Some("status"));
    }
}
