//! Names and slugs: how user-facing names are compared and how slugs are derived.

/// The key under which names are unique case-insensitively: trimmed, inner white space
/// collapsed, Unicode lower case.
pub fn name_key(name: &str) -> String {
    clean_name(name).to_lowercase()
}

/// A name as stored: trimmed, inner runs of white space collapsed to one space.
pub fn clean_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The longest slug [`slugify`] derives, leaving room for a `-N` suffix within the
/// 200-character slug limit (see `domain::text::SLUG`).
pub const DERIVED_SLUG_MAX: usize = 190;

/// Derives a URL-safe slug: lower-case ASCII letters and digits separated by single dashes,
/// at most [`DERIVED_SLUG_MAX`] characters. Letters outside ASCII are dropped; a name with
/// nothing left gives `"item"`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(ch);
        } else {
            pending_dash = true;
        }
    }
    if slug.len() > DERIVED_SLUG_MAX {
        // ASCII only, so any byte index is a character boundary.
        slug.truncate(DERIVED_SLUG_MAX);
        while slug.ends_with('-') {
            slug.pop();
        }
    }
    if slug.is_empty() {
        slug.push_str("item");
    }
    slug
}

/// Whether `slug` is a well-formed slug as [`slugify`] would produce.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The `n`-th candidate slug for a base (`base`, `base-2`, `base-3`, …), used to keep slugs unique.
pub fn numbered_slug(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}-{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_and_dashed() {
        assert_eq!(slugify("All-Purpose Flour"), "all-purpose-flour");
        assert_eq!(slugify("  Crème   brûlée!! "), "cr-me-br-l-e");
        assert_eq!(slugify("½"), "item");
        assert_eq!(numbered_slug("flour", 1), "flour");
        assert_eq!(numbered_slug("flour", 3), "flour-3");
        let long = slugify(&"a ".repeat(200));
        assert_eq!(
            long.len(),
            189,
            "cut at 190, then the trailing dash dropped"
        );
        assert!(is_valid_slug(&long));
        assert_eq!(slugify(&"x".repeat(500)).len(), DERIVED_SLUG_MAX);
    }

    #[test]
    fn name_keys_ignore_case_and_spacing() {
        assert_eq!(name_key("  Brown   Sugar "), "brown sugar");
        assert_eq!(name_key("BROWN SUGAR"), name_key("brown sugar"));
        assert_eq!(clean_name(" a  b "), "a b");
    }

    #[test]
    fn validates_slugs() {
        assert!(is_valid_slug("sugar-cookie-2"));
        assert!(!is_valid_slug("Sugar"));
        assert!(!is_valid_slug("a--b"));
        assert!(!is_valid_slug("-a"));
    }
}
