//! Drawing primitives shared by the SVG and PNG writers: the layout places everything once in
//! a `width × height` canvas, and each writer only translates shapes.

/// An RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

pub const BACKGROUND: Rgb = Rgb(255, 255, 255);
pub const INK: Rgb = Rgb(33, 37, 41);
pub const MUTED: Rgb = Rgb(90, 96, 104);
pub const GRID: Rgb = Rgb(226, 229, 233);
pub const AXIS: Rgb = Rgb(150, 155, 162);
pub const ANOMALY: Rgb = Rgb(220, 20, 60);

/// Series colours (a colour-blind-friendly set), cycled.
const PALETTE: [Rgb; 10] = [
    Rgb(31, 119, 180),
    Rgb(255, 127, 14),
    Rgb(44, 160, 44),
    Rgb(148, 103, 189),
    Rgb(140, 86, 75),
    Rgb(227, 119, 194),
    Rgb(127, 127, 127),
    Rgb(188, 189, 34),
    Rgb(23, 190, 207),
    Rgb(214, 39, 40),
];

pub fn palette(i: usize) -> Rgb {
    PALETTE[i % PALETTE.len()]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Line {
        from: (f64, f64),
        to: (f64, f64),
        color: Rgb,
        width: f64,
    },
    Polyline {
        points: Vec<(f64, f64)>,
        color: Rgb,
        width: f64,
        /// The series name (SVG `data-series`), for tools and tests.
        series: Option<String>,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: Rgb,
        opacity: f64,
    },
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: Rgb,
    },
    Circle {
        center: (f64, f64),
        radius: f64,
        fill: Rgb,
        stroke: Option<Rgb>,
    },
    /// Text with its baseline at `at.1`; `vertical` turns it 90° counter-clockwise about `at`.
    Text {
        at: (f64, f64),
        text: String,
        size: f64,
        color: Rgb,
        anchor: Anchor,
        bold: bool,
        vertical: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub title: String,
    pub shapes: Vec<Shape>,
}

/// The width text takes at `size` (the bitmap font's advance; SVG viewers come close).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// `text` cut with `...` to fit `max` at `size`.
pub fn fit_text(text: &str, size: f64, max: f64) -> String {
    if text_width(text, size) <= max {
        return text.to_string();
    }
    let keep = ((max / (size * 0.6)) as usize).saturating_sub(3);
    let mut s: String = text.chars().take(keep).collect();
    s.push_str("...");
    s
}

impl Scene {
    pub fn new(width: f64, height: f64, title: String) -> Scene {
        Scene {
            width,
            height,
            title,
            shapes: Vec::new(),
        }
    }

    pub fn text(
        &mut self,
        at: (f64, f64),
        text: impl Into<String>,
        size: f64,
        color: Rgb,
        anchor: Anchor,
    ) {
        self.shapes.push(Shape::Text {
            at,
            text: text.into(),
            size,
            color,
            anchor,
            bold: false,
            vertical: false,
        });
    }

    pub fn line(&mut self, from: (f64, f64), to: (f64, f64), color: Rgb, width: f64) {
        self.shapes.push(Shape::Line {
            from,
            to,
            color,
            width,
        });
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Rgb) {
        self.shapes.push(Shape::Rect { x, y, w, h, fill });
    }
}
