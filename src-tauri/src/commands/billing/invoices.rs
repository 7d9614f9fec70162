//! Invoices and credit notes (list, one as it prints, void, credit), the
//! invoice run, a customer's statement and charges, and the revenue report.

use std::str::FromStr;

use headend_core::CustomerId;
use headend_core::activity::Actor;
use headend_core::billing::invoice::InvoiceStatus;
use headend_core::billing::tax::TaxMode;
use headend_ipc::ErrorDto;
use headend_ipc::billing::{
    AgingDto, BillToDto, ChargeForm, CreditForm, InvoiceLineDto, InvoiceQueryDto, InvoiceRow, InvoiceRunDto,
    InvoiceView, IssuedDto, IssuerDto, MonthDto, OverdueCustomerDto, RevenueDto, StatementDto, StatementRow, VoidForm,
};
use headend_store::{InvoiceQuery, MonthTotals};
use headend_workflows::billing::ChargeInput;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use tauri::State;

use super::{allocation_dto, invoice_row, period_text};
use crate::commands::{Answer, db, workflow_error};
use crate::state::AppState;

/// The most rows the list shows: a month of a small ISP, searched further
/// by the filters.
const LIST_LIMIT: u32 = 500;

fn amount(field: &str, text: &str) -> Answer<Decimal> {
    Decimal::from_str(text.trim()).map_err(|_| ErrorDto::field(field, "Enter an amount, such as 25.00."))
}

fn query(q: &InvoiceQueryDto) -> Answer<InvoiceQuery> {
    let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    let status = match q.status.trim() {
        "" => None,
        s => Some(InvoiceStatus::from_str(s).map_err(|e| ErrorDto::field("status", e.to_string()))?),
    };
    let month = match q.month.trim() {
        "" => None,
        m => {
            let bad = || ErrorDto::field("month", format!("Enter a month as YYYY-MM, not {m:?}."));
            let (y, mo) = m.split_once('-').ok_or_else(bad)?;
            let (y, mo) = (y.parse::<i16>().map_err(|_| bad())?, mo.parse::<i8>().map_err(|_| bad())?);
            if !(1..=12).contains(&mo) {
                return Err(bad());
            }
            Some((y, mo))
        }
    };
    Ok(InvoiceQuery {
        customer: text(&q.customer),
        status,
        month,
        number: text(&q.number),
        credit_notes: q.credit_notes,
        limit: Some(LIST_LIMIT),
        ..InvoiceQuery::default()
    })
}

async fn today(state: &AppState) -> Answer<jiff::civil::Date> {
    Ok(state.workflows.today().await.map_err(workflow_error)?.1)
}

#[tauri::command]
pub async fn list_invoices(state: State<'_, AppState>, query: InvoiceQueryDto) -> Answer<Vec<InvoiceRow>> {
    let q = self::query(&query)?;
    let today = today(&state).await?;
    let rows = state.workflows.invoices(&q).await.map_err(workflow_error)?;
    Ok(rows.iter().map(|r| invoice_row(r, today)).collect())
}

/// A customer's first service, whose page shows the customer.
async fn service_of(state: &AppState, customer: CustomerId) -> Answer<Option<i64>> {
    let services = state.store.all_services().await.map_err(db)?;
    Ok(services.iter().filter(|s| s.customer == customer).map(|s| s.id.0).min())
}

/// An invoice as it prints: issuer, bill-to, lines, totals, and what
/// settled it.
#[tauri::command]
pub async fn get_invoice(state: State<'_, AppState>, number: String) -> Answer<InvoiceView> {
    let detail = state.workflows.invoice(&number).await.map_err(workflow_error)?;
    let settings = state.workflows.billing_settings().await.map_err(workflow_error)?;
    let today = today(&state).await?;
    let inv = &detail.invoice;
    let customer = state.store.customer(inv.customer).await.map_err(db)?;
    let bill_to = match customer {
        Some(c) => BillToDto {
            name: c.name,
            phone: c.phone.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            address: c.address.unwrap_or_default(),
        },
        None => BillToDto { name: inv.customer_name.clone(), ..BillToDto::default() },
    };
    let lines = detail
        .lines
        .iter()
        .map(|l| InvoiceLineDto {
            kind: l.kind.as_str().to_owned(),
            description: l.description.clone(),
            period: l.period.map(period_text).unwrap_or_default(),
            tax_rate: l.tax_rate.to_string(),
            net: l.amounts.net.to_string(),
            tax: l.amounts.tax.to_string(),
            gross: l.amounts.gross.to_string(),
        })
        .collect();
    Ok(InvoiceView {
        invoice: invoice_row(inv, today),
        issuer: IssuerDto {
            company: settings.company.clone(),
            address: settings.address.clone(),
            tax_id: settings.tax_id.clone(),
            payment_instructions: settings.payment_instructions.clone(),
        },
        bill_to,
        service_id: service_of(&state, inv.customer).await?,
        lines,
        tax_name: settings.tax_name.clone(),
        tax_mode: match inv.tax_mode {
            TaxMode::Inclusive => "inclusive",
            TaxMode::Exclusive => "exclusive",
        }
        .to_owned(),
        allocations: detail.allocations.iter().map(allocation_dto).collect(),
        credits: inv.credits.clone().unwrap_or_default(),
        reason: inv.reason.clone().unwrap_or_default(),
        void_reason: inv.void.as_ref().map(|v| v.reason.clone()).unwrap_or_default(),
    })
}

#[tauri::command]
pub async fn void_invoice(state: State<'_, AppState>, form: VoidForm) -> Answer<InvoiceRow> {
    let voided =
        state.workflows.void_invoice(&Actor::Operator, &form.number, &form.reason).await.map_err(workflow_error)?;
    Ok(invoice_row(&voided, today(&state).await?))
}

