//! The templates: one event's text on one channel in one language, saved,
//! reset to Headend's default, and previewed on a real customer.

use headend_core::CustomerId;
use headend_core::activity::Actor;
use headend_core::messages::sms::SmsEncoding;
use headend_core::messages::{Channel, Language, MessageEvent};
use headend_ipc::messages::{TemplateDto, TemplateForm, TemplateKey, TemplatePreviewDto, TemplatePreviewForm};
use headend_workflows::messages::TemplateView;
use tauri::State;

use super::{channel, language, message_event};
use crate::commands::{Answer, workflow_error};
use crate::state::AppState;

fn dto(t: TemplateView) -> TemplateDto {
    TemplateDto {
        key: TemplateKey {
            event: t.event.as_str().to_owned(),
            channel: t.channel.as_str().to_owned(),
            language: t.language.as_str().to_owned(),
        },
        text: t.text,
        custom: t.custom,
        placeholders: t.placeholders.iter().map(|p| p.name().to_owned()).collect(),
    }
}

fn key(k: &TemplateKey) -> Answer<(MessageEvent, Channel, Language)> {
    Ok((message_event("event", &k.event)?, channel("channel", &k.channel)?, language("language", &k.language)?))
}

#[tauri::command]
pub async fn get_message_template(state: State<'_, AppState>, key: TemplateKey) -> Answer<TemplateDto> {
    let (event, channel, language) = self::key(&key)?;
    state.workflows.message_template(event, channel, &language).await.map(dto).map_err(workflow_error)
}

#[tauri::command]
pub async fn save_message_template(state: State<'_, AppState>, form: TemplateForm) -> Answer<TemplateDto> {
    let (event, channel, language) = key(&form.key)?;
    state
        .workflows
        .set_message_template(&Actor::Operator, event, channel, &language, &form.text)
        .await
        .map(dto)
        .map_err(workflow_error)
}

#[tauri::command]
pub async fn reset_message_template(state: State<'_, AppState>, key: TemplateKey) -> Answer<TemplateDto> {
    let (event, channel, language) = self::key(&key)?;
    state
        .workflows
        .reset_message_template(&Actor::Operator, event, channel, &language)
        .await
        .map(dto)
        .map_err(workflow_error)
}

/// The text as typed so far, rendered for the customer picked.
#[tauri::command]
pub async fn preview_message_template(
    state: State<'_, AppState>,
    form: TemplatePreviewForm,
) -> Answer<TemplatePreviewDto> {
    let event = message_event("event", &form.event)?;
    let channel = channel("channel", &form.channel)?;
    let p = state
        .workflows
        .preview_message_template(event, channel, &form.text, CustomerId(form.customer_id))
        .await
        .map_err(workflow_error)?;
    Ok(TemplatePreviewDto {
        customer_name: p.customer_name,
        subject: p.subject.unwrap_or_default(),
        body: p.body,
        whatsapp_name: p.whatsapp_name.unwrap_or_default(),
        parameters: p.parameters,
        encoding: match p.length.encoding {
            SmsEncoding::Gsm7 => "GSM-7",
            SmsEncoding::Ucs2 => "UCS-2",
        }
        .to_owned(),
        characters: p.length.units as u64,
        segments: p.length.segments as u64,
    })
}
