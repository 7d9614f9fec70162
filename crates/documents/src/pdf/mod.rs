//! PDF documents: laid out as drawing operations, then drawn with krilla,
//! which embeds only the glyphs used (subsetting) and keeps text selectable.

mod blocks;
mod invoice;
mod layout;
mod receipt;
mod text;

use krilla::Document;
use krilla::color::rgb;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use layout::{Op, Page, Rgb};
use text::Fonts;

use crate::DocumentError;
use crate::model::{InvoiceDocument, InvoiceKind, ReceiptDocument};

/// Renders one invoice or credit note.
pub fn invoice_pdf(doc: &InvoiceDocument) -> Result<Vec<u8>, DocumentError> {
    let fonts = text::fonts()?;
    render(fonts, &invoice::lay_out(fonts, doc)?, title_of(doc))
}

/// Renders one receipt.
pub fn receipt_pdf(doc: &ReceiptDocument) -> Result<Vec<u8>, DocumentError> {
    let fonts = text::fonts()?;
    render(fonts, &receipt::lay_out(fonts, doc)?, format!("Receipt {}", doc.number))
}

/// Renders several invoices into one PDF for printing in one go: each starts
/// on a new page and numbers its own pages.
pub fn merged_invoices_pdf(docs: &[InvoiceDocument]) -> Result<Vec<u8>, DocumentError> {
    let fonts = text::fonts()?;
    let mut pages = Vec::new();
    for doc in docs {
        pages.extend(invoice::lay_out(fonts, doc)?);
    }
    match docs {
        [] => Err(DocumentError::NoInvoices),
        [only] => render(fonts, &pages, title_of(only)),
        _ => render(fonts, &pages, format!("{} invoices", docs.len())),
    }
}

fn title_of(doc: &InvoiceDocument) -> String {
    match doc.kind {
        InvoiceKind::Invoice => format!("Invoice {}", doc.number),
        InvoiceKind::CreditNote => format!("Credit note {}", doc.number),
    }
}

fn render(fonts: &Fonts, pages: &[Page], title: String) -> Result<Vec<u8>, DocumentError> {
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title).creator("Headend".into()));
    for page in pages {
        let size = Size::from_wh(page.width, page.height).ok_or(DocumentError::Pdf("empty page size".into()))?;
        let mut pdf_page = document.start_page_with(PageSettings::new(size));
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            draw(&mut surface, fonts, op);
        }
        surface.finish();
        pdf_page.finish();
    }
    document.finish().map_err(|error| match error {
        // A logo passes its header check early but is only decoded here.
        KrillaError::Image(_, _, reason) => DocumentError::Logo(format!("it could not be decoded: {reason}")),
        other => DocumentError::Pdf(other.to_string()),
    })
}

fn fill(color: Rgb, opacity: f32) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
        rule: Default::default(),
    }
}

fn draw(surface: &mut Surface, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text { x, y, shaped, color } => {
            surface.set_fill(Some(fill(*color, 1.0)));
            let font = fonts.face(shaped.weight).pdf.clone();
            surface.draw_glyphs(Point::from_xy(*x, *y), &shaped.glyphs, font, &shaped.text, shaped.size, false);
        }
        Op::Rect { x, y, w, h, color } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_fill(Some(fill(*color, 1.0)));
                surface.draw_path(&path);
            }
        }
        Op::Line { x1, y1, x2, y2, width, color } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(color.0, color.1, color.2).into(),
                    width: *width,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Image { x, y, w, h, image } => {
            if let Some(size) = Size::from_wh(*w, *h) {
                surface.push_transform(&Transform::from_translate(*x, *y));
                surface.draw_image(image.clone(), size);
                surface.pop();
            }
        }
        Op::Stamp { text, cx, cy, angle, color } => {
            let font = fonts.face(text.weight).pdf.clone();
            surface.push_transform(&Transform::from_translate(*cx, *cy));
            surface.push_transform(&Transform::from_rotate(*angle));
            surface.set_fill(Some(fill(*color, 0.16)));
            let start = Point::from_xy(-text.width / 2.0, text.size * 0.36);
            surface.draw_glyphs(start, &text.glyphs, font, &text.text, text.size, false);
            surface.pop();
            surface.pop();
        }
    }
}
