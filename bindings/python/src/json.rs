//! JSON bytes straight to Python objects (dict, list, str, int, float, bool,
//! None), as `json.loads` would build them but in one pass with no text copy:
//! the response is parsed once, in Rust, and object keys that repeat (every
//! project of a 400-project list has the same ~30) are made once per response.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Parses a JSON document into Python objects.
pub fn loads<'py>(py: Python<'py>, bytes: &[u8]) -> Result<Bound<'py, PyAny>, serde_json::Error> {
    let mut keys = Keys::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Seed { py, keys: &mut keys }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// FNV-1a: keys are short and trusted to be few, so a cheap hash beats SipHash.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// The keys seen so far in this document (at most `MAX_KEYS`, so a body with
/// many distinct keys, a map of ids, cannot grow it without bound).
#[derive(Default)]
struct Keys<'de, 'py> {
    seen: HashMap<&'de str, Bound<'py, PyString>, BuildHasherDefault<Fnv>>,
}

const MAX_KEYS: usize = 1024;

impl<'de, 'py> Keys<'de, 'py> {
    fn get(&mut self, py: Python<'py>, key: &'de str) -> Bound<'py, PyString> {
        if let Some(k) = self.seen.get(key) {
            return k.clone();
        }
        let k = PyString::new(py, key);
        if self.seen.len() < MAX_KEYS {
            self.seen.insert(key, k.clone());
        }
        k
    }
}

struct Seed<'a, 'de, 'py> {
    py: Python<'py>,
    keys: &'a mut Keys<'de, 'py>,
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
        while let Some(item) = seq.next_element_seed(Seed { py: self.py, keys: &mut *self.keys })? {
            list.append(item).map_err(py_err)?;
        }
        Ok(list.into_any())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = map.next_key_seed(KeySeed { py: self.py, keys: &mut *self.keys })? {
            let value = map.next_value_seed(Seed { py: self.py, keys: &mut *self.keys })?;
            dict.set_item(key, value).map_err(py_err)?;
        }
        Ok(dict.into_any())
    }
}

/// An object key: borrowed from the body when it has no escapes, and then cached.
struct KeySeed<'a, 'de, 'py> {
    py: Python<'py>,
    keys: &'a mut Keys<'de, 'py>,
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
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(self.keys.get(self.py, v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.py, v))
    }
}
