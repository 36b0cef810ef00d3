//! When a REPL buffer is a complete input: a line ending in `|`, an open bracket or an open
//! string continues; a blank line or a trailing `;` runs what is there; a dot-command runs at
//! once. Also the KQL lexer the highlighter and the completer share.

/// What Enter does with the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    Run,
    Continue,
}

/// A lexical token class, for highlighting and completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    Word,
    Number,
    Str,
    Comment,
    Punct,
    Space,
}

/// Splits `text` into (class, byte range) tokens. Unterminated strings and comments run to the
/// end of the text (the second value is then `true`).
pub fn lex(text: &str) -> (Vec<(Tok, std::ops::Range<usize>)>, bool) {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut open = false;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let tok = if c.is_ascii_whitespace() {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            Tok::Space
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            Tok::Comment
        } else if text[i..].starts_with("```") || text[i..].starts_with("~~~") {
            let fence = &text[i..i + 3];
            match text[i + 3..].find(fence) {
                Some(k) => i += 3 + k + 3,
                None => {
                    i = b.len();
                    open = true;
                }
            }
            Tok::Str
        } else if c == b'"'
            || c == b'\''
            || ((c == b'@' || c == b'h' || c == b'H') && matches!(b.get(i + 1), Some(b'"' | b'\'')))
        {
            let verbatim = c == b'@';
            if c != b'"' && c != b'\'' {
                i += 1;
            }
            let q = b[i];
            i += 1;
            let mut closed = false;
            while i < b.len() {
                if b[i] == b'\\' && !verbatim {
                    i += 2;
                    continue;
                }
                if b[i] == q {
                    if verbatim && b.get(i + 1) == Some(&q) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    closed = true;
                    break;
                }
                if b[i] == b'\n' && !verbatim {
                    break;
                }
                i += 1;
            }
            i = i.min(b.len());
            if !closed {
                open = true;
            }
            Tok::Str
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            Tok::Number
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'$'))
            {
                // `project-away` is one word, `x-1` is not: a hyphen continues a word only
                // when a letter follows
                if b[i] == b'-' && !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                    break;
                }
                i += 1;
            }
            Tok::Word
        } else {
            // one character (UTF-8 aware)
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            Tok::Punct
        };
        out.push((tok, start..i));
    }
    (out, open)
}

/// Decides whether Enter runs `buffer` or continues it on a new line.
pub fn readiness(buffer: &str) -> Readiness {
    let trimmed = buffer.trim();
    if trimmed.is_empty() || trimmed.starts_with('.') {
        return Readiness::Run;
    }
    // a blank last line: the user pressed Enter twice
    if let Some(last) = buffer.rsplit('\n').next()
        && buffer.contains('\n')
        && last.trim().is_empty()
    {
        return Readiness::Run;
    }
    let (toks, open) = lex(buffer);
    if open {
        return Readiness::Continue;
    }
    let mut depth: i64 = 0;
    let mut last = None;
    for (t, r) in &toks {
        match t {
            Tok::Punct => {
                match &buffer[r.clone()] {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth -= 1,
                    _ => {}
                }
                last = Some(&buffer[r.clone()]);
            }
            Tok::Space | Tok::Comment => {}
            _ => last = Some(&buffer[r.clone()]),
        }
    }
    if last == Some(";") {
        return Readiness::Run;
    }
    if depth > 0 || last == Some("|") {
        return Readiness::Continue;
    }
    Readiness::Run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_runs() {
        assert_eq!(readiness("T | count"), Readiness::Run);
        assert_eq!(readiness("print 1"), Readiness::Run);
        assert_eq!(readiness(""), Readiness::Run);
        assert_eq!(readiness(".tables"), Readiness::Run);
    }

    #[test]
    fn a_trailing_pipe_or_open_bracket_continues() {
        assert_eq!(readiness("T |"), Readiness::Continue);
        assert_eq!(
            readiness("T\n| where x > 1 |  // more"),
            Readiness::Continue
        );
        assert_eq!(readiness("T | where x in (1,"), Readiness::Continue);
        assert_eq!(readiness("datatable(a:long) [1,\n2"), Readiness::Continue);
        assert_eq!(readiness("print s = 'abc"), Readiness::Continue);
        assert_eq!(readiness("print s = ```multi\nline"), Readiness::Continue);
    }

    #[test]
    fn a_blank_line_or_semicolon_runs() {
        assert_eq!(readiness("T |\n"), Readiness::Run);
        assert_eq!(readiness("T | where x in (1,\n  "), Readiness::Run);
        assert_eq!(readiness("let x = 1;"), Readiness::Run);
    }

    #[test]
    fn brackets_and_pipes_inside_strings_and_comments_do_not_count() {
        assert_eq!(readiness("print s = '(|'"), Readiness::Run);
        assert_eq!(readiness("print s = 1 // ( |"), Readiness::Run);
        assert_eq!(readiness(r#"print s = "a\"(""#), Readiness::Run);
        assert_eq!(readiness("print s = @'c:\\'"), Readiness::Run);
    }

    #[test]
    fn the_lexer_keeps_hyphenated_operator_names_whole() {
        let text = "T | project-away x-1";
        let (toks, _) = lex(text);
        let words: Vec<&str> = toks
            .iter()
            .filter(|(t, _)| *t == Tok::Word)
            .map(|(_, r)| &text[r.clone()])
            .collect();
        assert_eq!(words, ["T", "project-away", "x"]);
    }
}
