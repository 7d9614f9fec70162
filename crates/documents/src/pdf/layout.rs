//! Page layout as a list of drawing operations per page: laid out first, drawn
//! afterwards, so every footer can say how many pages there are.

use krilla::image::Image;

use super::text::{Fonts, Shaped, Weight};
use crate::model::Paper;

pub(crate) type Rgb = (u8, u8, u8);

pub(crate) const INK: Rgb = (17, 24, 39);
pub(crate) const MUTED: Rgb = (107, 114, 128);
pub(crate) const RULE: Rgb = (229, 231, 235);
pub(crate) const BAND: Rgb = (243, 244, 246);
pub(crate) const ACCENT: Rgb = (30, 58, 138);
pub(crate) const ALERT: Rgb = (185, 28, 28);

const MARGIN: f32 = 48.0;
/// Room kept under the content for the footer.
const FOOTER_ROOM: f32 = 64.0;
/// Horizontal padding inside a table cell.
const CELL_PAD: f32 = 6.0;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) weight: Weight,
    pub(crate) size: f32,
    pub(crate) color: Rgb,
}

impl Style {
    pub(crate) const fn new(weight: Weight, size: f32, color: Rgb) -> Style {
        Style { weight, size, color }
    }
    /// Distance from the top of a line to its baseline.
    pub(crate) fn ascent(self) -> f32 {
        self.size * 0.8
    }
    pub(crate) fn leading(self) -> f32 {
        self.size * 1.4
    }
}

pub(crate) const BODY: Style = Style::new(Weight::Regular, 9.0, INK);
pub(crate) const BODY_MUTED: Style = Style::new(Weight::Regular, 9.0, MUTED);
pub(crate) const BODY_BOLD: Style = Style::new(Weight::Bold, 9.0, INK);
/// Small capitals over a block: "BILL TO", table headers.
pub(crate) const LABEL: Style = Style::new(Weight::Bold, 7.5, MUTED);

pub(crate) enum Op {
    Text {
        x: f32,
        y: f32,
        shaped: Shaped,
        color: Rgb,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: Image,
    },
    /// Large translucent text across the page, turned by `angle` degrees about its centre.
    Stamp {
        text: Shaped,
        cx: f32,
        cy: f32,
        angle: f32,
        color: Rgb,
    },
}

pub(crate) struct Page {
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) ops: Vec<Op>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

pub(crate) struct Column {
    pub(crate) title: String,
    pub(crate) width: f32,
    pub(crate) align: Align,
}

/// Fills pages top to bottom; `y` is the top of the next block.
pub(crate) struct Flow<'f> {
    pub(crate) fonts: &'f Fonts,
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) left: f32,
    pub(crate) right: f32,
    pub(crate) y: f32,
    pages: Vec<Vec<Op>>,
    /// Printed at the top of every page after the first: (left, right).
    continued: (String, String),
}

