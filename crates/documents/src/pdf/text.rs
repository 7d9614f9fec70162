//! The two compiled-in faces, shaping, measuring and wrapping.
//!
//! Text is shaped here (rather than by krilla's `draw_text`) so the width used
//! to right-align and wrap is that of the very glyphs drawn.

use std::sync::LazyLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::DocumentError;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// Loaded once per process: parsing and hashing a face costs more than laying out an invoice.
static FONTS: LazyLock<Option<Fonts>> =
    LazyLock::new(|| Some(Fonts { regular: Face::load(REGULAR)?, bold: Face::load(BOLD)? }));

pub(crate) fn fonts() -> Result<&'static Fonts, DocumentError> {
    FONTS.as_ref().ok_or(DocumentError::Font)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

pub(crate) struct Face {
    pub(crate) pdf: Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Face> {
        let shaper = rustybuzz::Face::from_slice(data, 0)?;
        let units_per_em = shaper.units_per_em().max(1) as f32;
        Some(Face { pdf: Font::new(data.into(), 0)?, shaper, units_per_em })
    }
}

pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

/// A run of text ready to draw: its glyphs, advances in em.
pub(crate) struct Shaped {
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    pub(crate) weight: Weight,
    pub(crate) size: f32,
    pub(crate) width: f32,
}

impl Fonts {
    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    pub(crate) fn shape(&self, text: &str, weight: Weight, size: f32) -> Shaped {
        // Tabs, carriage returns and other controls would draw as missing-glyph boxes.
        let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let face = self.face(weight);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&text);
        let output = rustybuzz::shape(&face.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        // A glyph stands for the text from its cluster to the next cluster
        // (in text order, whichever way the run is drawn): that is what copy
        // and paste and pdftotext get back.
        let mut starts: Vec<u32> = infos.iter().map(|info| info.cluster).collect();
        starts.sort_unstable();
        starts.dedup();
        let em = face.units_per_em;
        let mut width = 0.0;
        let glyphs = infos
            .iter()
            .zip(positions)
            .map(|(info, pos)| {
                let start = info.cluster as usize;
                let next = starts.partition_point(|&s| s <= info.cluster);
                let end = starts.get(next).map_or(text.len(), |&s| s as usize);
                let x_advance = pos.x_advance as f32 / em;
                width += x_advance;
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    x_advance,
                    pos.x_offset as f32 / em,
                    pos.y_offset as f32 / em,
                    pos.y_advance as f32 / em,
                    start..end,
                    None,
                )
            })
            .collect();
        Shaped { text, glyphs, weight, size, width: width * size }
    }

    pub(crate) fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.shape(text, weight, size).width
    }

    /// Breaks text into lines no wider than `max`: at the given line breaks,
    /// then between words, and inside a word only when it alone is too wide.
    /// Blank lines at either end are dropped; blank lines inside are kept.
    pub(crate) fn wrap(&self, text: &str, weight: Weight, size: f32, max: f32) -> Vec<String> {
        let space = self.width(" ", weight, size);
        let mut lines = Vec::new();
        for paragraph in text.trim().lines() {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split_whitespace() {
                let width = self.width(word, weight, size);
                if !line.is_empty() && line_width + space + width <= max {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if width <= max {
                    line = word.to_owned();
                    line_width = width;
                } else {
                    let mut pieces = self.split_word(word, weight, size, max);
                    line = pieces.pop().unwrap_or_default();
                    line_width = self.width(&line, weight, size);
                    lines.extend(pieces);
                }
            }
            lines.push(line);
        }
        lines
    }

    /// The text cut short with "…" if it is wider than `max`.
    pub(crate) fn fit(&self, text: &str, weight: Weight, size: f32, max: f32) -> String {
        if self.width(text, weight, size) <= max {
            return text.to_owned();
        }
        let mut cut: String = text.to_owned();
        while cut.pop().is_some() {
            let candidate = format!("{}…", cut.trim_end());
            if self.width(&candidate, weight, size) <= max {
                return candidate;
            }
        }
        String::new()
    }

    fn split_word(&self, word: &str, weight: Weight, size: f32, max: f32) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if piece.chars().count() > 1 && self.width(&piece, weight, size) > max {
                piece.pop();
                pieces.push(std::mem::replace(&mut piece, c.to_string()));
            }
        }
        pieces.push(piece);
        pieces
    }
}
