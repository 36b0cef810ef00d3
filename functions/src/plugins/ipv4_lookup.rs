//! `T | evaluate ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [, ExtraKey1 ...]
//! [, return_unmatched])` (ipv4-lookup-plugin.md): joins each row of `T` with the rows of the
//! lookup table whose IPv4 key (an address or a CIDR range) matches the row's address.
//!
//! - Output columns, as Kusto.Language's plugin table builds them: every column of `T`, then
//!   every lookup column except the extra keys, renamed with a numeric suffix when the name is
//!   taken (`x` → `x1`). The docs' extra-key example lists exactly that order.
//! - A row of `T` yields one row per matching lookup row (the docs: "as many records as
//!   matching results"), in lookup-table order; with `return_unmatched` a row with no match is
//!   kept once with nulls in the lookup columns.
//! - Matching: both keys are `a.b.c.d` texts with an optional `/prefix`; they match when equal
//!   on the shorter of their two prefixes — the rule `ipv4_is_match` documents, so a plain
//!   address matches every range that contains it. INFER: the docs only show plain source
//!   addresses. A key that is null or not an IPv4 text matches nothing.
//! - Extra keys must be columns of both tables and match on equal values, as in `join`;
//!   INFER: a null extra key matches nothing (join semantics).
//! - `return_unmatched` is the named argument `return_unmatched = true`, or a final bool
//!   constant (Kusto.Language accepts both).
//!
//! The lookup key is a column of the lookup table; the engine hands it over as a column
//! argument when `T` has a column of the same name, else it must arrive as a constant string
//! naming the column.

use super::timeline::one_batch;
use super::{PluginArg, PluginArgs, PluginDef, PluginError, TablePlugin};
use crate::types::KqlType;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, Rows, SortField};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "ipv4_lookup",
    signature: "ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [, ExtraKey1, ...] \
                [, return_unmatched])",
    description: "Joins each row with the lookup-table rows whose IPv4 address or CIDR range \
                  matches the row's IPv4 address (and whose extra keys are equal).",
    params: &[
        (
            "LookupTable",
            "a table whose IPv4LookupKey column holds addresses or CIDR ranges",
        ),
        (
            "SourceIPv4Key",
            "the input column with the IPv4 address to look up",
        ),
        (
            "IPv4LookupKey",
            "the lookup-table column matched against it",
        ),
        (
            "ExtraKey1, ...",
            "columns of both tables that must also be equal",
        ),
        (
            "return_unmatched",
            "true keeps input rows without a match (lookup columns null); default false",
        ),
    ],
    example: "let nets = datatable(network:string, name:string) ['10.0.0.0/8', 'ten', \
              '10.1.0.0/16', 'ten-one', '192.168.1.0/24', 'home']; \
              datatable(ip:string) ['10.1.2.3', '192.168.1.20', '8.8.8.8'] \
              | evaluate ipv4_lookup(nets, ip, 'network')",
    // by hand: 10.1.2.3 is in 10.0.0.0/8 and in 10.1.0.0/16; 192.168.1.20 in 192.168.1.0/24;
    // 8.8.8.8 in none (dropped: return_unmatched defaults to false)
    expected: "ip,network,name\n10.1.2.3,10.0.0.0/8,ten\n10.1.2.3,10.1.0.0/16,ten-one\n\
               192.168.1.20,192.168.1.0/24,home\n",
    plan,
};

#[derive(Debug)]
struct Ipv4Lookup {
    input: SchemaRef,
    lookup: SchemaRef,
    /// Which input is the lookup table.
    table: usize,
    source_key: usize,
    lookup_key: usize,
    /// Extra keys: (input column, lookup column).
    extra: Vec<(usize, usize)>,
    /// Lookup columns that appear in the output.
    lookup_out: Vec<usize>,
    return_unmatched: bool,
    schema: SchemaRef,
}

