//! The text-pattern miner behind `reduce by`: plain Rust over `&str` values, no Arrow.
//!
//! Kusto documents only the operator's surface (reduce-operator.md): values are split into
//! terms on separator characters (by default every character that is not a letter or a digit;
//! the `characters` parameter replaces that set), similar values are grouped, and each group is
//! reported as a pattern in which `*` stands for the variable parts, with its count and one of
//! its values. `threshold` (default 0.1) is "the minimum fraction of rows required to match the
//! grouping criteria in order to trigger a reduction operation". The page credits Vaarandi's
//! SLCT; the internals are not documented, so this is our own Drain-class miner (all INFER):
//!
//! 1. **Terms and words.** Each value is split into terms on the separators. Whitespace
//!    separators additionally cut the value into *words* (a word is a run of terms joined by
//!    non-space separators, such as `rhost=10.0.0.1` or `blk_-42`); words are the unit of
//!    comparison, so a host name or path that splits into a varying number of terms is still
//!    one position. A term that contains a decimal digit is a variable from the start: every
//!    doc example turns the numeric part into `*`, even at threshold 0.001.
//! 2. **Routing.** Values are routed by their number of words and their first
//!    [`PREFIX_DEPTH`] words (a word with a variable term routes as `*`), as in Drain's
//!    fixed-depth tree. Identical values always share a group.
//! 3. **Joining.** In its leaf, a value joins the group whose pattern has the most constant
//!    words equal to its own (ties: more wildcards, then the older group) when that count is at
//!    least `threshold` × its number of words; otherwise it opens a group. This is the
//!    "fraction ... to match the grouping criteria": a smaller threshold merges more, as in
//!    the docs' examples (0.001 → one group).
//! 4. **Splitting.** The same fraction, now of a group's rows, decides which differing words
//!    are constants: a word that covers more than `threshold` of the group's rows (and at
//!    least [`MIN_SUPPORT`] rows) is *frequent*, the rest are reduced to `*` (SLCT's support
//!    rule applied within the group). A position is split on only when its frequent words go
//!    together with another position's (the members are really several templates that differ
//!    in several words at once), or when it holds at most [`FEW_CHOICES`] distinct constant
//!    words, one of them rare, in a group of at least [`FEW_CHOICES_MIN_ROWS`] rows (a rare
//!    alternative wording, e.g. `... by client SPP.` beside 600 `... by client
//!    WindowsUpdateAgent.`). A lone varying word with several frequent values (user names,
//!    weekdays) stays a variable.
//! 5. **Output.** A group whose pattern keeps no constant term describes nothing; all such
//!    groups are reported together as the row `others` with an empty representative (the docs'
//!    `fooZ1 … fooZ10` example). Groups come in the order of their first value, `others` last;
//!    the representative is the group's first value.
//!
//! Everything is deterministic: the result depends only on the values and their order.

use std::collections::HashSet;

/// The crate's fast hasher (`hashing.rs`): the miner hashes millions of short terms, where
/// std's SipHash dominated the profile. Deterministic; no DoS resistance needed here.
type FastBuild = std::hash::BuildHasherDefault<crate::hashing::MixHasher>;

type HashMap<K, V> = crate::hashing::FastMap<K, V>;

/// How many leading words route a value (Drain's tree depth 4 = root + length + 2 words).
pub const PREFIX_DEPTH: usize = 2;

/// A differing word must cover at least this many rows of its group to be kept as a constant.
pub const MIN_SUPPORT: u64 = 2;

/// A position with at most this many distinct constant words, one of them rare, is a choice
/// between constants.
pub const FEW_CHOICES: usize = 3;

/// ... in a group of at least this many rows.
pub const FEW_CHOICES_MIN_ROWS: u64 = 5;

/// A routing leaf holds at most this many groups; once full, a value joins its best match
/// even below the threshold (Drain bounds its tree the same way), so the work per value stays
/// bounded on data where nothing is similar. Phase 4 still splits such a group on its
/// frequent words.
pub const MAX_LEAF_GROUPS: usize = 256;

/// Term or word id of a wildcard.
const WILD: u32 = u32::MAX;

