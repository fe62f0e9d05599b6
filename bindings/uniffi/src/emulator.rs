//! `startEmulator()`: the local Neon API emulator, in-process on 127.0.0.1, over
//! the core's `EmulatorHandle` (the options are checked and worded by the core).

use std::sync::Arc;
use std::time::SystemTime;

use neonkit_emulator::handle::{self, EmulatorHandle};

use crate::{emulator_option_values, EmulatorOptions, Result};

/// What `TestEmulator.seed` seeded: the ids the emulator gave (or the fixture named).
#[derive(uniffi::Record, Clone, Debug)]
pub struct Seeded {
    pub projects: Vec<SeededProject>,
}

/// A seeded project, with its branches in the fixture's order.
#[derive(uniffi::Record, Clone, Debug)]
pub struct SeededProject {
    pub id: String,
    pub name: String,
    pub branches: Vec<SeededBranch>,
}

/// A seeded branch and its endpoints' ids.
#[derive(uniffi::Record, Clone, Debug)]
pub struct SeededBranch {
    pub id: String,
    pub name: String,
    pub endpoint_ids: Vec<String>,
}

/// A running emulator. `stop()` it when done (it also stops when collected).
#[derive(uniffi::Object)]
pub struct TestEmulator(EmulatorHandle);

/// Starts the Neon API emulator on 127.0.0.1 on neonkit's runtime; a bad option is a `ConfigError`.
/// `postgres_url` (an argument, not a field of the printed record: it holds a password)
/// attaches it to a running PostgreSQL server; `EmulatorOptions(postgres = true)` starts
/// a private cluster instead. A missing PostgreSQL is a runtime error naming the package to install.
#[uniffi::export(default(options = None, postgres_url = None))]
pub fn start_emulator(options: Option<EmulatorOptions>, postgres_url: Option<String>) -> Result<Arc<TestEmulator>> {
    let config = handle::config(neonkit::Convention::Camel, emulator_option_values(postgres_url, options.unwrap_or_default()))?;
    Ok(Arc::new(TestEmulator(EmulatorHandle::start_blocking(config)?)))
}

#[uniffi::export]
impl TestEmulator {
    /// `http://127.0.0.1:PORT/api/v2`
    pub fn base_url(&self) -> String {
        self.0.base_url().to_string()
    }

    /// The API key the emulator accepts.
    pub fn api_key(&self) -> String {
        self.0.api_key().to_string()
    }

    /// Adds a fault, as the JSON of `POST /_emulator/faults` (`{"operation_id": "getProject", "kind": "status", "status": 423}`).
    pub fn add_fault(&self, fault_json: String) -> Result<()> {
        Ok(self.0.add_fault_json(&fault_json)?)
    }

    /// Seeds projects with their branches, databases, roles, endpoints and operations from a
    /// fixture's JSON (`{"projects": [...]}` in the API's field names; timestamps may lie in the
    /// past). All or nothing: a fixture that does not match the spec's schemas is an
    /// `InvalidArgumentException` naming the bad field's path (`$.projects[0].name: …`).
    /// Returns the ids given, in the fixture's order.
    pub fn seed(&self, fixture_json: String) -> Result<Seeded> {
        let s = self.0.seed_json(&fixture_json)?;
        Ok(Seeded {
            projects: s
                .projects
                .into_iter()
                .map(|p| SeededProject {
                    id: p.id,
                    name: p.name,
                    branches: p
                        .branches
                        .into_iter()
                        .map(|b| SeededBranch { id: b.id, name: b.name, endpoint_ids: b.endpoint_ids })
                        .collect(),
                })
                .collect(),
        })
    }

    /// Removes every fault.
    pub fn clear_faults(&self) -> Result<()> {
        Ok(self.0.clear_faults()?)
    }

    /// Requests received for that operationId (faulted ones included).
    pub fn request_count(&self, operation_id: String) -> Result<i64> {
        Ok(self.0.request_count(&operation_id)? as i64)
    }

    /// Changes, while it runs, the options that can change (`operationDurationMs`, `locking`,
    /// `rateLimits`, `latencyMs`); setting any other is a `ConfigError` naming it.
    pub fn configure(&self, options: EmulatorOptions) -> Result<()> {
        Ok(self.0.configure(neonkit::Convention::Camel, emulator_option_values(None, options))?)
    }

    /// Sets the emulator's clock, where every timestamp it writes comes from (`createdAt`,
    /// `updatedAt`, operation times, …); it runs on from there (operation durations stay on
    /// real time). Returns the clock's time.
    pub fn set_clock(&self, at: SystemTime) -> Result<SystemTime> {
        Ok(self.0.set_clock_time(at)?)
    }

    /// Moves the emulator's clock forward by `seconds` (zero or more). Returns the clock's time.
    pub fn advance_clock(&self, seconds: f64) -> Result<SystemTime> {
        Ok(self.0.advance_clock_time(seconds)?)
    }

    /// Puts the emulator's clock back on the real time (`reset()` does too). Returns its time.
    pub fn real_clock(&self) -> Result<SystemTime> {
        Ok(self.0.real_clock_time()?)
    }

    /// The emulator's clock now.
    pub fn clock(&self) -> Result<SystemTime> {
        Ok(self.0.clock_time()?)
    }

    /// Empties all state: projects, faults, counters; the clock goes back to the real time.
    pub fn reset(&self) -> Result<()> {
        Ok(self.0.reset()?)
    }

    /// Stops the server (idempotent).
    pub fn stop(&self) {
        self.0.stop();
    }
}
