//! The split path against the regex path (`parse_array` with the regex the planner builds for
//! the same pattern), over generated patterns and texts.

use super::super::{StructArray, parse_array};
use super::*;

/// The planner's escaping of literal text in `kind=simple` patterns.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The regex of the planner for a `kind=simple`/`relaxed` pattern of non-number columns.
fn regex_of(pieces: &[Piece]) -> String {
    let mut r = String::from(r"(?s)\A");
    for p in pieces {
        match p {
            Piece::Text(t) => r.push_str(&escape(t)),
            Piece::Capture(Some(_)) => r.push_str("(.*?)"),
            Piece::Capture(None) => r.push_str(".*?"),
        }
    }
    r.push_str(r"\z");
    r
}

/// Compares both paths; the number of rows that parsed.
fn compare(pieces: &[Piece], types: &[KqlType], relaxed: bool, texts: &[Option<&str>]) -> usize {
    let spec = ParseSpec {
        regex: regex_of(pieces),
        types: types.to_vec(),
        relaxed,
    };
    let Some(split) = SplitSpec::new(pieces, &spec, false) else {
        panic!("not splittable: {pieces:?}");
    };
    let arr: ArrayRef = Arc::new(datafusion::arrow::array::StringArray::from(texts.to_vec()));
    let by_regex = parse_array(&spec, &arr).unwrap();
    let by_regex = by_regex.as_any().downcast_ref::<StructArray>().unwrap();
    // the same texts as plain strings and as string views (as a Parquet scan gives them)
    let views = datafusion::arrow::compute::cast(&arr, &DataType::Utf8View).unwrap();
    let mut ok = None;
    for s in [Text::new(&arr).unwrap(), Text::new(&views).unwrap()] {
        for k in 0..types.len() {
            let got = split_array(&split, Part::Column(k), &s).unwrap();
            assert_eq!(
                got.to_data(),
                by_regex.column(k).to_data(),
                "column {k} of {pieces:?} ({types:?}, relaxed {relaxed}) over {texts:?}:\n{got:?}\n{:?}",
                by_regex.column(k)
            );
        }
        let got = split_array(&split, Part::Ok, &s).unwrap();
        assert_eq!(
            got.to_data(),
            by_regex.column(types.len()).to_data(),
            "ok of {pieces:?} over {texts:?}"
        );
        ok = Some(got);
    }
    let ok = ok.unwrap();
    ok.as_any()
        .downcast_ref::<datafusion::arrow::array::BooleanArray>()
        .map_or(0, |b| b.true_count())
}

fn text(t: &str) -> Piece {
    Piece::Text(t.to_string())
}

#[test]
fn docs_shapes() {
    // parse-operator.md's email example and the benchmark's `Subject " " Verb " " *`
    let contacts = [
        Piece::Capture(None),
        text("email="),
        Piece::Capture(Some(0)),
        text("@"),
        Piece::Capture(Some(1)),
        text(", Website=https:"),
        Piece::Capture(Some(2)),
        text(")"),
    ];
    let parsed = compare(
        &contacts,
        &[KqlType::String; 3],
        false,
        &[
            Some(
                "Event: NotifySliceRelease (email=john@contoso.com, Website=https:www.contoso.com)",
            ),
            Some("email=a@b@c, Website=https:x)"),
            Some("email=a@b, Website=https:x) "),
            Some("email=a@b, Website=https:x)y)"),
            None,
            Some(""),
        ],
    );
    assert_eq!(parsed, 3);
    let words = [
        Piece::Capture(Some(0)),
        text(" "),
        Piece::Capture(Some(1)),
        text(" "),
        Piece::Capture(None),
    ];
    compare(
        &words,
        &[KqlType::String; 2],
        false,
        &[
            Some("Disk write timeout after 30 ms"),
            Some("one two"),
            Some("one two "),
            Some("one"),
            Some("  "),
            Some(" a b c"),
            Some("é è ê"),
            Some("a\nb c"),
        ],
    );
    // no capture: the whole text must be the literal
    let parsed = compare(
        &[text("abc")],
        &[],
        false,
        &[Some("abc"), Some("abcd"), Some(""), Some("ab")],
    );
    assert_eq!(parsed, 1);
    // typed (non-number) columns: strict mode fails the row when one doesn't convert
    compare(
        &[
            text("took "),
            Piece::Capture(Some(0)),
            text(" ok="),
            Piece::Capture(Some(1)),
        ],
        &[KqlType::Timespan, KqlType::Bool],
        false,
        &[
            Some("took 1.00:00:00 ok=true"),
            Some("took 5m ok=false"),
            Some("took x ok=true"),
            Some("took 1h ok=maybe"),
        ],
    );
}