#[tauri::command]
pub async fn credit_invoice(state: State<'_, AppState>, form: CreditForm) -> Answer<InvoiceRow> {
    let amount = amount("amount", &form.amount)?;
    let note = state
        .workflows
        .credit_invoice(&Actor::Operator, &form.number, amount, &form.reason)
        .await
        .map_err(workflow_error)?;
    Ok(invoice_row(&note, today(&state).await?))
}

/// The operator's "Run invoices now": the same run the app makes every
/// hour, issuing only what is due and not yet issued.
#[tauri::command]
pub async fn run_invoices(state: State<'_, AppState>) -> Answer<InvoiceRunDto> {
    let run = state.workflows.invoice_run(&Actor::Operator, None).await.map_err(workflow_error)?;
    let currency = state.workflows.billing_settings().await.map_err(workflow_error)?.currency;
    Ok(InvoiceRunDto {
        date: run.date.to_string(),
        issued: run
            .issued
            .into_iter()
            .map(|i| IssuedDto {
                number: i.number,
                customer_name: i.customer_name,
                gross: currency.format(i.gross),
                settled: if i.settled.is_zero() { String::new() } else { currency.format(i.settled) },
            })
            .collect(),
    })
}

/// A customer's statement with the running balance, and their invoices
/// still to pay.
#[tauri::command]
pub async fn customer_statement(state: State<'_, AppState>, id: i64) -> Answer<StatementDto> {
    let customer = CustomerId(id);
    let s = state.workflows.statement(customer).await.map_err(workflow_error)?;
    let today = today(&state).await?;
    let c = &s.currency;
    let money = |d: Decimal| if d.is_zero() { String::new() } else { c.format(d) };
    let open = state
        .workflows
        .invoices(&InvoiceQuery { customer_id: Some(customer), ..InvoiceQuery::default() })
        .await
        .map_err(workflow_error)?
        .iter()
        .filter(|r| r.amount_due() > Decimal::ZERO)
        .map(|r| invoice_row(r, today))
        .collect();
    Ok(StatementDto {
        customer_id: id,
        customer_name: s.customer_name.clone(),
        currency: c.to_string(),
        entries: s
            .entries
            .iter()
            .map(|e| StatementRow {
                date: e.date.to_string(),
                kind: e.kind.as_str().to_owned(),
                number: e.number.clone(),
                description: e.description.clone(),
                debit: money(e.debit),
                credit: money(e.credit),
                balance: c.format(e.balance),
            })
            .collect(),
        balance: c.format(s.balance),
        owes: s.balance > Decimal::ZERO,
        open_invoices: open,
    })
}

/// A one-off charge (installation, equipment) for the customer's next invoice.
#[tauri::command]
pub async fn add_charge(state: State<'_, AppState>, form: ChargeForm) -> Answer<()> {
    let input = ChargeInput {
        customer: CustomerId(form.customer_id),
        description: form.description,
        amount: amount("amount", &form.amount)?,
    };
    state.workflows.add_charge(&Actor::Operator, input).await.map_err(workflow_error)?;
    Ok(())
}

fn month_dto(m: &MonthTotals) -> MonthDto {
    MonthDto {
        month: m.month.clone(),
        invoiced: m.invoiced.to_string(),
        collected: m.collected.to_string(),
        invoiced_value: m.invoiced.to_f64().unwrap_or(0.0),
        collected_value: m.collected.to_f64().unwrap_or(0.0),
    }
}

/// This month's revenue, what is owed and the last twelve months.
#[tauri::command]
pub async fn revenue(state: State<'_, AppState>) -> Answer<RevenueDto> {
    let r = state.workflows.revenue(None).await.map_err(workflow_error)?;
    let c = &r.currency;
    Ok(RevenueDto {
        currency: c.to_string(),
        month: month_dto(&r.month),
        outstanding: c.format(r.outstanding),
        overdue_invoices: r.overdue_invoices,
        overdue_amount: c.format(r.overdue_amount),
        overdue_customers: r.overdue_customers,
        aging: r
            .aging
            .iter()
            .map(|(bucket, aged)| AgingDto {
                label: bucket.label().to_owned(),
                count: aged.count,
                amount: c.format(aged.amount),
            })
            .collect(),
        history: r.history.iter().map(month_dto).collect(),
    })
}

#[tauri::command]
pub async fn overdue_customers(state: State<'_, AppState>) -> Answer<Vec<OverdueCustomerDto>> {
    let overdue = state.workflows.overdue_customers().await.map_err(workflow_error)?;
    let c = state.workflows.billing_settings().await.map_err(workflow_error)?.currency;
    let services = state.store.all_services().await.map_err(db)?;
    Ok(overdue
        .into_iter()
        .map(|o| OverdueCustomerDto {
            customer_id: o.customer.0,
            service_id: services.iter().filter(|s| s.customer == o.customer).map(|s| s.id.0).min(),
            name: o.name,
            invoices: o.invoices,
            amount: c.format(o.amount),
            oldest_due: o.oldest_due.to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_or_named() {
        let q = query(&InvoiceQueryDto { status: "overdue".into(), month: "2026-05".into(), ..Default::default() })
            .unwrap();
        assert_eq!((q.status, q.month), (Some(InvoiceStatus::Overdue), Some((2026, 5))));
        let field = |dto: InvoiceQueryDto| query(&dto).err().and_then(|e| e.field);
        assert_eq!(field(InvoiceQueryDto { month: "2026-13".into(), ..Default::default() }).as_deref(), Some("month"));
        assert_eq!(field(InvoiceQueryDto { status: "late".into(), ..Default::default() }).as_deref(), Some("status"));
    }
}
