//! The blocks invoices and receipts share: the issuer header, the addressee
//! with its highlighted amount, the totals and the closing notes.

use krilla::image::Image;

use super::layout::{ACCENT, ALERT, BAND, BODY, BODY_BOLD, BODY_MUTED, Flow, INK, LABEL, RULE, Style};
use super::text::Weight;
use crate::DocumentError;
use crate::model::{Issuer, Logo, Party};

const LOGO_BOX: (f32, f32) = (160.0, 56.0);
const HIGHLIGHT_WIDTH: f32 = 200.0;

impl Logo {
    /// Checks the image's kind and header now; its pixels are decoded when the PDF is written.
    pub(crate) fn image(&self) -> Result<Image, DocumentError> {
        let bytes = &self.0;
        let image = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Image::from_png(bytes.clone().into(), true)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Image::from_jpeg(bytes.clone().into(), true)
        } else {
            return Err(DocumentError::Logo("it is not a PNG or JPEG image".into()));
        };
        image.map_err(|e| DocumentError::Logo(format!("it could not be read: {e}")))
    }
}

/// Issuer (logo, name, address, tax id) on the left; the title and the
/// document's particulars on the right.
pub(crate) fn header(
    flow: &mut Flow,
    issuer: &Issuer,
    title: &str,
    particulars: &[(String, String)],
) -> Result<(), DocumentError> {
    let top = flow.y;
    let title_style = Style::new(Weight::Bold, 22.0, ACCENT);
    let label_width = particulars.iter().map(|(label, _)| flow.width_of(label, BODY_MUTED)).fold(0.0, f32::max);
    let value_width = particulars.iter().map(|(_, value)| flow.width_of(value, BODY_BOLD)).fold(0.0, f32::max);
    let label_x = flow.right - value_width - 16.0 - label_width;
    // The issuer's column ends where the title or the particulars begin, so
    // long names wrap instead of running under them.
    let right_start = label_x.min(flow.right - flow.width_of(title, title_style));
    let left_width = (right_start - flow.left - 24.0).max(flow.content_width() * 0.35);

    let mut y = top;
    if let Some(logo) = &issuer.logo {
        let image = logo.image()?;
        let (px_w, px_h) = image.size();
        let scale = (LOGO_BOX.0 / px_w.max(1) as f32).min(LOGO_BOX.1 / px_h.max(1) as f32);
        let (w, h) = (px_w as f32 * scale, px_h as f32 * scale);
        flow.image(flow.left, y, w, h, image);
        y += h + 14.0;
    }
    let name_style = Style::new(Weight::Bold, 12.0, INK);
    let name = flow.wrap(&issuer.name, name_style, left_width);
    y = flow.lines(flow.left, y, &name, name_style) + 2.0;
    let mut address = flow.wrap(&issuer.address, BODY_MUTED, left_width);
    if let Some(tax_id) = &issuer.tax_id {
        address.push(format!("Tax ID {tax_id}"));
    }
    let left_bottom = flow.lines(flow.left, y, &address, BODY_MUTED);

    flow.text_right(flow.right, top + title_style.ascent(), title, title_style);
    let mut y = top + title_style.leading() + 4.0;
    for (label, value) in particulars {
        flow.text(label_x, y + BODY.ascent(), label, BODY_MUTED);
        flow.text_right(flow.right, y + BODY.ascent(), value, BODY_BOLD);
        y += BODY.leading() + 2.0;
    }
    flow.y = left_bottom.max(y) + 26.0;
    Ok(())
}

/// A red line under the header saying the document is void, and why.
pub(crate) fn void_notice(flow: &mut Flow, reason: &str) {
    let style = Style::new(Weight::Bold, 10.0, ALERT);
    let lines = flow.wrap(&format!("VOID: {reason}"), style, flow.content_width());
    flow.y = flow.lines(flow.left, flow.y, &lines, style) + 16.0;
}

/// The highlighted figure beside the addressee: a caption, the amount, a note.
pub(crate) struct Highlight {
    pub(crate) caption: String,
    pub(crate) amount: String,
    pub(crate) note: String,
}

