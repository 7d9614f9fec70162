//! The reminder run: "due in 3 days", "overdue" and "suspended" messages
//! for what the calendar (not an operator) brings about. Each is keyed by
//! its invoice or cut-off, so running it every few minutes, in two
//! processes, or after a day the machine was off queues each once.

use std::collections::HashMap;

use headend_core::CustomerId;
use headend_core::messages::MessageEvent;
use headend_core::messages::outbox::{EventKey, reminder_day};
use headend_core::messages::template::Placeholder;
use headend_store::{Contact, NewMessage};
use jiff::ToSpan;
use rust_decimal::Decimal;

use super::compose::Composer;
use crate::{WorkflowError, Workflows};

/// How late a run may still send an "overdue" or "suspended" message: a
/// run after a long pause (or the first after messages are set up) does
/// not write about months-old invoices.
pub const CATCH_UP_DAYS: i64 = 7;

/// What a reminder run queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReminderRun {
    pub due_soon: u64,
    pub overdue: u64,
    pub suspended: u64,
}

impl Workflows {
    /// Queues the reminders due today; see the module's doc.
    pub async fn queue_reminders(&self) -> Result<ReminderRun, WorkflowError> {
        let composer = Composer::load(&self.store).await?;
        if !composer.sends_anything() {
            return Ok(ReminderRun::default());
        }
        let (policy, today) = self.today().await?;
        let days = composer.settings.reminder_days.days().to_vec();
        let ahead = i64::from(days.first().copied().unwrap_or(0));
        let earliest = today.saturating_sub(CATCH_UP_DAYS.days());
        let invoices = self.store.invoices_due_between(earliest, today.saturating_add(ahead.days())).await?;
        // A cut-off is the day after due date + grace (at most a year).
        let late = self.store.late_services(earliest.saturating_sub(366.days()), today).await?;
        let cut_off: Vec<_> = late
            .into_iter()
            .filter_map(|s| {
                let through = policy.last_day_on(s.due, s.grace_days)?;
                (through < today && through >= earliest).then_some((s, through))
            })
            .collect();

        let mut customers: Vec<CustomerId> =
            invoices.iter().map(|i| i.customer).chain(cut_off.iter().map(|(s, _)| s.customer)).collect();
        customers.sort_unstable();
        customers.dedup();
        let contacts: HashMap<CustomerId, Contact> =
            self.store.contacts(&customers).await?.into_iter().map(|c| (c.customer, c)).collect();

        let mut run = ReminderRun::default();
        let mut messages: Vec<(MessageEvent, NewMessage)> = Vec::new();
        let digits = composer.billing().currency.minor_digits();
        for inv in &invoices {
            let Some(contact) = contacts.get(&inv.customer) else { continue };
            let until = i64::from((inv.due_date - today).get_days());
            let (event, key) = if until < 0 {
                (MessageEvent::Overdue, EventKey::overdue(inv.id))
            } else if let Some(day) = reminder_day(until, &days) {
                (MessageEvent::DueSoon, EventKey::due_soon(inv.id, day))
            } else {
                continue;
            };
            let values = HashMap::from([
                (Placeholder::InvoiceNumber, inv.number.clone()),
                (Placeholder::AmountDue, composer.money(Decimal::new(inv.left_minor, digits))),
                (Placeholder::DueDate, inv.due_date.to_string()),
            ]);
            messages.extend(composer.compose(event, key, contact, values, None).map(|m| (event, m)));
        }
        for (service, through) in &cut_off {
            let Some(contact) = contacts.get(&service.customer) else { continue };
            let key = EventKey::suspended(service.id, *through);
            let message = composer.compose(MessageEvent::Suspended, key, contact, HashMap::new(), None);
            messages.extend(message.map(|m| (MessageEvent::Suspended, m)));
        }
        if messages.is_empty() {
            return Ok(run);
        }
        // Queued one event kind at a time, to count what each queued (a
        // key already queued is skipped).
        let mut write = self.store.begin_write().await?;
        for event in [MessageEvent::DueSoon, MessageEvent::Overdue, MessageEvent::Suspended] {
            let batch: Vec<NewMessage> = messages.iter().filter(|(e, _)| *e == event).map(|(_, m)| m.clone()).collect();
            let queued = write.enqueue_messages(&batch).await?;
            match event {
                MessageEvent::DueSoon => run.due_soon = queued,
                MessageEvent::Overdue => run.overdue = queued,
                _ => run.suspended = queued,
            }
        }
        write.commit().await?;
        Ok(run)
    }
}
