//! Charts for KQL's `render` operator (issue #8): the chart model built from a result and its
//! render spec ([`model`]), a layout into drawing primitives ([`layout`], [`scene`]) and the
//! writers: SVG ([`svg`]), self-contained HTML ([`html`]), PNG with a built-in rasterizer and
//! bitmap font ([`png`], [`font`]), and Unicode text for terminals ([`terminal`]).
//!
//! Deviations from Kusto's user agents, chosen to stay faithful without an interactive UI:
//! `ysplit=axes` draws one panel per series (each with its own y axis) rather than several
//! axes on one panel; column and bar charts order numeric and datetime categories by value;
//! on a log axis values ≤ 0 are left out; `kind=map` and the Kusto.Explorer-only charts
//! (ladderchart, pivotchart, timepivot, treemap) are errors naming them.

pub mod columns;
pub mod figures;
pub mod font;
pub mod html;
pub mod layout;
pub mod model;
pub mod png;
pub mod props;
pub mod scene;
pub mod svg;
pub mod terminal;
pub mod ticks;

use kql_engine::{QueryResult, RenderSpec};
use std::fmt;
use std::path::Path;

pub use model::{Chart, build};

/// Why a chart cannot be drawn; the message is for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartError(pub String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChartError {}

/// The file formats of `--chart`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartFormat {
    Svg,
    Html,
    Png,
}

impl ChartFormat {
    /// The format a chart file's extension asks for.
    pub fn from_path(path: &Path) -> Result<ChartFormat, ChartError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("svg") => Ok(ChartFormat::Svg),
            Some("html" | "htm") => Ok(ChartFormat::Html),
            Some("png") => Ok(ChartFormat::Png),
            _ => Err(ChartError(format!(
                "--chart '{}': the file name must end in .svg, .html or .png",
                path.display()
            ))),
        }
    }
}

/// The last result that has a render spec, with the spec.
pub fn last_rendered(results: &[QueryResult]) -> Option<(&QueryResult, &RenderSpec)> {
    results
        .iter()
        .rev()
        .find_map(|r| r.render.as_ref().map(|spec| (r, spec)))
}

/// The chart of `result` as `format` bytes.
pub fn encode(chart: &Chart, format: ChartFormat) -> Result<Vec<u8>, ChartError> {
    let scene = layout::scene(chart);
    match format {
        ChartFormat::Svg => Ok(svg::render(&scene).into_bytes()),
        ChartFormat::Html => Ok(html::render(&scene).into_bytes()),
        ChartFormat::Png => {
            png::render(&scene).map_err(|e| ChartError(format!("cannot encode the PNG: {e}")))
        }
    }
}

/// The terminal chart of a result with a render spec (`None` without one, or for `table`);
/// errors are returned as text to print.
pub fn for_terminal(
    result: &QueryResult,
    width: usize,
    color: bool,
) -> Option<Result<String, ChartError>> {
    let spec = result.render.as_ref()?;
    match build(result, spec) {
        Ok(chart) => terminal::render(&chart, width, color).map(Ok),
        Err(e) => Some(Err(e)),
    }
}

#[cfg(test)]
mod tests;
