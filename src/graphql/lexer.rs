//! The lexical tokens of a GraphQL document (GraphQL spec §2.1), found without parsing:
//! counted before a document is parsed (a limit), and compared when a document must be one
//! of a list (trusted documents), where white space, commas and comments do not matter.

/// The tokens of `source` in order, as slices of it. White space, commas and comments are
/// not tokens; a string or block string is one token, written as in the source.
pub fn tokens(source: &str) -> Tokens<'_> {
    Tokens { source, at: 0 }
}

/// Counts the tokens of `source`, stopping once past `limit`.
pub fn count_tokens(source: &str, limit: usize) -> usize {
    tokens(source).take(limit.saturating_add(1)).count()
}

/// The tokens of a document written with single spaces between them: two documents that
/// differ only in white space, commas and comments have the same canonical form.
pub fn canonical(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for token in tokens(source) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

/// Iterator over the tokens of a document; see [`tokens`].
pub struct Tokens<'a> {
    source: &'a str,
    at: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.source.as_bytes();
        let is_name = |b: u8| b == b'_' || b.is_ascii_alphanumeric();
        let mut i = self.at;
        loop {
            match bytes.get(i)? {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        let start = i;
        match bytes[i] {
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b if is_name(b) || b == b'-' => {
                i += 1;
                while i < bytes.len()
                    && (is_name(bytes[i]) || matches!(bytes[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => {
                // One punctuator, or one character the parser will refuse; a whole UTF-8
                // character so the slice stays valid.
                i += self.source[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        let end = i.min(bytes.len());
        self.at = end;
        Some(&self.source[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_like_the_lexer_does() {
        assert_eq!(count_tokens("{ a }", 100), 3);
        assert_eq!(
            count_tokens("query Q($v: Int = -1.5e3) { a(x: $v) }", 100),
            19
        );
        assert_eq!(count_tokens("{ a(s: \"x, y \\\" z\") } # a, b, c", 100), 8);
        assert_eq!(count_tokens("{ ...F } fragment F on T { b }", 100), 11);
        assert_eq!(
            count_tokens("{ a(s: \"\"\"one \\\"\"\" two\"\"\") }", 100),
            8
        );
        assert_eq!(count_tokens(&"a ".repeat(10_000), 50), 51);
    }

    #[test]
    fn canonical_form_ignores_layout_but_not_strings() {
        assert_eq!(
            canonical("query Q {\n  a(s: \"x,  y\"), # note\n  b\n}"),
            canonical("query Q { a(s: \"x,  y\") b }")
        );
        assert_ne!(
            canonical("{ a(s: \"x y\") }"),
            canonical("{ a(s: \"x  y\") }")
        );
        assert_ne!(canonical("{ a b }"), canonical("{ ab }"));
        assert_eq!(canonical("{ é"), "{ é");
        // An unterminated string ends the document instead of slicing past its end.
        assert_eq!(canonical("{ a(s: \"open"), "{ a ( s : \"open");
    }
}
