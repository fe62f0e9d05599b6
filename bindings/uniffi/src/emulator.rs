//! `startEmulator()`: the local Neon API emulator (crates/neonkit-emulator),
//! in-process on 127.0.0.1, so Kotlin and Swift tests need nothing else.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use neonkit_emulator::{Emulator, EmulatorConfig, Fault};

use crate::NeonError;

/// How the emulator behaves; every field is optional.
#[derive(Clone, Default, uniffi::Record)]
pub struct EmulatorOptions {
    /// How long operations take to finish, in milliseconds (default 20; 0 = at once).
    #[uniffi(default = None)]
    pub operation_duration_ms: Option<i64>,
    /// `423 Locked` while a conflicting operation runs (default true).
    #[uniffi(default = None)]
    pub locking: Option<bool>,
    /// Neon's rate limits (default false).
    #[uniffi(default = None)]
    pub rate_limits: Option<bool>,
}

/// A running emulator. `stop()` it when done (it also stops when collected).
#[derive(uniffi::Object)]
pub struct TestEmulator {
    emulator: Mutex<Option<Emulator>>,
    base_url: String,
    api_key: String,
}

/// Starts the Neon API emulator on 127.0.0.1 (an ephemeral port) on neonkit's runtime.
#[uniffi::export(default(options = None))]
pub fn start_emulator(options: Option<EmulatorOptions>) -> Result<Arc<TestEmulator>, NeonError> {
    let o = options.unwrap_or_default();
    let mut config = EmulatorConfig::default();
    if let Some(ms) = o.operation_duration_ms {
        config.operation_duration = Duration::from_millis(ms.max(0) as u64);
    }
    if let Some(l) = o.locking {
        config.locking = l;
    }
    if let Some(r) = o.rate_limits {
        config.rate_limits = r;
    }
    let emu = neonkit::runtime::block_on(Emulator::start(config))?
        .map_err(|e| NeonError::runtime(format!("the emulator could not start: {e}")))?;
    Ok(Arc::new(TestEmulator { base_url: emu.base_url().to_string(), api_key: emu.api_key().to_string(), emulator: Mutex::new(Some(emu)) }))
}

impl TestEmulator {
    fn with<T>(&self, f: impl FnOnce(&Emulator) -> T) -> Result<T, NeonError> {
        let guard = self.emulator.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(e) => Ok(f(e)),
            None => Err(NeonError::runtime("the emulator was stopped")),
        }
    }
}

#[uniffi::export]
impl TestEmulator {
    /// `http://127.0.0.1:PORT/api/v2`
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The API key the emulator accepts.
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }

    /// Adds a fault, given as the JSON of `POST /_emulator/faults`
    /// (`{"operation_id": "getProject", "kind": "status", "status": 423, "times": 2}`).
    pub fn add_fault(&self, fault_json: String) -> Result<(), NeonError> {
        let fault: Fault = serde_json::from_str(&fault_json).map_err(|e| NeonError::invalid(format!("invalid fault: {e}"), None))?;
        self.with(|e| e.add_fault(fault))
    }

    /// Removes every fault.
    pub fn clear_faults(&self) -> Result<(), NeonError> {
        self.with(|e| e.clear_faults())
    }

    /// Requests received for that operationId (faulted ones included).
    pub fn request_count(&self, operation_id: String) -> Result<i64, NeonError> {
        self.with(|e| e.request_count(&operation_id) as i64)
    }

    /// Empties all state: projects, faults, counters.
    pub fn reset(&self) -> Result<(), NeonError> {
        self.with(|e| e.reset())
    }

    /// Stops the server (idempotent).
    pub fn stop(&self) {
        let taken = self.emulator.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(emu) = taken {
            if neonkit::runtime::block_on(emu.stop()).is_err() {
                // Inside a runtime: dropping stops it too.
            }
        }
    }
}
