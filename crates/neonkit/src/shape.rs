//! The top-level shape check every JSON response goes through before a
//! binding sees it: valid UTF-8 and JSON, an object, its documented fields of
//! the documented kinds, the required resource objects present. So `{"project": "hello"}`,
//! `null`, an empty 200 or a 204 for getProject are the same `Decode` error in
//! every language. Values below the top level are only scanned, not built.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::operation::{JsonKind, OperationInfo, ResponseField};
use crate::{Error, ErrorKind, Result};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Seen {
    fn name(self) -> &'static str {
        match self {
            Seen::Null => "null",
            Seen::Bool => "a boolean",
            Seen::Number => "a number",
            Seen::String => "a string",
            Seen::Array => "an array",
            Seen::Object => "an object",
        }
    }

    fn fits(self, field: &ResponseField) -> bool {
        match (field.kind, self) {
            (JsonKind::Any, _) => true,
            // Optional fields may be null too: servers send `"x": null` for "not set".
            (_, Seen::Null) => !field.required || field.nullable,
            (JsonKind::Object, Seen::Object)
            | (JsonKind::Array, Seen::Array)
            | (JsonKind::String, Seen::String)
            | (JsonKind::Number, Seen::Number)
            | (JsonKind::Bool, Seen::Bool) => true,
            _ => false,
        }
    }
}

fn kind_name(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::Object => "an object",
        JsonKind::Array => "an array",
        JsonKind::String => "a string",
        JsonKind::Number => "a number",
        JsonKind::Bool => "a boolean",
        JsonKind::Any => "any value",
    }
}

/// Reads one value's kind and skips its contents.
struct KindOf;

impl<'de> DeserializeSeed<'de> for KindOf {
    type Value = Seen;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Seen, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KindOf {
    type Value = Seen;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Seen, E> {
        Ok(Seen::Bool)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Seen, E> {
        Ok(Seen::Number)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Seen, E> {
        Ok(Seen::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Seen, E> {
        Ok(Seen::Number)
    }
    fn visit_str<E>(self, _: &str) -> Result<Seen, E> {
        Ok(Seen::String)
    }
    fn visit_unit<E>(self) -> Result<Seen, E> {
        Ok(Seen::Null)
    }
    fn visit_none<E>(self) -> Result<Seen, E> {
        Ok(Seen::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Seen::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Seen::Object)
    }
}

/// The top-level object: each known field's kind checked, the required ones counted.
struct TopLevel<'a> {
    fields: &'a [ResponseField],
    seen: &'a mut Vec<bool>,
}

/// A key, matched against the documented fields.
struct FieldKey<'a>(&'a [ResponseField]);

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldKey<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| f.name == key))
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = std::result::Result<(), String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut wrong = None;
        while let Some(index) = map.next_key_seed(FieldKey(self.fields))? {
            let seen = map.next_value_seed(KindOf)?;
            if let Some(i) = index {
                let field = &self.fields[i];
                if !seen.fits(field) && wrong.is_none() {
                    wrong = Some(format!("its field {} is {}, expected {}", field.name, seen.name(), kind_name(field.kind)));
                }
                if seen != Seen::Null {
                    self.seen[i] = true;
                }
            }
        }
        Ok(wrong.map_or(Ok(()), Err))
    }
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = std::result::Result<(), String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TopOrOther(self))
    }
}

/// The top level may be anything; whatever is not an object is named in the error.
struct TopOrOther<'a>(TopLevel<'a>);

impl<'de> Visitor<'de> for TopOrOther<'_> {
    type Value = std::result::Result<(), String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        KindOf.visit_seq(seq).map(|s| Err(format!("it is {}, not an object", s.name())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("it is a boolean, not an object".into()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("it is a number, not an object".into()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("it is a number, not an object".into()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("it is a number, not an object".into()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("it is a string, not an object".into()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err("it is null, not an object".into()))
    }
}

fn shape_error(op: &'static OperationInfo, why: impl fmt::Display) -> Error {
    Error::new(ErrorKind::Decode, format!("the response is not the documented shape: {why}")).with_operation(op.id)
}

/// Checks a JSON response body against the operation's documented top level.
pub(crate) fn check(op: &'static OperationInfo, body: &[u8]) -> Result<()> {
    if op.response_fields.is_empty() {
        return Ok(());
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(shape_error(op, "the body is empty"));
    }
    let text = std::str::from_utf8(body).map_err(|e| shape_error(op, format_args!("the body is not UTF-8 (byte {})", e.valid_up_to())))?;
    let mut seen = vec![false; op.response_fields.len()];
    let mut de = serde_json::Deserializer::from_str(text);
    let outcome = TopLevel { fields: op.response_fields, seen: &mut seen }
        .deserialize(&mut de)
        .and_then(|r| de.end().map(|_| r))
        .map_err(|e| shape_error(op, format_args!("the body is not valid JSON: {}", crate::error::scrub_decode_message(&e.to_string()))))?;
    outcome.map_err(|why| shape_error(op, why))?;
    if let Some(missing) = op.response_fields.iter().zip(&seen).find(|(f, seen)| f.required && !**seen) {
        return Err(shape_error(op, format_args!("its field {} is missing", missing.0.name)));
    }
    Ok(())
}

/// A binding's JSON body read as the operation's request model `T`: `Err` names
/// the first field of the wrong type by its path (`project.name: expected a
/// string, got 123`, `endpoints[0]: expected an object, got a string`). Unknown
/// fields and unknown enum values pass (the API grows); a string's value is never
/// quoted (it may be a secret).
pub fn check_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> std::result::Result<(), String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => Ok(()),
        Err(e) => {
            let path = e.path().to_string();
            let what = type_mismatch(&e.inner().to_string());
            Err(if path == "." { what } else { format!("{path}: {what}") })
        }
    }
}

/// serde's "invalid type: integer `123`, expected a string at line 1 column 9"
/// as "expected a string, got 123"; other messages scrubbed of their values.
fn type_mismatch(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        if let Some((got, expected)) = rest.split_once(", expected ") {
            let got = match got.split_once(' ') {
                Some(("string" | "map" | "sequence", _)) | None => match got.split(' ').next().unwrap_or(got) {
                    "string" => "a string".to_string(),
                    "map" => "an object".to_string(),
                    "sequence" => "an array".to_string(),
                    other => other.to_string(),
                },
                Some((_, value)) => value.trim_matches('`').to_string(),
            };
            let expected = match expected {
                "a sequence" => "an array",
                "a map" => "an object",
                e if e.starts_with("struct ") => "an object",
                "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => "an integer",
                "f32" | "f64" => "a number",
                e => e,
            };
            return format!("expected {expected}, got {got}");
        }
    }
    crate::error::scrub_decode_message(msg)
}
