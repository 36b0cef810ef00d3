//! Results in the REPL: an aligned table cut to the terminal's width (long cells end in `…`,
//! columns that do not fit are counted) and to a row limit ("N more rows").

use crate::output::table_cell;
use kql_engine::datafusion::arrow::datatypes::SchemaRef;
use kql_engine::datafusion::arrow::record_batch::RecordBatch;
use kql_engine::display::format_value;
use kql_engine::types::KqlType;

/// The narrowest a column gets before columns are dropped instead.
const MIN_WIDTH: usize = 6;

/// Renders up to the rows in `batches` (the caller keeps at most the row limit) as a table at
/// most `width` characters wide; `total_rows` is how many rows the result really had.
pub fn fitted_table(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    total_rows: usize,
    width: usize,
) -> String {
    let fields = schema.fields();
    let right: Vec<bool> = fields
        .iter()
        .map(|f| KqlType::of_field(f).is_numeric())
        .collect();
    let mut rows: Vec<Vec<String>> = vec![fields.iter().map(|f| table_cell(f.name())).collect()];
    for b in batches {
        for r in 0..b.num_rows() {
            rows.push(
                b.columns()
                    .iter()
                    .zip(fields.iter())
                    .map(|(c, f)| table_cell(&format_value(c, r, f)))
                    .collect(),
            );
        }
    }
    let shown_rows = rows.len() - 1;
    let natural: Vec<usize> = (0..fields.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
                .max(1)
        })
        .collect();
    let (widths, kept) = fit(&natural, width);
    let mut out = String::new();
    let mut emit = |cells: &[String]| {
        let mut line = String::new();
        for (i, cell) in cells.iter().take(kept).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let cell = truncate(cell, widths[i]);
            let pad = widths[i].saturating_sub(cell.chars().count());
            if right[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(&cell);
            } else {
                line.push_str(&cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    emit(&rows[0]);
    emit(&dashes);
    for r in &rows[1..] {
        emit(r);
    }
    let mut notes = Vec::new();
    if total_rows > shown_rows {
        let more = total_rows - shown_rows;
        notes.push(format!(
            "{more} more row{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    if kept < fields.len() {
        let more = fields.len() - kept;
        let names: Vec<&str> = fields[kept..].iter().map(|f| f.name().as_str()).collect();
        notes.push(format!(
            "{more} more column{} not shown: {}",
            if more == 1 { "" } else { "s" },
            names.join(", ")
        ));
    }
    if !notes.is_empty() {
        out.push_str(&format!("({})\n", notes.join("; ")));
    }
    out
}

/// Column widths that fit `width` (two spaces between columns): the widest columns shrink
/// first, down to [`MIN_WIDTH`]; then trailing columns are dropped. Returns the widths of the
/// kept columns and how many are kept.
fn fit(natural: &[usize], width: usize) -> (Vec<usize>, usize) {
    let mut widths = natural.to_vec();
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    while total(&widths) > width {
        let (i, &w) = match widths.iter().enumerate().max_by_key(|(_, w)| **w) {
            Some(x) => x,
            None => break,
        };
        if w <= MIN_WIDTH {
            break;
        }
        let excess = total(&widths) - width;
        // shrink the widest column towards the next widest, at least by one
        let next = widths
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, w)| *w)
            .max()
            .unwrap_or(MIN_WIDTH);
        let target = w.saturating_sub(excess).max(next.min(w - 1)).max(MIN_WIDTH);
        widths[i] = target.min(w - 1);
    }
    while widths.len() > 1 && total(&widths) > width {
        widths.pop();
    }
    let kept = widths.len();
    (widths, kept)
}

/// `s` cut to `width` characters, ending in `…` when cut.
fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_engine::datafusion::arrow::array::{Int64Array, StringArray};
    use kql_engine::datafusion::arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    fn sample(n: i64, text: &str) -> (SchemaRef, Vec<RecordBatch>) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("message", DataType::Utf8, false),
            Field::new("host", DataType::Utf8, false),
        ]));
        let ids: Vec<i64> = (1..=n).collect();
        let msgs: Vec<String> = (0..n).map(|_| text.to_string()).collect();
        let hosts: Vec<String> = (0..n).map(|i| format!("web-{i}")).collect();
        let b = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int64Array::from(ids)),
                Arc::new(StringArray::from(msgs)),
                Arc::new(StringArray::from(hosts)),
            ],
        )
        .unwrap();
        (schema, vec![b])
    }

    #[test]
    fn a_table_that_fits_is_unchanged() {
        let (s, b) = sample(2, "ok");
        let t = fitted_table(&s, &b, 2, 80);
        assert_eq!(
            t,
            "id  message  host\n--  -------  -----\n 1  ok       web-0\n 2  ok       web-1\n"
        );
    }

    #[test]
    fn long_cells_are_cut_to_the_width_with_an_ellipsis() {
        let (s, b) = sample(1, &"x".repeat(200));
        let t = fitted_table(&s, &b, 1, 40);
        for line in t.lines() {
            assert!(line.chars().count() <= 40, "{line:?} is wider than 40");
        }
        assert!(t.contains('…'), "{t}");
        assert!(t.contains("web-0"), "{t}");
    }

    #[test]
    fn rows_beyond_the_limit_are_counted() {
        let (s, b) = sample(3, "ok");
        let t = fitted_table(&s, &b, 1003, 80);
        assert!(t.ends_with("(1000 more rows)\n"), "{t}");
    }

    #[test]
    fn columns_that_cannot_fit_are_named() {
        let (s, b) = sample(1, "a fairly long message");
        let t = fitted_table(&s, &b, 1, 12);
        assert!(t.contains("more column"), "{t}");
        for line in t.lines().take(3) {
            assert!(line.chars().count() <= 12, "{line:?}");
        }
    }
}