impl<'f> Flow<'f> {
    pub(crate) fn new(fonts: &'f Fonts, paper: Paper, continued: (String, String)) -> Flow<'f> {
        let (width, height) = paper.size();
        Flow {
            fonts,
            width,
            height,
            left: MARGIN,
            right: width - MARGIN,
            y: MARGIN,
            pages: vec![Vec::new()],
            continued,
        }
    }

    pub(crate) fn content_width(&self) -> f32 {
        self.right - self.left
    }

    fn bottom(&self) -> f32 {
        self.height - FOOTER_ROOM
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(crate) fn text(&mut self, x: f32, baseline: f32, text: &str, style: Style) -> f32 {
        let shaped = self.fonts.shape(text, style.weight, style.size);
        let width = shaped.width;
        self.ops().push(Op::Text { x, y: baseline, shaped, color: style.color });
        width
    }

    pub(crate) fn text_right(&mut self, right: f32, baseline: f32, text: &str, style: Style) {
        let shaped = self.fonts.shape(text, style.weight, style.size);
        let x = right - shaped.width;
        self.ops().push(Op::Text { x, y: baseline, shaped, color: style.color });
    }

    pub(crate) fn width_of(&self, text: &str, style: Style) -> f32 {
        self.fonts.width(text, style.weight, style.size)
    }

    pub(crate) fn wrap(&self, text: &str, style: Style, max: f32) -> Vec<String> {
        self.fonts.wrap(text, style.weight, style.size, max)
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.ops().push(Op::Rect { x, y, w, h, color });
    }

    pub(crate) fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32, color: Rgb) {
        self.ops().push(Op::Line { x1, y1: y, x2, y2: y, width, color });
    }

    pub(crate) fn image(&mut self, x: f32, y: f32, w: f32, h: f32, image: Image) {
        self.ops().push(Op::Image { x, y, w, h, image });
    }

    /// Writes one line of text from `top`, returning the top of what follows.
    pub(crate) fn line(&mut self, x: f32, top: f32, line: &str, style: Style) -> f32 {
        self.text(x, top + style.ascent(), line, style);
        top + style.leading()
    }

    /// Writes lines of text from `top`, returning the top of what follows.
    pub(crate) fn lines(&mut self, x: f32, top: f32, lines: &[String], style: Style) -> f32 {
        lines.iter().fold(top, |y, line| self.line(x, y, line, style))
    }

    /// Whether `height` more fits on this page.
    pub(crate) fn fits(&self, height: f32) -> bool {
        self.y + height <= self.bottom()
    }

    /// Starts a new page unless `height` more fits on this one; true if it did.
    pub(crate) fn make_room(&mut self, height: f32) -> bool {
        if self.fits(height) {
            return false;
        }
        self.pages.push(Vec::new());
        let (left, right) = self.continued.clone();
        let baseline = MARGIN + BODY_BOLD.ascent();
        self.text(self.left, baseline, &left, BODY_BOLD);
        self.text_right(self.right, baseline, &right, BODY_MUTED);
        self.rule(self.left, self.right, MARGIN + 16.0, 0.75, RULE);
        self.y = MARGIN + 32.0;
        true
    }

    /// A table: a shaded header row, then rows that wrap inside their cells
    /// and flow onto further pages, repeating the header there.
    pub(crate) fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        let header_height = 20.0;
        let wrapped: Vec<Vec<Vec<String>>> = rows
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .zip(row)
                    .map(|(column, cell)| self.wrap(cell, BODY, column.width - 2.0 * CELL_PAD))
                    .collect()
            })
            .collect();
        let heights: Vec<f32> = wrapped
            .iter()
            .map(|cells| cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * BODY.leading() + 10.0)
            .collect();
        self.make_room(header_height + heights.first().copied().unwrap_or(0.0));
        self.table_header(columns, header_height);
        for (cells, height) in wrapped.iter().zip(&heights) {
            if self.make_room(*height) {
                self.table_header(columns, header_height);
            }
            let mut x = self.left;
            for (column, lines) in columns.iter().zip(cells) {
                let mut y = self.y + 5.0;
                for line in lines {
                    let baseline = y + BODY.ascent();
                    match column.align {
                        Align::Left => {
                            self.text(x + CELL_PAD, baseline, line, BODY);
                        }
                        Align::Right => self.text_right(x + column.width - CELL_PAD, baseline, line, BODY),
                    }
                    y += BODY.leading();
                }
                x += column.width;
            }
            self.y += height;
            self.rule(self.left, self.right, self.y, 0.5, RULE);
        }
    }

    fn table_header(&mut self, columns: &[Column], height: f32) {
        self.rect(self.left, self.y, self.content_width(), height, BAND);
        let baseline = self.y + (height + LABEL.size * 0.7) / 2.0;
        let mut x = self.left;
        for column in columns {
            match column.align {
                Align::Left => {
                    self.text(x + CELL_PAD, baseline, &column.title, LABEL);
                }
                Align::Right => self.text_right(x + column.width - CELL_PAD, baseline, &column.title, LABEL),
            }
            x += column.width;
        }
        self.y += height;
    }

    /// The width a right-aligned column needs for its title and values.
    pub(crate) fn column_width<'a>(&self, title: &str, values: impl IntoIterator<Item = &'a str>) -> f32 {
        let widest = values.into_iter().map(|v| self.width_of(v, BODY)).fold(self.width_of(title, LABEL), f32::max);
        widest + 2.0 * CELL_PAD
    }

    /// Closes the document: a footer on every page ("Page 2 of 3"), a thin
    /// accent bar along the top, and the stamp, if any, across each page.
    pub(crate) fn finish(self, footer: &str, stamp: Option<&str>) -> Vec<Page> {
        let Flow { fonts, width, height, left, right, pages, .. } = self;
        let count = pages.len();
        let style = Style::new(Weight::Regular, 7.5, MUTED);
        pages
            .into_iter()
            .enumerate()
            .map(|(index, mut ops)| {
                ops.insert(0, Op::Rect { x: 0.0, y: 0.0, w: width, h: 4.0, color: ACCENT });
                let line_y = height - 40.0;
                ops.push(Op::Line { x1: left, y1: line_y, x2: right, y2: line_y, width: 0.5, color: RULE });
                let baseline = line_y + 14.0;
                let number = fonts.shape(&format!("Page {} of {count}", index + 1), style.weight, style.size);
                let room = right - left - number.width - 16.0;
                let shaped = fonts.shape(&fonts.fit(footer, style.weight, style.size, room), style.weight, style.size);
                ops.push(Op::Text { x: left, y: baseline, shaped, color: style.color });
                ops.push(Op::Text { x: right - number.width, y: baseline, shaped: number, color: style.color });
                if let Some(stamp) = stamp {
                    let shaped = fonts.shape(stamp, Weight::Bold, 120.0);
                    ops.push(Op::Stamp { text: shaped, cx: width / 2.0, cy: height / 2.0, angle: -30.0, color: ALERT });
                }
                Page { width, height, ops }
            })
            .collect()
    }
}