/// The pattern text Kusto uses for values that fall into no pattern.
pub const OTHERS: &str = "others";

/// Which characters separate terms.
#[derive(Clone, Debug, PartialEq)]
pub enum Separators {
    /// Every character that is not alphanumeric (the docs: "all non-alphanumeric characters
    /// (including spaces and punctuation)"; Unicode letters and digits are term characters).
    Default,
    /// Exactly these characters (the `characters` parameter).
    Custom(Vec<char>),
}

impl Separators {
    /// `None` → the default set; `Some(s)` → the characters of `s`.
    pub fn from_option(chars: Option<&str>) -> Self {
        match chars {
            None => Separators::Default,
            Some(s) => Separators::Custom(s.chars().collect()),
        }
    }

    fn is_sep(&self, c: char) -> bool {
        match self {
            Separators::Default => !c.is_alphanumeric(),
            Separators::Custom(v) => v.contains(&c),
        }
    }
}

/// One group of the result.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The pattern text (`*` for variable parts), or [`OTHERS`].
    pub pattern: String,
    pub count: u64,
    /// Row index of the representative (the group's first value); `None` for `others`.
    pub representative: Option<usize>,
}

/// The grouping of every input value.
#[derive(Clone, Debug, PartialEq)]
pub struct Mining {
    /// In order of each group's first value; `others`, if any, last.
    pub groups: Vec<Group>,
    /// For each input row, its index in `groups`.
    pub row_group: Vec<usize>,
}

/// One word position of a group's pattern.
#[derive(Clone, Debug, PartialEq)]
enum WordTpl {
    /// Every member has this word (its id; digit-bearing terms are already wildcards).
    Exact(u32),
    /// The members' words have the same number of terms; `WILD` where they differ.
    Terms(Vec<u32>),
    /// The members' words differ in shape: the whole word is a wildcard.
    Any,
}

/// Byte range of a word or term.
type Span = (usize, usize);

/// Splits `s` into words: runs of characters between whitespace separators.
fn split_words(s: &str, seps: &Separators, out: &mut Vec<Span>) {
    split_on(s, |c| c.is_whitespace() && seps.is_sep(c), out);
}

/// Splits `s` into terms: runs of non-separators.
fn split_terms(s: &str, seps: &Separators, out: &mut Vec<Span>) {
    split_on(s, |c| seps.is_sep(c), out);
}

