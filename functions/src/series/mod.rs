//! make-series support (make-series-operator.md): the aggregate that turns (bin, value) rows
//! into a dense series per group, and the axis of bin starts. Series are Arrow lists of numbers
//! (DESIGN.md §3: `List<Int64>` or `List<Float64>`), never JSON text.

mod axis;
mod collect;

pub use axis::{AxisKind, series_axis};
pub use collect::make_series_collect;

/// The largest number of points a series may have (make-series-operator.md: 2^20).
pub const MAX_SERIES_POINTS: i64 = 1 << 20;

/// The error for a series longer than [`MAX_SERIES_POINTS`].
pub fn too_many_points(n: i64) -> String {
    format!(
        "make-series: the series would have {n} points; the maximum is {MAX_SERIES_POINTS} (2^20). Use a larger step or a shorter range"
    )
}
