//! Arbitrary text as what an operator types for messages: a template file
//! of every channel and event, a customer's phone number, an SMS. Each is
//! accepted or refused with an error, never a panic; an accepted template
//! renders, gives one WhatsApp parameter per placeholder, and reads back
//! the same from the text it writes.

#![no_main]

use headend_core::messages::phone::{self, Country};
use headend_core::messages::sms;
use headend_core::messages::template::{MessageTemplate, Placeholder, Values};
use headend_core::messages::{Channel, MessageEvent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let values: Values = Placeholder::ALL.into_iter().map(|p| (p, format!("{} {{x}}\n", p.name()))).collect();
    for channel in Channel::ALL {
        for event in MessageEvent::ALL {
            let Ok(template) = MessageTemplate::parse(channel, event, text) else { continue };
            let rendered = template.render(&values);
            let expected = if channel == Channel::Whatsapp { template.body.placeholders().len() } else { 0 };
            assert_eq!(rendered.parameters.len(), expected);
            assert_eq!(rendered.subject.is_some(), channel == Channel::Email);
            assert_eq!(MessageTemplate::parse(channel, event, &template.to_text()), Ok(template));
        }
    }
    let length = sms::length(text);
    assert_eq!(length.segments == 0, text.is_empty());
    for country in ["KE", "US", "BR"] {
        if let Ok(country) = country.parse::<Country>()
            && let Ok(number) = phone::normalize(text, country)
        {
            let digits = number.as_str().strip_prefix('+');
            assert!(digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())));
        }
    }
});
