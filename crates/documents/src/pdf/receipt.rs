//! The receipt layout.

use super::blocks::{Emphasis, Highlight, Total, addressee, header, totals};
use super::layout::{Align, BODY, BODY_BOLD, BODY_MUTED, Column, Flow, Page};
use super::text::Fonts;
use crate::DocumentError;
use crate::amount::grouped;
use crate::model::ReceiptDocument;

pub(crate) fn lay_out(fonts: &Fonts, doc: &ReceiptDocument) -> Result<Vec<Page>, DocumentError> {
    let money = |amount| grouped(amount, doc.minor_digits);
    let with_currency = |amount| format!("{} {}", doc.currency, money(amount));
    let continued = (doc.issuer.name.clone(), format!("Receipt {} (continued)", doc.number));
    let mut flow = Flow::new(fonts, doc.paper, continued);

    let particulars = [("Receipt number".into(), doc.number.clone()), ("Date".into(), doc.date.to_string())];
    header(&mut flow, &doc.issuer, "RECEIPT", &particulars)?;
    let highlight = Highlight {
        caption: "AMOUNT RECEIVED".into(),
        amount: with_currency(doc.amount),
        note: format!("Received {}", doc.date),
    };
    addressee(&mut flow, "RECEIVED FROM", &doc.customer, &highlight);

    // The payment's particulars as label: value lines.
    let mut particulars = vec![("Payment method", doc.method.clone())];
    if let Some(reference) = &doc.reference {
        particulars.push(("Reference", reference.clone()));
    }
    particulars.push(("Recorded by", doc.recorded_by.clone()));
    let label_width = particulars.iter().map(|(label, _)| flow.width_of(label, BODY_MUTED)).fold(0.0, f32::max) + 16.0;
    for (label, value) in &particulars {
        let lines = flow.wrap(value, BODY_BOLD, flow.content_width() - label_width);
        flow.make_room(lines.len() as f32 * BODY.leading());
        flow.text(flow.left, flow.y + BODY.ascent(), label, BODY_MUTED);
        flow.y = flow.lines(flow.left + label_width, flow.y, &lines, BODY_BOLD) + 3.0;
    }
    flow.y += 18.0;

    if !doc.allocations.is_empty() {
        let rows: Vec<Vec<String>> =
            doc.allocations.iter().map(|(invoice, amount)| vec![invoice.clone(), money(*amount)]).collect();
        let width = flow.column_width("AMOUNT APPLIED", rows.iter().map(|row| row[1].as_str())).max(100.0);
        let columns = [
            Column { title: "APPLIED TO INVOICE".into(), width: flow.content_width() - width, align: Align::Left },
            Column { title: "AMOUNT APPLIED".into(), width, align: Align::Right },
        ];
        flow.table(&columns, &rows);
    }
    totals(
        &mut flow,
        &[
            Total { label: "Amount received".into(), value: with_currency(doc.amount), emphasis: Emphasis::Strong },
            Total { label: "Kept as credit".into(), value: money(doc.unallocated), emphasis: Emphasis::Plain },
            Total {
                label: "Balance after this payment".into(),
                value: with_currency(doc.balance_after),
                emphasis: Emphasis::Final,
            },
        ],
    );
    // A courtesy line, not worth a page of its own.
    if flow.fits(40.0) {
        flow.y += 24.0;
        flow.line(
            flow.left,
            flow.y,
            "Thank you for your payment. Please keep this receipt for your records.",
            BODY_MUTED,
        );
    }

    Ok(flow.finish(&format!("{} · Receipt {}", doc.issuer.name, doc.number), None))
}
