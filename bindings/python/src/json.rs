//! JSON bytes straight to Python objects (dict, list, str, int, float, bool,
//! None), as `json.loads` would build them but in one pass with no text copy:
//! the response is parsed once, in Rust. Object keys come from a table kept
//! across responses (the API's field names are few, so each is made and hashed
//! once per process), and short values that repeat within a large response
//! (every project of a list has mostly the same region, platform and owner)
//! are made once per response.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Parses a JSON document into Python objects.
pub fn loads<'py>(py: Python<'py>, bytes: &[u8]) -> Result<Bound<'py, PyAny>, serde_json::Error> {
    // One UTF-8 check of the whole body (fast on ASCII) lets the parser skip
    // checking each string again.
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Err(de::Error::custom(format_args!("the body is not UTF-8 (byte {})", e.valid_up_to()))),
    };
    let mut strings = Strings::for_body(py, bytes.len());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed { py, strings: &mut strings }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Where strings come from while one document is parsed. Both tables are
/// direct-mapped, as in orjson: a slot per hash, a colliding string replaces
/// the one there, so a lookup is a hash and a compare, and neither grows.
/// A kept object key and the Python string made for it.
type KeptKey = Option<(Box<str>, Py<PyString>)>;

struct Strings<'de, 'py> {
    /// Object keys, kept across documents; `None` when another parse holds the
    /// table (a parse started from a finalizer during this one), which then
    /// makes its keys afresh.
    keys: Option<MutexGuard<'static, Vec<KeptKey>>>,
    /// Short values of this document; empty for small bodies (one object),
    /// where few values repeat.
    values: Vec<Option<(&'de str, Bound<'py, PyString>)>>,
}

static KEYS: Mutex<Vec<KeptKey>> = Mutex::new(Vec::new());
/// Longer keys are not kept across documents.
const MAX_KEPT_KEY_LEN: usize = 64;

/// Bodies smaller than this are parsed without the value table.
const CACHE_FROM_BYTES: usize = 8 * 1024;
/// Slots of each table (a power of two).
const SLOTS: usize = 2048;
/// Longer values are rarely repeated (ids, timestamps, descriptions).
const MAX_CACHED_VALUE_LEN: usize = 40;

/// The slot of a string: its length and its first and last 8 bytes, mixed.
fn slot(s: &[u8]) -> usize {
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let n = s.len();
    let (head, tail) = if n >= 8 { (word(&s[..8]), word(&s[n - 8..])) } else { (word(s), 0) };
    let h = (head ^ tail.rotate_left(29) ^ (n as u64).rotate_left(58)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 40) as usize & (SLOTS - 1)
}

impl<'de, 'py> Strings<'de, 'py> {
    fn for_body(_py: Python<'py>, len: usize) -> Self {
        let mut keys = KEYS.try_lock().ok();
        if let Some(k) = &mut keys {
            if k.is_empty() {
                k.resize_with(SLOTS, || None);
            }
        }
        let values = if len >= CACHE_FROM_BYTES { std::iter::repeat_with(|| None).take(SLOTS).collect() } else { Vec::new() };
        Strings { keys, values }
    }

    fn key(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        let Some(keys) = self.keys.as_mut().filter(|_| s.len() <= MAX_KEPT_KEY_LEN) else { return PyString::new(py, s) };
        let entry = &mut keys[slot(s.as_bytes())];
        if let Some((kept, obj)) = entry {
            if **kept == *s {
                return obj.bind(py).clone();
            }
        }
        let obj = PyString::new(py, s);
        *entry = Some((s.into(), obj.clone().unbind()));
        obj
    }

    fn value(&mut self, py: Python<'py>, s: &'de str) -> Bound<'py, PyString> {
        if self.values.is_empty() {
            return PyString::new(py, s);
        }
        let entry = &mut self.values[slot(s.as_bytes())];
        if let Some((cached, obj)) = entry {
            if *cached == s {
                return obj.clone();
            }
        }
        let obj = PyString::new(py, s);
        *entry = Some((s, obj.clone()));
        obj
    }
}

struct Seed<'a, 'de, 'py> {
    py: Python<'py>,
    strings: &'a mut Strings<'de, 'py>,
}

impl<'a, 'de, 'py> DeserializeSeed<'de> for Seed<'a, 'de, 'py> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn py_err<E: de::Error>(e: PyErr) -> E {
    E::custom(format!("could not build a Python object: {e}"))
}

impl<'a, 'de, 'py> Visitor<'de> for Seed<'a, 'de, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyBool::new(self.py, v).to_owned().into_any())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        let Ok(int) = v.into_pyobject(self.py);
        Ok(int.into_any())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        let Ok(int) = v.into_pyobject(self.py);
        Ok(int.into_any())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyFloat::new(self.py, v).into_any())
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        if v.len() <= MAX_CACHED_VALUE_LEN {
            return Ok(self.strings.value(self.py, v).into_any());
        }
        Ok(PyString::new(self.py, v).into_any())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.py);
        while let Some(item) = seq.next_element_seed(Seed { py: self.py, strings: &mut *self.strings })? {
            list.append(item).map_err(py_err)?;
        }
        Ok(list.into_any())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = map.next_key_seed(KeySeed { py: self.py, strings: &mut *self.strings })? {
            let value = map.next_value_seed(Seed { py: self.py, strings: &mut *self.strings })?;
            dict.set_item(key, value).map_err(py_err)?;
        }
        Ok(dict.into_any())
    }
}

/// An object key, from the key table.
struct KeySeed<'a, 'de, 'py> {
    py: Python<'py>,
    strings: &'a mut Strings<'de, 'py>,
}

impl<'a, 'de, 'py> DeserializeSeed<'de> for KeySeed<'a, 'de, 'py> {
    type Value = Bound<'py, PyString>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'a, 'de, 'py> Visitor<'de> for KeySeed<'a, 'de, 'py> {
    type Value = Bound<'py, PyString>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.strings.key(self.py, v))
    }
}