fn split_on(s: &str, is_sep: impl Fn(char) -> bool, out: &mut Vec<Span>) {
    out.clear();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if is_sep(c) {
            if let Some(b) = start.take() {
                out.push((b, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(b) = start {
        out.push((b, s.len()));
    }
}

/// Interned terms and words.
#[derive(Default)]
struct Vocabulary<'a> {
    terms: HashMap<&'a str, u32>,
    /// one-term words, by their term id (most words)
    single: HashMap<u32, u32>,
    /// words of several terms, by their term ids
    multi: HashMap<Vec<u32>, u32>,
    /// words made only of separators (`-`, `=>`), by their text
    punct: HashMap<&'a str, u32>,
    /// the term ids of every word (`WILD` for digit-bearing terms), back to back
    arena: Vec<u32>,
    /// word id → its range in `arena`
    word_range: Vec<(u32, u32)>,
    scratch_spans: Vec<Span>,
    scratch_key: Vec<u32>,
}

impl<'a> Vocabulary<'a> {
    fn term(&mut self, t: &'a str) -> u32 {
        if t.bytes().any(|b| b.is_ascii_digit()) {
            return WILD;
        }
        let next = self.terms.len() as u32;
        *self.terms.entry(t).or_insert(next)
    }

    /// The term ids of word `w`.
    fn terms_of(&self, w: u32) -> &[u32] {
        let (b, e) = self.word_range[w as usize];
        &self.arena[b as usize..e as usize]
    }

    fn new_word(&mut self, terms: &[u32]) -> u32 {
        let id = self.word_range.len() as u32;
        let b = self.arena.len() as u32;
        self.arena.extend_from_slice(terms);
        self.word_range.push((b, self.arena.len() as u32));
        id
    }

    fn word(&mut self, w: &'a str, seps: &Separators) -> u32 {
        let mut spans = std::mem::take(&mut self.scratch_spans);
        split_terms(w, seps, &mut spans);
        let id = match spans.as_slice() {
            [] => match self.punct.get(w) {
                Some(&id) => id,
                None => {
                    let id = self.new_word(&[]);
                    self.punct.insert(w, id);
                    id
                }
            },
            [(b, e)] => {
                let t = self.term(&w[*b..*e]);
                match self.single.get(&t) {
                    Some(&id) => id,
                    None => {
                        let id = self.new_word(&[t]);
                        self.single.insert(t, id);
                        id
                    }
                }
            }
            _ => {
                let mut key = std::mem::take(&mut self.scratch_key);
                key.clear();
                for &(b, e) in &spans {
                    let t = self.term(&w[b..e]);
                    key.push(t);
                }
                let id = match self.multi.get(key.as_slice()) {
                    Some(&id) => id,
                    None => {
                        let id = self.new_word(&key);
                        self.multi.insert(key.clone(), id);
                        id
                    }
                };
                self.scratch_key = key;
                id
            }
        };
        self.scratch_spans = spans;
        id
    }

    /// Every term of the word is a variable (a word without terms is not).
    fn all_wild(&self, w: u32) -> bool {
        let t = self.terms_of(w);
        !t.is_empty() && t.iter().all(|x| *x == WILD)
    }

    /// Some term of the word is a variable.
    fn any_wild(&self, w: u32) -> bool {
        self.terms_of(w).contains(&WILD)
    }

    fn has_constant(&self, t: &WordTpl) -> bool {
        match t {
            WordTpl::Exact(w) => self.terms_of(*w).iter().any(|x| *x != WILD),
            WordTpl::Terms(ts) => ts.iter().any(|x| *x != WILD),
            WordTpl::Any => false,
        }
    }
}

/// One distinct input value: its words (a range of `Miner::words`), rows and first row.
struct Distinct {
    words: std::ops::Range<usize>,
    count: u64,
    first_row: usize,
}

/// A group of distinct values and its pattern.
struct Cluster {
    tpl: Vec<WordTpl>,
    members: Vec<usize>,
}

/// Groups `values` (`None` is treated as the empty string). `threshold` must be within [0, 1]
/// (the caller validates it).
pub fn mine(values: &[Option<&str>], threshold: f64, seps: &Separators) -> Mining {
    let mut vocab = Vocabulary::default();
    let mut distinct: Vec<Distinct> = Vec::new();
    let mut words: Vec<u32> = Vec::new();
    let mut row_distinct: Vec<usize> = Vec::with_capacity(values.len());
    let mut seen: HashMap<&str, usize> = HashMap::default();
    let mut leaves: HashMap<(usize, [u32; PREFIX_DEPTH]), Vec<usize>> = HashMap::default();
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut word_spans: Vec<Span> = Vec::new();

    // Phases 1-3: tokenise, route, join.
    for (row, v) in values.iter().enumerate() {
        let s = v.unwrap_or("");
        if let Some(&d) = seen.get(s) {
            distinct[d].count += 1;
            row_distinct.push(d);
            continue;
        }
        split_words(s, seps, &mut word_spans);
        let w0 = words.len();
        for &(b, e) in &word_spans {
            let id = vocab.word(&s[b..e], seps);
            words.push(id);
        }
        let ws = &words[w0..];
        let mut prefix = [WILD; PREFIX_DEPTH];
        // INFER: the last word never routes, so two-word values such as city names can
        // still meet in one leaf (`San Bernard`, `San Diego` → `San *`, as the docs show).
        let routing = ws.len().saturating_sub(1);
        for (p, &w) in prefix.iter_mut().zip(&ws[..routing]) {
            *p = if vocab.any_wild(w) { WILD } else { w };
        }
        let leaf = leaves.entry((ws.len(), prefix)).or_default();
        let d = distinct.len();
        match best_cluster(leaf, &clusters, ws, threshold, &vocab) {
            Some(ci) => {
                let c = &mut clusters[ci];
                for (t, &w) in c.tpl.iter_mut().zip(ws) {
                    generalize(t, w, &vocab);
                }
                c.members.push(d);
            }
            None => {
                leaf.push(clusters.len());
                clusters.push(Cluster {
                    tpl: ws.iter().map(|&w| WordTpl::Exact(w)).collect(),
                    members: vec![d],
                });
            }
        }
        distinct.push(Distinct {
            words: w0..words.len(),
            count: 1,
            first_row: row,
        });
        seen.insert(s, d);
        row_distinct.push(d);
    }

    // Phase 4: split on frequent words.
    let mut parts: Vec<Vec<usize>> = Vec::with_capacity(clusters.len());
    for c in clusters {
        if c.members.len() < 2 {
            parts.push(c.members);
        } else {
            parts.extend(split_group(
                &c.members, &distinct, &words, &vocab, threshold,
            ));
        }
    }
    parts.sort_by_key(|m| m.first().map(|&d| distinct[d].first_row));

    // Phase 5: patterns, `others`, row assignment.
    let mut groups: Vec<Group> = Vec::with_capacity(parts.len() + 1);
    let mut distinct_group: Vec<usize> = vec![0; distinct.len()];
    let mut others: Vec<usize> = Vec::new();
    let mut others_count = 0u64;
    for m in &parts {
        let mut tpl: Vec<WordTpl> = Vec::new();
        let mut count = 0u64;
        for (k, &d) in m.iter().enumerate() {
            let ws = &words[distinct[d].words.clone()];
            if k == 0 {
                tpl = ws.iter().map(|&w| WordTpl::Exact(w)).collect();
            } else {
                for (t, &w) in tpl.iter_mut().zip(ws) {
                    generalize(t, w, &vocab);
                }
            }
            count += distinct[d].count;
        }
        let Some(&first) = m.first() else { continue };
        if !tpl.is_empty() && !tpl.iter().any(|t| vocab.has_constant(t)) {
            others.extend(m.iter().copied());
            others_count += count;
            continue;
        }
        let first_row = distinct[first].first_row;
        for &d in m {
            distinct_group[d] = groups.len();
        }
        groups.push(Group {
            pattern: render(values[first_row].unwrap_or(""), &tpl, &vocab, seps),
            count,
            representative: Some(first_row),
        });
    }
    if !others.is_empty() {
        for &d in &others {
            distinct_group[d] = groups.len();
        }
        groups.push(Group {
            pattern: OTHERS.to_string(),
            count: others_count,
            representative: None,
        });
    }
    let row_group = row_distinct.iter().map(|&d| distinct_group[d]).collect();
    Mining { groups, row_group }
}

/// The group of `leaf` that value `ws` joins, if any (phase 3).
fn best_cluster(
    leaf: &[usize],
    clusters: &[Cluster],
    ws: &[u32],
    threshold: f64,
    vocab: &Vocabulary<'_>,
) -> Option<usize> {
    let mut best: Option<(usize, usize, usize)> = None; // (cluster, matches, wildcards)
    for &ci in leaf {
        let mut matches = 0usize;
        let mut wild = 0usize;
        for (t, &w) in clusters[ci].tpl.iter().zip(ws) {
            match t {
                WordTpl::Exact(id) if *id == w => {
                    if vocab.all_wild(w) {
                        wild += 1;
                    } else {
                        matches += 1;
                    }
                }
                WordTpl::Exact(_) => {}
                WordTpl::Terms(_) | WordTpl::Any => wild += 1,
            }
        }
        if best.is_none_or(|(_, m, wl)| matches > m || (matches == m && wild > wl)) {
            best = Some((ci, matches, wild));
        }
    }
    let (ci, matches, wild) = best?;
    let n = ws.len();
    // A value without a constant word fits any group of its shape.
    let sim = if n == 0 || wild == n {
        1.0
    } else {
        matches as f64 / n as f64
    };
    (sim >= threshold || leaf.len() >= MAX_LEAF_GROUPS).then_some(ci)
}

/// Splits one group (its distinct values `m`, all with the same number of words) on the
/// words that are constants (phase 4); returns the subgroups, each in input order.
fn split_group(
    m: &[usize],
    distinct: &[Distinct],
    words: &[u32],
    vocab: &Vocabulary<'_>,
    threshold: f64,
) -> Vec<Vec<usize>> {
    let word_at = |d: usize, p: usize| words[distinct[d].words.start + p];
    let width = distinct[m[0]].words.len();
    let rows: u64 = m.iter().map(|&d| distinct[d].count).sum();
    let need = threshold * rows as f64;
    let varying: Vec<usize> = (0..width)
        .filter(|&p| {
            let w0 = word_at(m[0], p);
            m.iter().any(|&d| word_at(d, p) != w0)
        })
        .collect();
    if varying.is_empty() {
        return vec![m.to_vec()];
    }
    // per varying position: word → (rows, frequent)
    let mut stats: Vec<HashMap<u32, (u64, bool)>> = Vec::with_capacity(varying.len());
    for &p in &varying {
        let mut counts: HashMap<u32, (u64, bool)> = HashMap::default();
        for &d in m {
            counts.entry(word_at(d, p)).or_default().0 += distinct[d].count;
        }
        for (w, (c, frequent)) in counts.iter_mut() {
            *frequent = *c as f64 > need && *c >= MIN_SUPPORT && !vocab.all_wild(*w);
        }
        stats.push(counts);
    }
    let frequent_count: Vec<usize> = stats
        .iter()
        .map(|s| s.values().filter(|(_, f)| *f).count())
        .collect();
    // keep[i]: None = position i is a variable; Some(all) = split on its frequent words, or on
    // all its words when `all`.
    let mut keep: Vec<Option<bool>> = vec![None; varying.len()];
    for i in 0..varying.len() {
        let s = &stats[i];
        let few_choices = s.len() <= FEW_CHOICES
            && rows >= FEW_CHOICES_MIN_ROWS
            && s.values().any(|(_, f)| !*f)
            && s.keys().all(|w| !vocab.any_wild(*w));
        if few_choices {
            keep[i] = Some(true);
            continue;
        }
        if frequent_count[i] < 2 {
            continue;
        }
        let goes_together = (0..varying.len()).any(|j| {
            j != i && frequent_count[j] >= 2 && {
                let mut map: HashMap<u32, u32> = HashMap::default();
                let mut functional = true;
                for &d in m {
                    let (a, b) = (word_at(d, varying[i]), word_at(d, varying[j]));
                    let fa = stats[i].get(&a).is_some_and(|x| x.1);
                    let fb = stats[j].get(&b).is_some_and(|x| x.1);
                    if fa && fb && *map.entry(a).or_insert(b) != b {
                        functional = false;
                        break;
                    }
                }
                functional && map.values().collect::<HashSet<_, FastBuild>>().len() >= 2
            }
        });
        if goes_together {
            keep[i] = Some(false);
        }
    }
    let mut index: HashMap<Vec<u32>, usize> = HashMap::default();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &d in m {
        let key: Vec<u32> = varying
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let w = word_at(d, p);
                let kept = match keep[i] {
                    None => false,
                    Some(true) => true,
                    Some(false) => stats[i].get(&w).is_some_and(|x| x.1),
                };
                if kept { w } else { WILD }
            })
            .collect();
        let next = out.len();
        let k = *index.entry(key).or_insert(next);
        if k == next {
            out.push(Vec::new());
        }
        out[k].push(d);
    }
    out
}

/// Widens one word position of a pattern so that it also covers word `w`.
fn generalize(t: &mut WordTpl, w: u32, vocab: &Vocabulary<'_>) {
    let wt = vocab.terms_of(w);
    match t {
        WordTpl::Exact(id) if *id == w => {}
        WordTpl::Any => {}
        WordTpl::Exact(id) => {
            *t = merge_terms(vocab.terms_of(*id), wt).map_or(WordTpl::Any, WordTpl::Terms)
        }
        WordTpl::Terms(old) if old.len() == wt.len() => {
            for (x, y) in old.iter_mut().zip(wt) {
                if x != y {
                    *x = WILD;
                }
            }
        }
        WordTpl::Terms(_) => *t = WordTpl::Any,
    }
}

/// Term-wise merge of two words of the same shape; `None` when the shapes differ.
fn merge_terms(a: &[u32], b: &[u32]) -> Option<Vec<u32>> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .map(|(x, y)| if x == y { *x } else { WILD })
            .collect(),
    )
}

