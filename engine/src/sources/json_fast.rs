//! Fast paths for one JSON-lines record: type inference and reading straight from the line's
//! text, without building a `serde_json::Value` tree of the whole record.
//!
//! Both walk the top-level object with serde visitors over `serde_json`'s own parser, so they
//! accept exactly the text the tree path accepts: every value is parsed and validated, strings
//! included (escapes, surrogates); values a pass does not need are parsed and dropped
//! ([`Skip`]) instead of being built. A line the fast path does not handle *identically* to the
//! tree path (`json.rs`) is handed back to it ([`Outcome::Fallback`]), which then decides — also
//! producing its error messages:
//! - anything that is not one object (arrays of records, scalars, invalid JSON, trailing text);
//! - an object with a member named `records` (the `{"records": [...]}` wrapper);
//! - for inference, an object with a key twice (the tree keeps the last value, in the position
//!   of the first; inference must see only that value).
//!
//! Reading handles repeated keys itself: the last value wins, as in the tree.

use super::TimeSpan;
use super::columns::{BatchBuilder, ColumnBuilder};
use super::infer::{Inferred, parse_datetime_bytes, parse_json_container_bytes};
use super::unify::ColumnSet;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::fmt;

/// What a fast path did with a line.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The line was handled.
    Done,
    /// The tree path must handle the line (nothing was changed).
    Fallback,
}

/// The key of the records wrapper, which only the tree path interprets.
pub(super) const RECORDS: &str = "records";

/// Parses and validates any JSON value, keeping nothing.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

/// An object key, borrowed from the line unless it holds escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s))
    }
}

/// The marker error that turns a line over to the tree path.
fn fallback<E: serde::de::Error>() -> E {
    E::custom("kql: fall back to the tree path")
}

// ---------------------------------------------------------------------------------------------
// Inference

/// Per-reader scratch space for [`infer_line`].
#[derive(Default)]
pub(super) struct InferScratch {
    /// The row in which each column was last seen (duplicate-key detection).
    seen: Vec<u64>,
    row: u64,
    /// The row's observations: (existing column or new key, kind). Small and `Copy`: a
    /// member's push is then cheap.
    pub(super) pending: Vec<(Column, Inferred)>,
    /// The keys of the row's new columns (`Column::New` indexes them).
    new_keys: Vec<String>,
    /// The row's TimeGenerated value (a row has one, repeated keys being left to the tree).
    pub(super) pending_time: Option<i64>,
    /// The keys of an earlier row by member position, with their columns: records of one
    /// source mostly repeat their keys in one order, so a key is compared with the one seen at
    /// its position before it is looked up.
    layout: KeyLayout<usize>,
}

/// Member position → (key, value) remembered from earlier rows.
pub(super) struct KeyLayout<V>(Vec<(String, V)>);

impl<V> Default for KeyLayout<V> {
    fn default() -> Self {
        KeyLayout(Vec::new())
    }
}

impl<V: Copy> KeyLayout<V> {
    /// The value of `key` at member position `at`: remembered, or `look_up(key)` (remembered
    /// when it is `Some`).
    fn get(&mut self, at: usize, key: &str, look_up: impl FnOnce(&str) -> Option<V>) -> Option<V> {
        if let Some((k, v)) = self.0.get(at)
            && k == key
        {
            return Some(*v);
        }
        let v = look_up(key)?;
        if at < self.0.len() {
            self.0[at] = (key.to_string(), v);
        } else if at == self.0.len() {
            self.0.push((key.to_string(), v));
        }
        Some(v)
    }
}