fn is_string(f: &Field) -> bool {
    matches!(
        f.data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn plan(args: &PluginArgs, schemas: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    let name = DEF.name;
    args.only_named(name, &["return_unmatched"])?;
    let input = schemas
        .first()
        .ok_or_else(|| PluginError::call(format!("{name}() needs an input table")))?;
    if args.len() < 3 {
        return Err(PluginError::call(format!(
            "{name}() needs at least 3 arguments: {}",
            DEF.signature
        )));
    }
    let table = args.table(0, "LookupTable")?;
    let lookup = schemas
        .get(table)
        .ok_or_else(|| PluginError::at(0, "LookupTable: no such table input"))?;
    let (source_name, source_key) = args.required_column(1, "SourceIPv4Key", input)?;
    if !is_string(input.field(source_key)) {
        return Err(PluginError::at(
            1,
            format!(
                "SourceIPv4Key '{source_name}' must be a string column, not {}",
                KqlType::of_field(input.field(source_key))
            ),
        ));
    }
    let lookup_key_name = match args.get(2) {
        Some(PluginArg::Column { name, .. }) => name.clone(),
        Some(PluginArg::Value(ScalarValue::Utf8(Some(s)))) => s.clone(),
        _ => {
            return Err(PluginError::at(
                2,
                "IPv4LookupKey must be the name of a column of the lookup table",
            ));
        }
    };
    let lookup_key = lookup.index_of(&lookup_key_name).map_err(|_| {
        PluginError::at(
            2,
            format!("IPv4LookupKey: the lookup table has no column named '{lookup_key_name}'"),
        )
    })?;
    if !is_string(lookup.field(lookup_key)) {
        return Err(PluginError::at(
            2,
            format!(
                "IPv4LookupKey '{lookup_key_name}' must be a string column, not {}",
                KqlType::of_field(lookup.field(lookup_key))
            ),
        ));
    }
    let mut return_unmatched = match args.get_named("return_unmatched") {
        None => None,
        Some(PluginArg::Value(ScalarValue::Boolean(Some(b)))) => Some(*b),
        Some(_) => {
            return Err(PluginError::named(
                "return_unmatched",
                "return_unmatched must be true or false",
            ));
        }
    };
    let mut extra = Vec::new();
    let mut extra_names = HashSet::new();
    for i in 3..args.len() {
        match args.get(i) {
            Some(PluginArg::Value(ScalarValue::Boolean(Some(b))))
                if i + 1 == args.len() && return_unmatched.is_none() =>
            {
                return_unmatched = Some(*b);
            }
            _ => {
                let (key, idx) = args.required_column(i, "an extra key", input)?;
                let Ok(lidx) = lookup.index_of(&key) else {
                    return Err(PluginError::at(
                        i,
                        format!("the extra key '{key}' is not a column of the lookup table"),
                    ));
                };
                let (lt, it) = (lookup.field(lidx).data_type(), input.field(idx).data_type());
                if lt != it && !datafusion::arrow::compute::can_cast_types(lt, it) {
                    return Err(PluginError::at(
                        i,
                        format!(
                            "the extra key '{key}' is {} in the input and {} in the lookup table",
                            KqlType::of_field(input.field(idx)),
                            KqlType::of_field(lookup.field(lidx))
                        ),
                    ));
                }
                extra_names.insert(key);
                extra.push((idx, lidx));
            }
        }
    }
    let lookup_out: Vec<usize> = (0..lookup.fields().len())
        .filter(|&j| !extra_names.contains(lookup.field(j).name()))
        .collect();
    let schema = output_schema(input, lookup, &lookup_out);
    Ok(Arc::new(Ipv4Lookup {
        input: Arc::clone(input),
        lookup: Arc::clone(lookup),
        table,
        source_key,
        lookup_key,
        extra,
        lookup_out,
        return_unmatched: return_unmatched.unwrap_or(false),
        schema,
    }))
}

/// Input fields, then the chosen lookup fields (nullable), duplicates renamed `name1`, `name2`…
fn output_schema(input: &SchemaRef, lookup: &SchemaRef, lookup_out: &[usize]) -> SchemaRef {
    let mut fields: Vec<Field> = input.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.extend(
        lookup_out
            .iter()
            .map(|&j| lookup.field(j).clone().with_nullable(true)),
    );
    // every original name is reserved first, so a renamed column never takes a later one's name
    let mut taken: HashSet<String> = fields.iter().map(|f| f.name().clone()).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let fields: Vec<Field> = fields
        .into_iter()
        .map(|f| {
            if seen.insert(f.name().clone()) {
                return f;
            }
            let mut n = 1;
            let mut candidate = format!("{}{n}", f.name());
            while taken.contains(&candidate) {
                n += 1;
                candidate = format!("{}{n}", f.name());
            }
            taken.insert(candidate.clone());
            f.with_name(candidate)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// `a.b.c.d` with an optional `/prefix` (0..=32) → (address masked to the prefix, prefix),
/// as the `ipv4_*` functions read it.
fn parse_cidr(text: &str) -> Option<(u32, u32)> {
    crate::udf::ip::parse_v4(text).map(|v| (v.addr, v.prefix))
}

/// The netmask of a prefix length.
fn mask(prefix: u32) -> u32 {
    match prefix {
        0 => 0,
        p => u32::MAX << (32 - p.min(32)),
    }
}

/// The parsed keys of a key column (any string type): `None` for null or not IPv4.
fn cidrs(a: &ArrayRef) -> Result<Vec<Option<(u32, u32)>>> {
    let a = cast(a, &DataType::Utf8)?;
    Ok(a.as_string::<i32>()
        .iter()
        .map(|s| s.and_then(parse_cidr))
        .collect())
}

impl Ipv4Lookup {
    /// Row-format keys of the extra key columns of both sides (lookup cast to input types).
    fn extra_rows(
        &self,
        input: &RecordBatch,
        lookup: &RecordBatch,
    ) -> Result<Option<(Rows, Rows)>> {
        if self.extra.is_empty() {
            return Ok(None);
        }
        let conv = RowConverter::new(
            self.extra
                .iter()
                .map(|&(i, _)| SortField::new(self.input.field(i).data_type().clone()))
                .collect(),
        )?;
        let left: Vec<ArrayRef> = self
            .extra
            .iter()
            .map(|&(i, _)| Arc::clone(input.column(i)))
            .collect();
        let right = self
            .extra
            .iter()
            .map(|&(i, j)| Ok(cast(lookup.column(j), self.input.field(i).data_type())?))
            .collect::<Result<Vec<ArrayRef>>>()?;
        Ok(Some((
            conv.convert_columns(&left)?,
            conv.convert_columns(&right)?,
        )))
    }
}

impl TablePlugin for Ipv4Lookup {
    fn name(&self) -> &'static str {
        DEF.name
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        Some(Arc::clone(&self.schema))
    }

    fn describe(&self) -> String {
        format!(
            "ipv4_lookup({} ~ lookup.{}, {} extra key(s), return_unmatched={})",
            self.input.field(self.source_key).name(),
            self.lookup.field(self.lookup_key).name(),
            self.extra.len(),
            self.return_unmatched
        )
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let input = one_batch(inputs, 0, &self.input)?;
        let lookup = one_batch(inputs, self.table, &self.lookup)?;
        let extra_rows = self.extra_rows(&input, &lookup)?;
        let null_extra = |batch: &RecordBatch, side_left: bool, i: usize| {
            self.extra.iter().any(|&(l, r)| {
                let c = if side_left { l } else { r };
                batch.column(c).is_null(i)
            })
        };
        // lookup rows by prefix length, then by masked address
        let mut by_prefix: Vec<BTreeMap<u32, Vec<u32>>> = vec![BTreeMap::new(); 33];
        for (j, key) in cidrs(lookup.column(self.lookup_key))?
            .into_iter()
            .enumerate()
        {
            let Some((addr, p)) = key else {
                continue;
            };
            if null_extra(&lookup, false, j) {
                continue;
            }
            let j = u32::try_from(j).map_err(|_| {
                DataFusionError::Execution("ipv4_lookup: lookup table too large".into())
            })?;
            by_prefix[p as usize].entry(addr).or_default().push(j);
        }
        let prefixes: Vec<u32> = (0..=32)
            .filter(|&p| !by_prefix[p as usize].is_empty())
            .collect();
        let mut left_idx: Vec<u32> = Vec::new();
        let mut right_idx: Vec<Option<u32>> = Vec::new();
        let mut matches: Vec<u32> = Vec::new();
        for (i, key) in cidrs(input.column(self.source_key))?
            .into_iter()
            .enumerate()
        {
            let i32_ = u32::try_from(i)
                .map_err(|_| DataFusionError::Execution("ipv4_lookup: input too large".into()))?;
            matches.clear();
            if let Some((addr, ps)) = key
                && !null_extra(&input, true, i)
            {
                for &pl in &prefixes {
                    // equal on the shorter prefix: all lookup keys in the source's range at
                    // that length
                    let m = mask(pl.min(ps));
                    let (lo, hi) = (addr & m, (addr & m) | !m);
                    for (_, rows) in by_prefix[pl as usize].range(lo..=hi) {
                        matches.extend(rows.iter().copied().filter(|&j| match &extra_rows {
                            Some((l, r)) => l.row(i) == r.row(j as usize),
                            None => true,
                        }));
                    }
                }
                matches.sort_unstable();
            }
            if matches.is_empty() {
                if self.return_unmatched {
                    left_idx.push(i32_);
                    right_idx.push(None);
                }
                continue;
            }
            for &j in &matches {
                left_idx.push(i32_);
                right_idx.push(Some(j));
            }
        }
        let left = UInt32Array::from(left_idx);
        let right = UInt32Array::from(right_idx);
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        for c in input.columns() {
            columns.push(take(c.as_ref(), &left, None)?);
        }
        for &j in &self.lookup_out {
            columns.push(take(lookup.column(j).as_ref(), &right, None)?);
        }
        Ok(RecordBatch::try_new(Arc::clone(&self.schema), columns)?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::sliding_window_counts::testing::*;
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};

    fn strs(v: &[&str]) -> ArrayRef {
        Arc::new(StringArray::from(v.to_vec()))
    }

    /// ipv4-lookup-plugin.md's IP_Data (query MIT).
    fn ip_data() -> RecordBatch {
        batch(vec![
            (
                "network",
                strs(&[
                    "111.68.128.0/17",
                    "5.8.0.0/19",
                    "223.255.254.0/24",
                    "46.36.200.51/32",
                    "2.20.183.0/24",
                ]),
            ),
            ("continent_code", strs(&["AS", "EU", "AS", "OC", "EU"])),
            (
                "continent_name",
                strs(&["Asia", "Europe", "Asia", "Oceania", "Europe"]),
            ),
            ("country_iso_code", strs(&["JP", "RU", "SG", "CK", "GB"])),
            (
                "country_name",
                strs(&[
                    "Japan",
                    "Russia",
                    "Singapore",
                    "Cook Islands",
                    "United Kingdom",
                ]),
            ),
        ])
    }

    fn ips() -> RecordBatch {
        batch(vec![(
            "ip",
            strs(&["2.20.183.12", "5.8.1.2", "192.165.12.17"]),
        )])
    }

    fn table() -> PluginArg {
        PluginArg::Table(1)
    }

    fn text(s: &str) -> PluginArg {
        val(ScalarValue::Utf8(Some(s.into())))
    }

    /// The docs' first two examples, re-derived: 2.20.183.12 is in 2.20.183.0/24 (GB),
    /// 5.8.1.2 in 5.8.0.0/19 (5.8.0.0–5.8.31.255, RU), 192.165.12.17 in none of the five.
    #[test]
    fn docs_examples() {
        let (l, r) = (ips(), ip_data());
        let s = l.schema();
        let out = run(
            plan,
            &args(vec![table(), col(&s, "ip"), text("network")]),
            vec![l.clone(), r.clone()],
        );
        let names: Vec<_> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(
            names,
            [
                "ip",
                "network",
                "continent_code",
                "continent_name",
                "country_iso_code",
                "country_name"
            ]
        );
        let all: Vec<usize> = (0..6).collect();
        assert_eq!(
            render(&out, &all),
            "2.20.183.12,2.20.183.0/24,EU,Europe,GB,United Kingdom;\
             5.8.1.2,5.8.0.0/19,EU,Europe,RU,Russia"
        );
        // return_unmatched = true keeps the third address with nulls
        let mut a = args(vec![table(), col(&s, "ip"), text("network")]);
        a.named = vec![(
            "return_unmatched".into(),
            val(ScalarValue::Boolean(Some(true))),
        )];
        let out = run(plan, &a, vec![l.clone(), r.clone()]);
        assert_eq!(out.num_rows(), 3);
        assert_eq!(render(&out, &[0]), "2.20.183.12;5.8.1.2;192.165.12.17");
        assert!((1..6).all(|c| out.column(c).is_null(2)));
        // the same as a final positional bool
        let a = args(vec![
            table(),
            col(&s, "ip"),
            text("network"),
            val(ScalarValue::Boolean(Some(true))),
        ]);
        assert_eq!(run(plan, &a, vec![l, r]).num_rows(), 3);
    }

    /// Extra keys, like the docs' fourth example but with a datatable (by hand): the keys
    /// leave the lookup side of the output, and '' ≠ 'SE' drops the third address.
    #[test]
    fn extra_keys() {
        let l = batch(vec![
            ("ip", strs(&["2.20.183.12", "5.8.1.2", "192.165.12.17"])),
            ("continent_name", strs(&["Europe", "Europe", "Europe"])),
            ("country_iso_code", strs(&["GB", "RU", ""])),
        ]);
        let r = batch(vec![
            (
                "network",
                strs(&["2.20.183.0/24", "5.8.0.0/19", "192.165.8.0/21"]),
            ),
            (
                "geoname_id",
                Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef,
            ),
            ("continent_code", strs(&["EU", "EU", "EU"])),
            ("continent_name", strs(&["Europe", "Europe", "Europe"])),
            ("country_iso_code", strs(&["GB", "RU", "SE"])),
            (
                "country_name",
                strs(&["United Kingdom", "Russia", "Sweden"]),
            ),
        ]);
        let s = l.schema();
        let a = args(vec![
            table(),
            col(&s, "ip"),
            text("network"),
            col(&s, "continent_name"),
            col(&s, "country_iso_code"),
        ]);
        let out = run(plan, &a, vec![l, r]);
        let names: Vec<_> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(
            names,
            [
                "ip",
                "continent_name",
                "country_iso_code",
                "network",
                "geoname_id",
                "continent_code",
                "country_name"
            ]
        );
        let all: Vec<usize> = (0..7).collect();
        assert_eq!(
            render(&out, &all),
            "2.20.183.12,Europe,GB,2.20.183.0/24,1,EU,United Kingdom;\
             5.8.1.2,Europe,RU,5.8.0.0/19,2,EU,Russia"
        );
    }

    /// Several matching ranges give several rows (lookup order); a source range matches on
    /// the shorter prefix; a name taken by the input is suffixed; bad keys match nothing.
    #[test]
    fn prefixes_duplicates_and_bad_keys() {
        let l = batch(vec![
            (
                "ip",
                strs(&["10.1.2.3", "10.0.0.0/8", "not an ip", "10.1.2.3/33"]),
            ),
            ("name", strs(&["a", "b", "c", "d"])),
        ]);
        let r = batch(vec![
            (
                "net",
                strs(&["10.1.0.0/16", "10.0.0.0/8", "10.1.2.3", "x", "0.0.0.0/0"]),
            ),
            ("name", strs(&["n16", "n8", "n32", "nx", "all"])),
        ]);
        let s = l.schema();
        let out = run(
            plan,
            &args(vec![table(), col(&s, "ip"), text("net")]),
            vec![l, r],
        );
        let names: Vec<_> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["ip", "name", "net", "name1"]);
        assert_eq!(
            render(&out, &[0, 3]),
            "10.1.2.3,n16;10.1.2.3,n8;10.1.2.3,n32;10.1.2.3,all;\
             10.0.0.0/8,n16;10.0.0.0/8,n8;10.0.0.0/8,n32;10.0.0.0/8,all"
        );
    }

    #[test]
    fn parsing() {
        assert_eq!(parse_cidr("1.2.3.4"), Some((0x0102_0304, 32)));
        assert_eq!(parse_cidr(" 1.2.3.4/24 "), Some((0x0102_0300, 24)));
        assert_eq!(parse_cidr("1.2.3.4/0"), Some((0, 0)));
        for bad in [
            "1.2.3",
            "1.2.3.256",
            "1.2.3.4/33",
            "1.2.3.4/",
            "a.b.c.d",
            "1..2.3",
            "",
        ] {
            assert_eq!(parse_cidr(bad), None, "{bad}");
        }
    }

    #[test]
    fn bad_arguments() {
        let (l, r) = (ips(), ip_data());
        let (s, rs) = (l.schema(), r.schema());
        let schemas = [Arc::clone(&s), Arc::clone(&rs)];
        let e = plan(&args(vec![table(), col(&s, "ip"), text("nope")]), &schemas).unwrap_err();
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(2)));
        assert!(e.message.contains("'nope'"), "{}", e.message);
        let e = plan(
            &args(vec![text("x"), col(&s, "ip"), text("network")]),
            &schemas,
        )
        .unwrap_err();
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(0)));
        let mut a = args(vec![table(), col(&s, "ip"), text("network")]);
        a.named = vec![("return_unmatched".into(), long(1))];
        let e = plan(&a, &schemas).unwrap_err();
        assert_eq!(
            e.arg,
            Some(super::super::ArgRef::Named("return_unmatched".into()))
        );
        let e = plan(
            &args(vec![table(), col(&s, "ip"), text("network"), col(&s, "ip")]),
            &schemas,
        )
        .unwrap_err();
        assert!(e.message.contains("extra key 'ip'"), "{}", e.message);
        let n = batch(vec![("n", Arc::new(Int64Array::from(vec![1])) as ArrayRef)]);
        let e = plan(
            &args(vec![table(), col(&n.schema(), "n"), text("network")]),
            &[n.schema(), rs],
        )
        .unwrap_err();
        assert!(e.message.contains("string column"), "{}", e.message);
    }
}