/// The pattern text: the representative `text` with each variable term replaced by `*` and
/// each variable-shaped word by a single `*`. Separators are kept as they appear in the
/// representative, except that a separator which is itself a letter or digit (possible only
/// with a custom `characters` set) and touches a wildcard is absorbed into it. INFER: the
/// docs render `fooZ1` split on `Z` as `foo*` and `MachineLearningX4` split on `X` as
/// `MachineLearning*`, while with the default separators they show `San *` and `* -on- *`.
fn render(text: &str, tpl: &[WordTpl], vocab: &Vocabulary<'_>, seps: &Separators) -> String {
    let mut word_spans = Vec::new();
    split_words(text, seps, &mut word_spans);
    let mut spans = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for (k, &(wb, we)) in word_spans.iter().enumerate() {
        out.push_str(&text[pos..wb]);
        pos = we;
        let word = &text[wb..we];
        let terms: &[u32] = match tpl.get(k) {
            Some(WordTpl::Exact(id)) => vocab.terms_of(*id),
            Some(WordTpl::Terms(ts)) => ts,
            Some(WordTpl::Any) | None => {
                out.push('*');
                continue;
            }
        };
        split_terms(word, seps, &mut spans);
        let mut p = 0usize;
        let mut prev_wild = false;
        for (j, &(b, e)) in spans.iter().enumerate() {
            let wild = terms.get(j).is_none_or(|t| *t == WILD);
            push_separators(&mut out, &word[p..b], prev_wild || wild);
            if wild {
                out.push('*');
            } else {
                out.push_str(&word[b..e]);
            }
            prev_wild = wild;
            p = e;
        }
        push_separators(&mut out, &word[p..], prev_wild);
    }
    out.push_str(&text[pos..]);
    out
}