/// Whether two keys are equal, compared in place (keys are short; `==` calls `memcmp`).
fn same_key(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[derive(Clone, Copy)]
pub(super) enum Column {
    Known(u32),
    /// An index into [`InferScratch::new_keys`].
    New(u32),
}

impl InferScratch {
    /// Starts a row: nothing observed, no key seen.
    fn start_row(&mut self) {
        self.row += 1;
        self.pending.clear();
        self.new_keys.clear();
        self.pending_time = None;
    }

    /// The column of the key `raw` at member position `at` of the row; `None` when the row
    /// already had that key (or the key is not UTF-8).
    pub(super) fn column_of(&mut self, at: usize, raw: &[u8], set: &ColumnSet) -> Option<Column> {
        let known = match self.layout.0.get(at) {
            Some((k, i)) if same_key(k.as_bytes(), raw) => Some(*i),
            _ => {
                let key = std::str::from_utf8(raw).ok()?;
                self.layout.get(at, key, |k| set.position(k))
            }
        };
        match known {
            Some(i) => {
                if self.seen.len() <= i {
                    self.seen.resize(i + 1, 0);
                }
                if self.seen[i] == self.row {
                    return None;
                }
                self.seen[i] = self.row;
                Some(Column::Known(u32::try_from(i).ok()?))
            }
            None => {
                let key = std::str::from_utf8(raw).ok()?;
                if self.new_keys.iter().any(|n| n == key) {
                    return None;
                }
                self.new_keys.push(key.to_string());
                Some(Column::New(u32::try_from(self.new_keys.len() - 1).ok()?))
            }
        }
    }
}

/// Classifies the members of the object `line` into `set` (and the range of the
/// `time_column` values into `time`), as the tree path would.
pub(super) fn infer_line(
    line: &str,
    set: &mut ColumnSet,
    time_column: &str,
    time: &mut TimeSpan,
    scratch: &mut InferScratch,
) -> Outcome {
    infer_row(set, time, scratch, |set, scratch| {
        let mut de = serde_json::Deserializer::from_str(line);
        let visit = de.deserialize_map(InferRow {
            set,
            time_column,
            scratch,
        });
        visit.is_ok() && de.end().is_ok()
    })
}

/// Like [`infer_line`], for a line of plain ASCII text (see `json_plain.rs`), which is not
/// checked to be UTF-8 first; [`Outcome::Fallback`] leaves the line to [`infer_line`].
pub(super) fn infer_plain_line(
    line: &[u8],
    set: &mut ColumnSet,
    time_column: &str,
    time: &mut TimeSpan,
    scratch: &mut InferScratch,
) -> Outcome {
    infer_row(set, time, scratch, |set, scratch| {
        super::json_plain::infer_plain(line, set, time_column, scratch).is_some()
    })
}

/// Starts a row, lets `parse` observe its members (`false`: hand the line back) and records
/// them.
fn infer_row(
    set: &mut ColumnSet,
    time: &mut TimeSpan,
    scratch: &mut InferScratch,
    parse: impl FnOnce(&ColumnSet, &mut InferScratch) -> bool,
) -> Outcome {
    scratch.start_row();
    if !parse(set, scratch) {
        return Outcome::Fallback;
    }
    apply(set, time, scratch);
    Outcome::Done
}

/// Records the row's observations in `set` and `time`.
fn apply(set: &mut ColumnSet, time: &mut TimeSpan, scratch: &mut InferScratch) {
    for &(column, kind) in &scratch.pending {
        let i = match column {
            Column::Known(i) => Some(i as usize),
            Column::New(j) => scratch
                .new_keys
                .get(j as usize)
                .map(|name| set.index_of(name)),
        };
        if let Some(i) = i {
            set.observe_at(i, kind);
        }
    }
    if let Some(t) = scratch.pending_time {
        time.observe(t);
    }
}

struct InferRow<'s> {
    set: &'s ColumnSet,
    time_column: &'s str,
    scratch: &'s mut InferScratch,
}

impl<'de> Visitor<'de> for InferRow<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let scratch = self.scratch;
        let mut at = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == RECORDS {
                return Err(fallback());
            }
            let Some(column) = scratch.column_of(at, key.as_bytes(), self.set) else {
                return Err(fallback());
            };
            at += 1;
            let want_time = key == self.time_column;
            let (kind, t) = map.next_value_seed(Classify { want_time })?;
            scratch.pending.push((column, kind));
            if t.is_some() {
                scratch.pending_time = t;
            }
        }
        Ok(())
    }
}

