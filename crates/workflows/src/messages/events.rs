//! The messages billing events cause, made inside their transactions:
//! an invoice issued, a payment received, a service put back on.

use std::collections::HashMap;

use headend_core::messages::MessageEvent;
use headend_core::messages::outbox::{Attachment, EventKey};
use headend_core::messages::template::Placeholder;
use headend_core::{CustomerId, ServiceId};
use headend_store::{Contact, IssuedInvoice, NewMessage, PaymentOutcome, Write};
use jiff::civil::Date;

use super::compose::Composer;
use crate::WorkflowError;

impl Composer {
    /// Whether any channel is set up: without one no event queues anything
    /// (and reads nothing to find out).
    pub(crate) fn sends_anything(&self) -> bool {
        self.settings.smtp.is_some() || self.settings.sms.is_some() || self.settings.whatsapp.is_some()
    }

    /// The contacts of `customers` as `write` sees them, by id.
    async fn contacts(
        &self,
        write: &mut Write,
        customers: impl Iterator<Item = CustomerId>,
    ) -> Result<HashMap<CustomerId, Contact>, WorkflowError> {
        let mut ids: Vec<CustomerId> = customers.collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(write.contacts(&ids).await?.into_iter().map(|c| (c.customer, c)).collect())
    }

    /// Queues an "invoice issued" message (the PDF on e-mail) for each of
    /// `issued`, in `write`.
    pub(crate) async fn queue_invoices_issued(
        &self,
        write: &mut Write,
        issued: &[IssuedInvoice],
    ) -> Result<(), WorkflowError> {
        if !self.sends_anything() || issued.is_empty() {
            return Ok(());
        }
        let contacts = self.contacts(write, issued.iter().map(|i| i.customer)).await?;
        let messages: Vec<NewMessage> = issued
            .iter()
            .filter_map(|inv| {
                let values = HashMap::from([
                    (Placeholder::InvoiceNumber, inv.number.clone()),
                    (Placeholder::AmountDue, self.money(inv.gross - inv.settled)),
                    (Placeholder::DueDate, inv.due_date.to_string()),
                ]);
                let contact = contacts.get(&inv.customer)?;
                let attachment = Some(Attachment::Invoice(inv.number.clone()));
                self.compose(MessageEvent::InvoiceIssued, EventKey::invoice_issued(inv.id), contact, values, attachment)
            })
            .collect();
        write.enqueue_messages(&messages).await?;
        Ok(())
    }

    /// Queues the receipt of `outcome` (the PDF on e-mail) and, when the
    /// payment put a service cut off since `cut_off_after` back on, the
    /// "reconnected" message, in `write`.
    pub(crate) async fn queue_payment(
        &self,
        write: &mut Write,
        outcome: &PaymentOutcome,
        reconnected: Option<(ServiceId, Date)>,
    ) -> Result<(), WorkflowError> {
        if !self.sends_anything() {
            return Ok(());
        }
        let payment = &outcome.payment;
        let contacts = self.contacts(write, std::iter::once(payment.customer)).await?;
        let Some(contact) = contacts.get(&payment.customer) else { return Ok(()) };
        let receipt = HashMap::from([
            (Placeholder::AmountPaid, self.money(payment.amount)),
            (Placeholder::ReceiptNumber, payment.receipt.clone()),
        ]);
        let mut messages: Vec<NewMessage> = self
            .compose(
                MessageEvent::PaymentReceived,
                EventKey::payment_received(payment.id),
                contact,
                receipt,
                Some(Attachment::Receipt(payment.receipt.clone())),
            )
            .into_iter()
            .collect();
        if let Some((service, paid_through)) = reconnected {
            let key = EventKey::reconnected(service, paid_through);
            messages.extend(self.compose(MessageEvent::Reconnected, key, contact, HashMap::new(), None));
        }
        write.enqueue_messages(&messages).await?;
        Ok(())
    }

    /// Queues `event`'s message, which fills only the common placeholders,
    /// to `customer`, in `write`.
    pub(crate) async fn queue_for_customer(
        &self,
        write: &mut Write,
        event: MessageEvent,
        key: EventKey,
        customer: CustomerId,
    ) -> Result<(), WorkflowError> {
        if !self.sends_anything() {
            return Ok(());
        }
        let contacts = self.contacts(write, std::iter::once(customer)).await?;
        let Some(contact) = contacts.get(&customer) else { return Ok(()) };
        let messages: Vec<NewMessage> = self.compose(event, key, contact, HashMap::new(), None).into_iter().collect();
        write.enqueue_messages(&messages).await?;
        Ok(())
    }
}
