//! Generates the node binding's shims from the spec (owned by the node binding work).

use crate::spec::Spec;

/// Every generated file of the node binding: (path from the repo root, contents).
pub fn files(_spec: &Spec) -> Vec<(String, String)> {
    Vec::new()
}