/// The addressee on the left ("BILL TO", name, address); the highlight in a
/// shaded box on the right.
pub(crate) fn addressee(flow: &mut Flow, caption: &str, party: &Party, highlight: &Highlight) {
    let top = flow.y;
    let width = flow.content_width() - HIGHLIGHT_WIDTH - 24.0;
    let mut y = flow.line(flow.left, top, caption, LABEL) + 2.0;
    let name_style = Style::new(Weight::Bold, 11.0, INK);
    let name = flow.wrap(&party.name, name_style, width);
    y = flow.lines(flow.left, y, &name, name_style) + 1.0;
    let address = flow.wrap(&party.address, BODY, width);
    let left_bottom = flow.lines(flow.left, y, &address, BODY);

    let x = flow.right - HIGHLIGHT_WIDTH;
    let pad = 12.0;
    let inner = HIGHLIGHT_WIDTH - 2.0 * pad;
    // A very large amount is set smaller rather than broken over two lines.
    let natural = flow.width_of(&highlight.amount, Style::new(Weight::Bold, 17.0, INK));
    let amount_style = Style::new(Weight::Bold, (17.0 * inner / natural.max(1.0)).clamp(10.0, 17.0), INK);
    let amount = flow.wrap(&highlight.amount, amount_style, inner);
    let note = flow.wrap(&highlight.note, BODY_MUTED, inner);
    let height = pad
        + LABEL.leading()
        + 4.0
        + amount.len() as f32 * amount_style.leading()
        + note.len() as f32 * BODY_MUTED.leading()
        + pad;
    flow.rect(x, top, HIGHLIGHT_WIDTH, height, BAND);
    flow.rect(x, top, 3.0, height, ACCENT);
    let y = flow.line(x + pad, top + pad, &highlight.caption, LABEL) + 4.0;
    let y = flow.lines(x + pad, y, &amount, amount_style);
    flow.lines(x + pad, y, &note, BODY_MUTED);

    flow.y = left_bottom.max(top + height) + 28.0;
}

/// One row of a totals block.
pub(crate) struct Total {
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) emphasis: Emphasis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emphasis {
    /// An ordinary row.
    Plain,
    /// A bold row with a rule above it (a total).
    Strong,
    /// The figure the document is about, larger, on a shaded band.
    Final,
}

/// Label and value pairs stacked against the right margin.
pub(crate) fn totals(flow: &mut Flow, rows: &[Total]) {
    let final_style = Style::new(Weight::Bold, 11.0, INK);
    let style_of = |emphasis| match emphasis {
        Emphasis::Plain => BODY,
        Emphasis::Strong => BODY_BOLD,
        Emphasis::Final => final_style,
    };
    let label_width = rows.iter().map(|r| flow.width_of(&r.label, style_of(r.emphasis))).fold(0.0, f32::max);
    let value_width = rows.iter().map(|r| flow.width_of(&r.value, style_of(r.emphasis))).fold(0.0, f32::max);
    let pad = 8.0;
    let width = (label_width + value_width + 32.0 + 2.0 * pad).clamp(240.0, flow.content_width());
    let x = flow.right - width;
    let row_height = |emphasis| if emphasis == Emphasis::Final { 26.0 } else { 18.0 };
    flow.make_room(rows.iter().map(|r| row_height(r.emphasis)).sum::<f32>() + 12.0);
    flow.y += 10.0;
    for row in rows {
        let style = style_of(row.emphasis);
        let height = row_height(row.emphasis);
        match row.emphasis {
            Emphasis::Plain => {}
            Emphasis::Strong => flow.rule(x, flow.right, flow.y, 0.75, RULE),
            Emphasis::Final => flow.rect(x, flow.y, width, height, BAND),
        }
        let baseline = flow.y + (height + style.size * 0.7) / 2.0;
        flow.text(x + pad, baseline, &row.label, style);
        flow.text_right(flow.right - pad, baseline, &row.value, style);
        flow.y += height;
    }
}

/// A captioned block of free text across the page (payment instructions).
pub(crate) fn note(flow: &mut Flow, caption: &str, text: &str) {
    let lines = flow.wrap(text, BODY, flow.content_width());
    if lines.is_empty() {
        return;
    }
    flow.y += 28.0;
    // The caption keeps its first lines with it; a long text flows on, line by line.
    flow.make_room(LABEL.leading() + 4.0 + lines.len().min(3) as f32 * BODY.leading());
    flow.y = flow.line(flow.left, flow.y, caption, LABEL) + 4.0;
    for line in &lines {
        flow.make_room(BODY.leading());
        flow.y = flow.line(flow.left, flow.y, line, BODY);
    }
}
