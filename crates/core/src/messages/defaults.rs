//! CONTRACT: default templates.

use super::{Channel, MessageEvent};

pub fn template(_event: MessageEvent, _channel: Channel, _language: &str) -> Option<&'static str> {
    todo!()
}
