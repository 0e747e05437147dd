//! The text of API tokens: `bp_` and 32 random bytes in base64url (43 characters), shown
//! once and stored only as its SHA-256 in hex.

use base64::Engine;

/// What every token starts with, so one pasted into the wrong place is recognisable.
pub const PREFIX: &str = "bp_";

/// Random bytes in a token (256 bits).
const RANDOM_BYTES: usize = 32;

/// The longest text worth hashing: longer values cannot be a token.
pub const MAX_TOKEN_LEN: usize = 200;

/// A new token's text, from the operating system's random source.
pub fn generate() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The SHA-256 of a token's text in lower-case hex: what the database keeps and looks up.
pub fn hash(token: &str) -> String {
    crate::http::persisted::sha256_hex(token)
}

/// Compares two byte strings in time that depends only on their lengths, not on where
/// they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_url_safe() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX));
        assert_eq!(a.len(), PREFIX.len() + 43);
        assert!(a[PREFIX.len()..]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