/// Classifies one value like `infer::classify_json`; with `want_time`, also returns the
/// datetime a string holds.
pub(super) struct Classify {
    pub(super) want_time: bool,
}

impl<'de> DeserializeSeed<'de> for Classify {
    type Value = (Inferred, Option<i64>);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Classify {
    type Value = (Inferred, Option<i64>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok((Inferred::Bool, None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok((Inferred::Long, None))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        // A `serde_json::Number` above i64::MAX is not `as_i64`: a real, as in the tree path.
        let kind = if i64::try_from(v).is_ok() {
            Inferred::Long
        } else {
            Inferred::Real
        };
        Ok((kind, None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok((Inferred::Real, None))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok((Inferred::Null, None))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok((Inferred::Null, None))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(classify_str(s.as_bytes(), self.want_time))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_seq(seq)?;
        Ok((Inferred::Dynamic, None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_map(map)?;
        Ok((Inferred::Dynamic, None))
    }
}

/// Classifies the text of a string value (see [`Classify`]).
pub(super) fn classify_str(s: &[u8], want_time: bool) -> (Inferred, Option<i64>) {
    if s.is_empty() {
        return (Inferred::Null, None);
    }
    if let Some(t) = parse_datetime_bytes(s) {
        return (Inferred::Datetime, want_time.then_some(t));
    }
    if parse_json_container_bytes(s).is_some() {
        return (Inferred::JsonText, None);
    }
    (Inferred::String, None)
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One member value kept for a projected column until the end of the row.
#[derive(Debug, Default)]
pub(super) enum Cell<'a> {
    /// Not present in the row.
    #[default]
    Missing,
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    /// An object or array.
    Tree(Value),
}

/// Per-reader scratch space for [`read_line`]: one cell per projected column.
#[derive(Default)]
pub(super) struct ReadScratch {
    cells: Vec<Cell<'static>>,
    /// Member position → the builder slot of its key (`None`: not read), as in
    /// [`InferScratch`].
    layout: KeyLayout<Option<usize>>,
}

/// Reads the object `line` into one row of `builder` (the table's `columns`, or a projection
/// of them), as the tree path would. `Err` is a value that does not fit its column's type.
pub(super) fn read_line(
    line: &str,
    columns: &ColumnSet,
    builder: &mut BatchBuilder,
    scratch: &mut ReadScratch,
) -> Result<Outcome, String> {
    read_row(builder, scratch, |builder, cells, layout| {
        let mut de = serde_json::Deserializer::from_str(line);
        let visit = de.deserialize_map(ReadRow {
            columns,
            builder,
            cells,
            layout,
        });
        visit.is_ok() && de.end().is_ok()
    })
}

/// Appends one row to `builder` from the cells `fill` finds (one per projected column), unless
/// `fill` returns `false`: then the line is handed back ([`Outcome::Fallback`]).
fn read_row<'a>(
    builder: &mut BatchBuilder,
    scratch: &mut ReadScratch,
    fill: impl FnOnce(&BatchBuilder, &mut [Cell<'a>], &mut KeyLayout<Option<usize>>) -> bool,
) -> Result<Outcome, String> {
    let n = builder.columns_mut().len();
    // The cells borrow from the line: reuse the allocation, not the (lifetime-bound) contents.
    let mut cells: Vec<Cell<'a>> = std::mem::take(&mut scratch.cells)
        .into_iter()
        .map(|_| Cell::Missing)
        .collect();
    cells.resize_with(n, Cell::default);
    let mut result = Ok(Outcome::Fallback);
    if fill(builder, &mut cells, &mut scratch.layout) {
        result = Ok(Outcome::Done);
        for (col, cell) in builder.columns_mut().iter_mut().zip(cells.iter_mut()) {
            if let Err(m) = append_cell(col, std::mem::take(cell)) {
                result = Err(m);
                break;
            }
        }
    }
    scratch.cells = recycle(cells);
    result
}

fn recycle(cells: Vec<Cell<'_>>) -> Vec<Cell<'static>> {
    cells.into_iter().map(|_| Cell::Missing).collect()
}

fn append_cell(col: &mut ColumnBuilder, cell: Cell<'_>) -> Result<(), String> {
    match cell {
        Cell::Missing => {
            col.append_missing();
            Ok(())
        }
        Cell::Null => col.append_json(&Value::Null),
        Cell::Bool(b) => col.append_json(&Value::Bool(b)),
        Cell::Number(n) => col.append_json(&Value::Number(n)),
        Cell::Str(s) => col.append_json_str(&s),
        Cell::Tree(v) => col.append_json(&v),
    }
}

struct ReadRow<'s, 'a> {
    columns: &'s ColumnSet,
    builder: &'s BatchBuilder,
    cells: &'s mut [Cell<'a>],
    layout: &'s mut KeyLayout<Option<usize>>,
}

impl<'de: 'a, 'a> Visitor<'de> for ReadRow<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (columns, builder) = (self.columns, self.builder);
        let mut at = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == RECORDS {
                return Err(fallback());
            }
            let slot = self
                .layout
                .get(at, &key, |k| {
                    Some(columns.position(k).and_then(|i| builder.slot(i)))
                })
                .flatten();
            at += 1;
            match slot.and_then(|j| self.cells.get_mut(j)) {
                Some(cell) => *cell = map.next_value_seed(CellSeed)?,
                None => map.next_value_seed(Skip)?,
            }
        }
        Ok(())
    }
}

struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Cell<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cell<'de>, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Bool(b))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Cell<'de>, E> {
        Ok(Cell::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Cell<'de>, E> {
        // As `Value` does: a non-finite float (which JSON text cannot hold) would be null.
        Ok(Number::from_f64(v).map_or(Cell::Null, Cell::Number))
    }
    fn visit_unit<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Cell<'de>, A::Error> {
        let d = serde::de::value::SeqAccessDeserializer::new(seq);
        Ok(Cell::Tree(serde::Deserialize::deserialize(d)?))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell<'de>, A::Error> {
        let d = serde::de::value::MapAccessDeserializer::new(map);
        Ok(Cell::Tree(serde::Deserialize::deserialize(d)?))
    }
}

// ---------------------------------------------------------------------------------------------
// Reading lines the inference pass checked

/// Reads the object `line` into one row of `builder`, like [`read_line`], for a line of a file
/// whose every line [`infer_line`] handled (`Outcome::Done`) when the table was opened, and
/// that has not changed since (see `json.rs`): the line is one object, valid JSON, without a
/// repeated key or a `records` member. So it is not validated again: members are found by
/// their delimiters, values that are not read are stepped over, and reading stops once every
/// projected column has its value. The values read are parsed as the tree path parses them.
/// A line that does not look as expected is handed back ([`Outcome::Fallback`]), for the
/// validating path to decide.
pub(super) fn read_checked_line(
    line: &[u8],
    columns: &ColumnSet,
    builder: &mut BatchBuilder,
    scratch: &mut ReadScratch,
) -> Result<Outcome, String> {
    read_row(builder, scratch, |builder, cells, layout| {
        find_members(line, columns, builder, cells, layout).is_some()
    })
}

/// Fills `cells` with the values of the projected members of `line` (see
/// [`read_checked_line`]); `None` when the line does not look like a checked object.
fn find_members<'a>(
    line: &'a [u8],
    columns: &ColumnSet,
    builder: &BatchBuilder,
    cells: &mut [Cell<'a>],
    layout: &mut KeyLayout<Option<usize>>,
) -> Option<()> {
    let mut missing = cells.len();
    let mut i = skip_ws(line, 0);
    if *line.get(i)? != b'{' {
        return None;
    }
    i = skip_ws(line, i + 1);
    if *line.get(i)? == b'}' {
        return Some(());
    }
    let mut at = 0;
    loop {
        if missing == 0 {
            return Some(());
        }
        if *line.get(i)? != b'"' {
            return None;
        }
        let (end, escaped) = string_span(line, i + 1)?;
        if escaped {
            // An escaped key: the validating path decodes it.
            return None;
        }
        let raw = line.get(i + 1..end - 1)?;
        let slot = match layout.0.get(at) {
            Some((k, v)) if same_key(k.as_bytes(), raw) => *v,
            _ => layout
                .get(at, std::str::from_utf8(raw).ok()?, |k| {
                    Some(columns.position(k).and_then(|c| builder.slot(c)))
                })
                .flatten(),
        };
        at += 1;
        i = skip_ws(line, end);
        if *line.get(i)? != b':' {
            return None;
        }
        let start = skip_ws(line, i + 1);
        let (stop, escaped) = match *line.get(start)? {
            b'"' => string_span(line, start + 1)?,
            _ => (value_end(line, start)?, false),
        };
        if let Some(cell) = slot.and_then(|j| cells.get_mut(j)) {
            *cell = cell_of(line.get(start..stop)?, escaped)?;
            missing -= 1;
        }
        i = skip_ws(line, stop);
        match *line.get(i)? {
            b',' => i = skip_ws(line, i + 1),
            b'}' => return Some(()),
            _ => return None,
        }
    }
}

fn skip_ws(line: &[u8], mut i: usize) -> usize {
    while line
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The position after the closing quote of the string whose text starts at `i`.
fn string_end(line: &[u8], i: usize) -> Option<usize> {
    string_span(line, i).map(|(end, _)| end)
}

/// [`string_end`], and whether the string holds an escape.
fn string_span(line: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        let k = super::json_plain::find_byte(line, i, b'"', Some(b'\\'))?;
        if line[k] == b'"' {
            return Some((k + 1, escaped));
        }
        // An escape: the character after the backslash is never the closing quote.
        escaped = true;
        i = k + 2;
    }
}

/// The position after the value starting at `i`.
fn value_end(line: &[u8], i: usize) -> Option<usize> {
    match *line.get(i)? {
        b'"' => string_end(line, i + 1),
        b'{' | b'[' => {
            let (mut depth, mut k) = (0usize, i);
            loop {
                match *line.get(k)? {
                    b'"' => {
                        k = string_end(line, k + 1)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(k + 1);
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
        }
        _ => {
            let rest = line.get(i..)?;
            let len = rest
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            (len > 0).then_some(i + len)
        }
    }
}

/// A value's cell, parsed as the tree path parses it (`escaped`: a string holding an escape).
fn cell_of(text: &[u8], escaped: bool) -> Option<Cell<'_>> {
    match *text.first()? {
        b'"' => {
            let inner = text.get(1..text.len() - 1)?;
            if escaped {
                serde_json::from_slice::<String>(text)
                    .ok()
                    .map(|s| Cell::Str(Cow::Owned(s)))
            } else {
                std::str::from_utf8(inner)
                    .ok()
                    .map(|s| Cell::Str(Cow::Borrowed(s)))
            }
        }
        b'{' | b'[' => serde_json::from_slice::<Value>(text).ok().map(Cell::Tree),
        b'n' => (text == b"null").then_some(Cell::Null),
        b't' => (text == b"true").then_some(Cell::Bool(true)),
        b'f' => (text == b"false").then_some(Cell::Bool(false)),
        _ => {
            let mut de = serde_json::Deserializer::from_slice(text);
            let cell = CellSeed.deserialize(&mut de).ok()?;
            de.end().ok()?;
            match cell {
                Cell::Number(_) | Cell::Null => Some(cell),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    //! The fast paths against the tree path (`classify_json`, `append_json` over a parsed
    //! `Value`) on generated records: valid and broken JSON, repeated keys, the records
    //! wrapper, escapes and surrogates, big and negative numbers, nested values.
    use super::*;
    use crate::sources::infer::classify_json;
    use datafusion::arrow::array::Array;
    use datafusion::arrow::record_batch::RecordBatch;

    use kql_functions::rng::SplitMix64 as Rng;

    const KEYS: [&str; 7] = ["a", "b", "TimeGenerated", "c\\u00e9", "records", "", "d e"];
    const SCALARS: [&str; 26] = [
        "null",
        "true",
        "false",
        "0",
        "-0",
        "42",
        "-17",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "1.5",
        "1e3",
        "-2.5E-3",
        "1e400",
        "\"\"",
        "\"text\"",
        "\"2024-01-02T03:04:05Z\"",
        "\"1/2/2024 3:04:05 PM\"",
        "\"{\\\"x\\\": [1, 2]}\"",
        "\"[1,\"",
        "\"caf\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"tab\\tnew\\nline\"",
        "\"bad \\x escape\"",
        "01",
    ];

    fn value(rng: &mut Rng, depth: usize) -> String {
        match rng.index(if depth > 2 { 1 } else { 8 }) {
            0..=4 => SCALARS[rng.index(SCALARS.len())].to_string(),
            5 => {
                let n = rng.index(3);
                let items: Vec<String> = (0..n).map(|_| value(rng, depth + 1)).collect();
                format!("[{}]", items.join(", "))
            }
            _ => object(rng, depth + 1),
        }
    }

    fn object(rng: &mut Rng, depth: usize) -> String {
        let n = rng.index(5);
        let members: Vec<String> = (0..n)
            .map(|_| format!("\"{}\": {}", KEYS[rng.index(KEYS.len())], value(rng, depth)))
            .collect();
        format!("{{{}}}", members.join(","))
    }

    /// A record line, sometimes broken or not an object.
    fn line(rng: &mut Rng) -> String {
        let o = object(rng, 0);
        match rng.index(12) {
            0 => o.get(..o.len() / 2).unwrap_or_default().to_string(),
            1 => format!("{o} x"),
            2 => format!("[{o}]"),
            3 => format!("{{\"records\": [{o}]}}"),
            4 => "7".to_string(),
            _ => o,
        }
    }

    /// The tree path's record, when the line is one plain record.
    fn tree_record(line: &str) -> Option<serde_json::Map<String, Value>> {
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(m))
                if !(m.len() == 1 && matches!(m.get(RECORDS), Some(Value::Array(_)))) =>
            {
                Some(m)
            }
            _ => None,
        }
    }

    fn lines() -> Vec<String> {
        let mut rng = Rng::new(7);
        (0..4000).map(|_| line(&mut rng)).collect()
    }

    /// The tree path's inference of one record (as `json.rs` does it).
    fn tree_infer(m: &serde_json::Map<String, Value>, set: &mut ColumnSet, time: &mut TimeSpan) {
        for (k, v) in m {
            let kind = classify_json(v);
            if kind == Inferred::Datetime
                && k == "TimeGenerated"
                && let Value::String(s) = v
                && let Some(t) = crate::sources::infer::parse_datetime(s)
            {
                time.observe(t);
            }
            set.observe(k, kind);
        }
    }

    /// The inference of one line as `json.rs` does it: the plain path, else `serde_json`'s.
    pub(in crate::sources) fn infer_any(
        l: &str,
        set: &mut ColumnSet,
        time: &mut TimeSpan,
        scratch: &mut InferScratch,
    ) -> Outcome {
        match infer_plain_line(l.as_bytes(), set, "TimeGenerated", time, scratch) {
            Outcome::Done => Outcome::Done,
            Outcome::Fallback => infer_line(l, set, "TimeGenerated", time, scratch),
        }
    }

    #[test]
    fn inference_matches_the_tree_path() {
        let lines = lines();
        let (mut fast, mut tree) = (ColumnSet::default(), ColumnSet::default());
        let (mut fast_time, mut tree_time) = (TimeSpan::Empty, TimeSpan::Empty);
        let mut scratch = InferScratch::default();
        let mut handled = 0;
        for l in &lines {
            let record = tree_record(l);
            if let Some(m) = &record {
                tree_infer(m, &mut tree, &mut tree_time);
            }
            match infer_any(l, &mut fast, &mut fast_time, &mut scratch) {
                Outcome::Done => {
                    handled += 1;
                    assert!(
                        record.is_some(),
                        "fast path took a line the tree path rejects: {l}"
                    );
                }
                Outcome::Fallback => {
                    // The tree path then does the work: replay it for the fast side too.
                    if let Some(m) = &record {
                        tree_infer(m, &mut fast, &mut fast_time);
                    }
                }
            }
            assert_eq!(fast.schema(), tree.schema(), "after line {l}");
        }
        assert_eq!(fast.names(), tree.names());
        assert_eq!(fast_time, tree_time);
        assert!(handled > 1000, "the fast path handled only {handled} lines");
    }

    fn tree_append(
        b: &mut BatchBuilder,
        columns: &ColumnSet,
        m: serde_json::Map<String, Value>,
    ) -> Result<(), String> {
        let mut slots: Vec<Option<Value>> = vec![None; b.columns_mut().len()];
        for (k, v) in m {
            if let Some(slot) = columns
                .position(&k)
                .and_then(|i| b.slot(i))
                .and_then(|j| slots.get_mut(j))
            {
                *slot = Some(v);
            }
        }
        for (col, slot) in b.columns_mut().iter_mut().zip(slots.iter_mut()) {
            match slot.take() {
                Some(v) => col.append_json(&v)?,
                None => col.append_missing(),
            }
        }
        b.end_row().map_err(|e| e.to_string())
    }

    /// A fast reader of one line.
    type Reader =
        fn(&str, &ColumnSet, &mut BatchBuilder, &mut ReadScratch) -> Result<Outcome, String>;

    fn read_both(
        lines: &[String],
        columns: &ColumnSet,
        projection: Option<&[usize]>,
        read_line: Reader,
    ) -> (Vec<RecordBatch>, Vec<RecordBatch>, usize) {
        let schema = columns.schema();
        let types = columns.types();
        let builder = || BatchBuilder::projected(&schema, &types, projection);
        let (Ok(mut fast), Ok(mut tree)) = (builder(), builder()) else {
            panic!("builder");
        };
        let mut scratch = ReadScratch::default();
        let mut handled = 0;
        for l in lines {
            let Some(m) = tree_record(l) else {
                assert_eq!(
                    read_line(l, columns, &mut fast, &mut scratch),
                    Ok(Outcome::Fallback),
                    "{l}"
                );
                continue;
            };
            let expected = tree_append(&mut tree, columns, m.clone());
            match read_line(l, columns, &mut fast, &mut scratch) {
                Ok(Outcome::Done) => {
                    handled += 1;
                    assert_eq!(expected, Ok(()), "{l}");
                    assert!(fast.end_row().is_ok());
                }
                Ok(Outcome::Fallback) => {
                    let again = tree_append(&mut fast, columns, m);
                    assert_eq!(again, expected, "{l}");
                }
                Err(msg) => {
                    assert_eq!(Err(msg), expected, "{l}");
                    return (Vec::new(), Vec::new(), handled);
                }
            }
        }
        let (Ok(a), Ok(b)) = (fast.finish(), tree.finish()) else {
            panic!("finish");
        };
        (a, b, handled)
    }

    #[test]
    fn reading_matches_the_tree_path() {
        let lines = lines();
        // Columns typed from the valid records, so reading never meets a misfit.
        let mut columns = ColumnSet::default();
        for m in lines.iter().filter_map(|l| tree_record(l)) {
            for (k, v) in &m {
                columns.observe(k, classify_json(v));
            }
        }
        let all: Vec<usize> = (0..columns.names().len()).collect();
        for projection in [None, Some(&all[..]), Some(&[2, 0][..]), Some(&[][..])] {
            let (fast, tree, handled) = read_both(&lines, &columns, projection, read_line);
            assert!(handled > 1000, "the fast path read only {handled} lines");
            assert_same(&fast, &tree);
        }
    }

    fn assert_same(fast: &[RecordBatch], tree: &[RecordBatch]) {
        assert_eq!(fast.len(), tree.len());
        for (a, b) in fast.iter().zip(tree) {
            assert_eq!(a.num_rows(), b.num_rows());
            for (x, y) in a.columns().iter().zip(b.columns()) {
                assert_eq!(x.to_data(), y.to_data());
            }
        }
    }

    /// The lines of a checked file (those the inference's fast path handles), as written and
    /// re-serialized (other escapes), with a few spelled with whitespace everywhere it may be.
    fn checked_lines() -> (Vec<String>, ColumnSet) {
        let mut set = ColumnSet::default();
        let (mut time, mut scratch) = (TimeSpan::Empty, InferScratch::default());
        let mut out = vec![
            " { \"a\" : 1 ,\t\"b\"\t:\t\"x\" , \"d e\" : [ 1 , { \"a\" : \"]}\\\"\" } ] } "
                .to_string(),
            "{\"b\":{\"b\":\"\\\\\",\"a\":[[],{}]},\"a\":-0,\"TimeGenerated\":null}".to_string(),
            "{}".to_string(),
            "{ }".to_string(),
            "{\"a\":2.50e1,\"c\\u00e9\":true,\"b\":\"\\u00e9\\n\"}".to_string(),
        ];
        for l in lines() {
            if let Ok(v) = serde_json::from_str::<Value>(&l) {
                out.push(v.to_string());
            }
            out.push(l);
        }
        out.retain(|l| infer_any(l, &mut set, &mut time, &mut scratch) == Outcome::Done);
        (out, set)
    }

    fn read_checked(
        line: &str,
        columns: &ColumnSet,
        builder: &mut BatchBuilder,
        scratch: &mut ReadScratch,
    ) -> Result<Outcome, String> {
        read_checked_line(line.as_bytes(), columns, builder, scratch)
    }

    #[test]
    fn checked_reading_matches_the_tree_path() {
        let (lines, columns) = checked_lines();
        assert!(lines.len() > 2000, "only {} checked lines", lines.len());
        let n = columns.schema().fields().len();
        let all: Vec<usize> = (0..n).collect();
        let last: Vec<usize> = (n.saturating_sub(2)..n).collect();
        for projection in [
            None,
            Some(&all[..]),
            Some(&[2, 0][..]),
            Some(&last[..]),
            Some(&[][..]),
        ] {
            let (fast, tree, handled) = read_both(&lines, &columns, projection, read_checked);
            // Only an escaped key is handed back.
            let escaped = lines.iter().filter(|l| l.contains("c\\u00e9\":")).count();
            assert!(
                handled + escaped >= lines.len(),
                "{handled} + {escaped} of {}",
                lines.len()
            );
            assert_same(&fast, &tree);
        }
    }

    #[test]
    fn a_misfit_value_is_the_same_error() {
        let mut columns = ColumnSet::default();
        columns.observe("n", Inferred::Long);
        columns.observe("t", Inferred::Datetime);
        let lines: Vec<String> = [
            "{\"n\": 1, \"t\": \"2024-01-01\"}",
            "{\"n\": \"x\"}",
            "{\"t\": 5}",
            "{\"n\": 1.5}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let schema = columns.schema();
        let types = columns.types();
        for l in &lines[1..] {
            let (Ok(mut fast), Ok(mut tree)) = (
                BatchBuilder::projected(&schema, &types, None),
                BatchBuilder::projected(&schema, &types, None),
            ) else {
                panic!("builder");
            };
            let expected = tree_append(&mut tree, &columns, tree_record(l).unwrap_or_default());
            assert!(expected.is_err());
            assert_eq!(
                read_line(l, &columns, &mut fast, &mut ReadScratch::default()),
                expected.map(|()| Outcome::Done)
            );
        }
    }
}