/// Deterministic generator (xorshift).
struct Gen(u64);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const DELIMS: &[&str] = &[
    "", " ", ",", "ab", "a", "=", "é", "\n", "aa", ". ", "x=", "-",
];
const ATOMS: &[&str] = &[
    "a", "b", " ", ",", "=", "é", "\n", "x", "aa", "1", "true", "1h", "-", ".", "ab",
];
const TYPES: &[KqlType] = &[
    KqlType::String,
    KqlType::String,
    KqlType::String,
    KqlType::Bool,
    KqlType::Timespan,
    KqlType::Dynamic,
    KqlType::Guid,
    KqlType::Datetime,
];

#[test]
fn generated_patterns_agree_with_the_regex() {
    let mut g = Gen(0x2545_f491_4f6c_dd1d);
    let (mut rows_seen, mut parsed) = (0, 0);
    for _ in 0..600 {
        // a pattern: optional leading text, then captures each followed by text (the last
        // maybe not)
        let mut pieces = Vec::new();
        if g.below(2) == 0 {
            pieces.push(text(g.pick(DELIMS)));
        }
        let n = g.below(4);
        let mut columns = 0;
        for i in 0..n {
            if g.below(4) == 0 {
                pieces.push(Piece::Capture(None));
            } else {
                pieces.push(Piece::Capture(Some(columns)));
                columns += 1;
            }
            if i + 1 < n || g.below(2) == 0 {
                pieces.push(text(g.pick(DELIMS)));
                if g.below(5) == 0 {
                    pieces.push(text(g.pick(DELIMS)));
                }
            }
        }
        let types: Vec<KqlType> = (0..columns).map(|_| g.pick(TYPES)).collect();
        // texts: random, and built from the pattern so that many match
        let mut texts: Vec<String> = Vec::new();
        for _ in 0..30 {
            let len = g.below(10);
            texts.push((0..len).map(|_| g.pick(ATOMS)).collect());
        }
        for _ in 0..30 {
            let mut t = String::new();
            for p in &pieces {
                match p {
                    Piece::Text(d) => t.push_str(d),
                    Piece::Capture(_) => {
                        for _ in 0..g.below(4) {
                            t.push_str(g.pick(ATOMS));
                        }
                    }
                }
            }
            if g.below(4) == 0 {
                t.push_str(g.pick(ATOMS));
            }
            texts.push(t);
        }
        let rows: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
        rows_seen += rows.len();
        parsed += compare(&pieces, &types, g.below(3) == 0, &rows);
    }
    // enough rows of both kinds for the comparison to mean something
    assert!(
        parsed > rows_seen / 5 && parsed < rows_seen * 4 / 5,
        "{parsed} of {rows_seen}"
    );
}

#[test]
fn what_needs_the_regex() {
    let spec = |types: Vec<KqlType>| ParseSpec {
        regex: String::new(),
        types,
        relaxed: false,
    };
    let pieces = [text("n="), Piece::Capture(Some(0))];
    assert!(SplitSpec::new(&pieces, &spec(vec![KqlType::Long]), false).is_none());
    assert!(SplitSpec::new(&pieces, &spec(vec![KqlType::Real]), false).is_none());
    assert!(SplitSpec::new(&pieces, &spec(vec![KqlType::String]), true).is_none());
    assert!(SplitSpec::new(&pieces, &spec(vec![KqlType::String]), false).is_some());
    let adjacent = [Piece::Capture(None), Piece::Capture(Some(0))];
    assert!(SplitSpec::new(&adjacent, &spec(vec![KqlType::String]), false).is_none());
}
