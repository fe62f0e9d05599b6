//! `uniffi-bindgen generate --library <cdylib> --language kotlin|swift --out-dir <dir>`,
//! pinned to the uniffi version of bindings/uniffi.
fn main() {
    uniffi::uniffi_bindgen_main()
}