fn push_separators(out: &mut String, seps: &str, touches_wildcard: bool) {
    if touches_wildcard {
        out.extend(seps.chars().filter(|c| !c.is_alphanumeric()));
    } else {
        out.push_str(seps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(values: &[&str], threshold: f64, seps: &Separators) -> Vec<(String, u64)> {
        let v: Vec<Option<&str>> = values.iter().map(|s| Some(*s)).collect();
        mine(&v, threshold, seps)
            .groups
            .into_iter()
            .map(|g| (g.pattern, g.count))
            .collect()
    }

    fn g(p: &str, c: u64) -> (String, u64) {
        (p.to_string(), c)
    }

    #[test]
    fn default_separators_are_non_alphanumerics() {
        let mut out = Vec::new();
        split_terms("Grüße, 世界-x_y 42", &Separators::Default, &mut out);
        let s = "Grüße, 世界-x_y 42";
        let terms: Vec<&str> = out.iter().map(|&(b, e)| &s[b..e]).collect();
        assert_eq!(terms, vec!["Grüße", "世界", "x", "y", "42"]);
        split_words(s, &Separators::Default, &mut out);
        assert_eq!(out.len(), 3);
        // a custom set without a space: the whole value is one word
        split_words(s, &Separators::from_option(Some("-")), &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn letter_separators_are_absorbed_by_wildcards() {
        // `characters="X"`: X touching a wildcard disappears, X between constants stays
        let seps = Separators::from_option(Some("X"));
        assert_eq!(groups(&["aXbX1", "aXbX2"], 0.1, &seps), vec![g("aXb*", 2)]);
        // punctuation separators stay (`blk_-*`, `/*.*.*.*`)
        assert_eq!(
            groups(
                &["from /10.0.0.1 blk_-5", "from /10.0.0.2 blk_7"],
                0.1,
                &Separators::Default
            ),
            vec![g("from /*.*.*.* blk_-*", 2)]
        );
    }

    #[test]
    fn words_of_different_shapes_become_one_wildcard() {
        // rhost=a.example vs rhost=b.c.example: different numbers of terms → the word is `*`
        assert_eq!(
            groups(
                &[
                    "login failed rhost=a.example",
                    "login failed rhost=b.c.example"
                ],
                0.1,
                &Separators::Default
            ),
            vec![g("login failed *", 2)]
        );
        // same shape: term-wise wildcard
        assert_eq!(
            groups(
                &[
                    "login failed rhost=a.example",
                    "login failed rhost=b.example"
                ],
                0.1,
                &Separators::Default
            ),
            vec![g("login failed rhost=*.example", 2)]
        );
    }

    #[test]
    fn others_collects_groups_without_constants() {
        // `12 34`, `5 6` (two variable words) and `x1` (one) have no constant term; in `- 1`
        // the only other word, `-`, is made of separators and has no term either: all four
        // are counted in `others`, which comes last.
        let out = groups(
            &["12 34", "x1", "5 6", "- 1", "ok"],
            0.1,
            &Separators::Default,
        );
        assert_eq!(out, vec![g("ok", 1), g(OTHERS, 4)]);
    }

    #[test]
    fn identical_values_share_a_group_and_empty_values_group_together() {
        let v = vec![Some("a b c"), None, Some(""), Some("a b c")];
        let m = mine(&v, 0.1, &Separators::Default);
        assert_eq!(m.row_group[0], m.row_group[3]);
        assert_eq!(m.row_group[1], m.row_group[2]);
        assert_eq!(m.groups[m.row_group[1]].pattern, "");
        assert_eq!(m.groups[m.row_group[1]].representative, Some(1));
    }

    #[test]
    fn templates_differing_in_several_words_are_split() {
        // Two templates with the same first two words: they join (0.4 ≥ 0.1), then words 2
        // and 3 are frequent (3 of 6 rows each > 0.6) and go together (`opened`→`for`,
        // `closed`→`by`), so the group splits back into the two templates. Word 4 (the user)
        // is a variable.
        let v = [
            "session 1 opened for alice",
            "session 2 closed by bob",
            "session 3 opened for carol",
            "session 4 closed by dave",
            "session 5 opened for erin",
            "session 6 closed by frank",
        ];
        assert_eq!(
            groups(&v, 0.1, &Separators::Default),
            vec![
                g("session * opened for *", 3),
                g("session * closed by *", 3)
            ]
        );
    }

    #[test]
    fn a_lone_word_with_frequent_values_stays_variable() {
        // The weekday varies alone (4 values, none rare): a variable, one group.
        let v = [
            "backup done on Mon",
            "backup done on Tue",
            "backup done on Wed",
            "backup done on Thu",
            "backup done on Mon",
            "backup done on Tue",
            "backup done on Wed",
            "backup done on Thu",
        ];
        assert_eq!(
            groups(&v, 0.1, &Separators::Default),
            vec![g("backup done on *", 8)]
        );
    }

    #[test]
    fn a_rare_alternative_among_few_words_is_a_constant() {
        // 6 rows, 2 distinct constant words at the end, one of them rare (1 row, below
        // MIN_SUPPORT): a choice between wordings, not a variable → two patterns.
        let v = [
            "session 1 initialized by client Agent",
            "session 2 initialized by client Agent",
            "session 3 initialized by client Agent",
            "session 4 initialized by client SPP",
            "session 5 initialized by client Agent",
            "session 6 initialized by client Agent",
        ];
        assert_eq!(
            groups(&v, 0.1, &Separators::Default),
            vec![
                g("session * initialized by client Agent", 5),
                g("session * initialized by client SPP", 1)
            ]
        );
    }

    #[test]
    fn full_leaves_force_a_join() {
        // MAX_LEAF_GROUPS + 10 values sharing their first two words and nothing else: at
        // threshold 1 none would join, but once the leaf is full the rest join a group.
        let vals: Vec<String> = (0..MAX_LEAF_GROUPS + 10)
            .map(|i| {
                let w: String = format!("{i:04}")
                    .bytes()
                    .map(|b| char::from(b'a' + (b - b'0')))
                    .collect();
                format!("same start {w}")
            })
            .collect();
        let v: Vec<Option<&str>> = vals.iter().map(|s| Some(s.as_str())).collect();
        let m = mine(&v, 1.0, &Separators::Default);
        assert!(m.groups.len() <= MAX_LEAF_GROUPS);
        assert_eq!(
            m.groups.iter().map(|g| g.count).sum::<u64>(),
            v.len() as u64
        );
    }
}
