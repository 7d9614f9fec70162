//! The invoice and credit note layout.

use super::blocks::{Emphasis, Highlight, Total, addressee, header, note, totals, void_notice};
use super::layout::{Align, BODY_MUTED, Column, Flow, Page};
use super::text::Fonts;
use crate::DocumentError;
use crate::amount::grouped;
use crate::model::{InvoiceDocument, InvoiceKind};

/// Beyond this the period column wraps its two dates onto two lines.
const PERIOD_MAX_WIDTH: f32 = 130.0;

pub(crate) fn lay_out(fonts: &Fonts, doc: &InvoiceDocument) -> Result<Vec<Page>, DocumentError> {
    let (title, name) = match doc.kind {
        InvoiceKind::Invoice => ("INVOICE", "Invoice"),
        InvoiceKind::CreditNote => ("CREDIT NOTE", "Credit note"),
    };
    let money = |amount| grouped(amount, doc.minor_digits);
    let with_currency = |amount| format!("{} {}", doc.currency, money(amount));
    let continued = (doc.issuer.name.clone(), format!("{name} {} (continued)", doc.number));
    let mut flow = Flow::new(fonts, doc.paper, continued);

    let mut particulars =
        vec![(format!("{name} number"), doc.number.clone()), ("Issue date".into(), doc.issue_date.to_string())];
    match doc.kind {
        InvoiceKind::Invoice => particulars.push(("Due date".into(), doc.due_date.to_string())),
        InvoiceKind::CreditNote => {}
    }
    if let Some(credited) = &doc.credited_invoice {
        particulars.push(("Credits invoice".into(), credited.clone()));
    }
    header(&mut flow, &doc.issuer, title, &particulars)?;
    if let Some(reason) = &doc.void {
        void_notice(&mut flow, reason);
    }

    let highlight = match doc.kind {
        InvoiceKind::Invoice => Highlight {
            caption: "AMOUNT DUE".into(),
            amount: with_currency(doc.amount_due),
            note: format!("Due {}", doc.due_date),
        },
        InvoiceKind::CreditNote => Highlight {
            caption: "CREDIT TOTAL".into(),
            amount: with_currency(doc.gross),
            note: format!("Issued {}", doc.issue_date),
        },
    };
    addressee(
        &mut flow,
        if doc.kind == InvoiceKind::Invoice { "BILL TO" } else { "CREDIT TO" },
        &doc.customer,
        &highlight,
    );

    line_table(&mut flow, doc);
    if doc.tax_inclusive {
        flow.y += 6.0;
        flow.y = flow.line(flow.left, flow.y, "Prices include tax.", BODY_MUTED);
    }

    totals(
        &mut flow,
        &[
            Total { label: "Net".into(), value: money(doc.net), emphasis: Emphasis::Plain },
            Total { label: doc.tax_label.clone(), value: money(doc.tax), emphasis: Emphasis::Plain },
            Total { label: "Total".into(), value: with_currency(doc.gross), emphasis: Emphasis::Strong },
            Total {
                label: "Balance brought forward".into(),
                value: money(doc.balance_brought_forward),
                emphasis: Emphasis::Plain,
            },
            Total { label: "Paid".into(), value: money(doc.paid), emphasis: Emphasis::Plain },
            Total { label: "Amount due".into(), value: with_currency(doc.amount_due), emphasis: Emphasis::Final },
        ],
    );
    note(&mut flow, "PAYMENT INSTRUCTIONS", &doc.issuer.payment_instructions);

    let footer = format!("{} · {name} {}", doc.issuer.name, doc.number);
    Ok(flow.finish(&footer, doc.void.as_ref().map(|_| "VOID")))
}

/// Description, Period (only when some line has one), Net, Tax, Amount.
fn line_table(flow: &mut Flow, doc: &InvoiceDocument) {
    let money = |amount| grouped(amount, doc.minor_digits);
    let rows: Vec<[String; 5]> = doc
        .lines
        .iter()
        .map(|line| {
            let period = line.period.map(|(from, to)| format!("{from} – {to}")).unwrap_or_default();
            [line.description.clone(), period, money(line.net), money(line.tax), money(line.gross)]
        })
        .collect();
    let has_period = doc.lines.iter().any(|line| line.period.is_some());
    let mut columns = Vec::new();
    let amount_column = |flow: &Flow, title: &str, index: usize| Column {
        title: title.into(),
        width: flow.column_width(title, rows.iter().map(|row| row[index].as_str())).max(56.0),
        align: Align::Right,
    };
    let net = amount_column(flow, "NET", 2);
    let tax = amount_column(flow, "TAX", 3);
    let amount = amount_column(flow, "AMOUNT", 4);
    let period = has_period.then(|| Column {
        title: "PERIOD".into(),
        width: flow.column_width("PERIOD", rows.iter().map(|row| row[1].as_str())).min(PERIOD_MAX_WIDTH),
        align: Align::Left,
    });
    let fixed = net.width + tax.width + amount.width + period.as_ref().map_or(0.0, |p| p.width);
    columns.push(Column { title: "DESCRIPTION".into(), width: flow.content_width() - fixed, align: Align::Left });
    columns.extend(period);
    columns.extend([net, tax, amount]);

    let cells: Vec<Vec<String>> =
        rows.into_iter()
            .map(|[description, period, net, tax, gross]| {
                if has_period { vec![description, period, net, tax, gross] } else { vec![description, net, tax, gross] }
            })
            .collect();
    flow.table(&columns, &cells);
}
