//! The JSON text of an answer, written as async-graphql's `Response` would serialize: the
//! same escaping and number formatting (serde_json's), scalars through the same
//! `ScalarType::to_value` as the schema's resolvers.

use super::selection::Fields;
use async_graphql::{InputType, ScalarType};

/// An answer being written.
pub struct Json {
    buf: Vec<u8>,
}

impl Json {
    /// An empty answer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Json {
        Json {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// The text written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Text that is JSON already.
    pub fn raw(&mut self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// A JSON string.
    pub fn str(&mut self, text: &str) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.buf, text);
    }

    /// A string, or `null`.
    pub fn opt_str(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.str(text),
            None => self.raw("null"),
        }
    }

    /// An integer.
    pub fn int(&mut self, value: impl Into<i64>) {
        let _ = serde_json::to_writer(&mut self.buf, &value.into());
    }

    /// An integer, or `null`.
    pub fn opt_int(&mut self, value: Option<i32>) {
        match value {
            Some(value) => self.int(value),
            None => self.raw("null"),
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self, value: bool) {
        self.raw(if value { "true" } else { "false" });
    }

    /// A float as GraphQL `Float`.
    pub fn float(&mut self, value: f64) {
        self.value(&ScalarType::to_value(&value));
    }

    /// A custom scalar, as its resolver would give it.
    pub fn scalar(&mut self, value: &impl ScalarType) {
        self.value(&value.to_value());
    }

    /// A GraphQL enum value.
    pub fn enumeration(&mut self, value: &impl InputType) {
        self.value(&value.to_value());
    }

    fn value(&mut self, value: &async_graphql::Value) {
        let _ = serde_json::to_writer(&mut self.buf, value);
    }

    /// An object: each selected field's key, then its value written by `each`.
    pub fn object<K>(&mut self, fields: &Fields<K>, mut each: impl FnMut(&mut Json, &K)) {
        self.buf.push(b'{');
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            self.raw(&field.key);
            each(self, &field.kind);
        }
        self.buf.push(b'}');
    }

    /// A list: each item written by `each`.
    pub fn list<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut each: impl FnMut(&mut Json, T),
    ) {
        self.buf.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            each(self, item);
        }
        self.buf.push(b']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(write: impl FnOnce(&mut Json)) -> String {
        let mut json = Json::with_capacity(0);
        write(&mut json);
        String::from_utf8(json.into_bytes()).unwrap()
    }

    #[test]
    fn integers_are_written_as_serde_json_writes_them() {
        for n in [
            0i64,
            7,
            -7,
            10,
            99,
            100,
            i64::MAX,
            i64::MIN,
            i64::from(i32::MIN),
        ] {
            assert_eq!(text(|j| j.int(n)), serde_json::to_string(&n).unwrap());
        }
        assert_eq!(text(|j| j.int(-2147483648i32)), "-2147483648");
    }

    #[test]
    fn strings_and_floats_are_escaped_and_formatted_as_serde_json_does() {
        assert_eq!(text(|j| j.str("a\"b\\c\n\u{1}é")), r#""a\"b\\c\n\u0001é""#);
        assert_eq!(text(|j| j.float(100.0)), "100.0");
        assert_eq!(text(|j| j.float(33.333333333333336)), "33.333333333333336");
        assert_eq!(text(|j| j.opt_str(None)), "null");
    }
}
