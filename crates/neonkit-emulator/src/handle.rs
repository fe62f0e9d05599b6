//! The emulator as every language's testing helper holds it: started from
//! options under the language's own names (checked by the core, worded as the
//! client's options are), on neonkit's shared runtime, with errors as
//! neonkit errors. A binding converts values and nothing else.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use neonkit::{Convention, Error, ErrorKind, OptionSetting, OptionValue, Result};

use crate::{Emulator, EmulatorConfig, Fault, OptionNames, PostgresConfig};

/// A running emulator; `stop()` ends it (dropping it does too).
pub struct EmulatorHandle {
    emulator: Mutex<Option<Emulator>>,
    base_url: String,
    api_key: String,
    port: u16,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle").field("base_url", &self.base_url).field("api_key", &"<redacted>").finish()
    }
}

/// The emulator's configuration from a testing helper's options.
///
/// `postgres` (a private cluster) and `postgres_url` (an attached server, which
/// implies `postgres`) give [`EmulatorConfig::postgres`]; `no_pooler` needs one of
/// them. The URL is a secret: no message shows it.
pub fn config(c: Convention, values: impl IntoIterator<Item = (String, OptionValue)>) -> Result<EmulatorConfig> {
    let option_names = match c {
        Convention::Snake => OptionNames::Snake,
        Convention::Camel => OptionNames::Camel,
    };
    let mut config = EmulatorConfig { option_names, ..Default::default() };
    let (mut postgres, mut url, mut no_pooler) = (None, None, false);
    for (name, _, value) in neonkit::options::emulator_options(c, values)? {
        match (name, value) {
            ("port", OptionSetting::Whole(n)) => config.port = n as u16,
            ("api_key", OptionSetting::Text(k)) => config.api_key = Some(k),
            ("operation_duration", OptionSetting::Duration(d)) => config.operation_duration = d,
            ("locking", OptionSetting::Flag(b)) => config.locking = b,
            ("rate_limits", OptionSetting::Flag(b)) => config.rate_limits = b,
            ("latency", OptionSetting::Duration(d)) => config.latency = d,
            ("seed", OptionSetting::Whole(n)) => config.seed = Some(n as u64),
            ("idle_timeout", OptionSetting::Duration(d)) => config.idle_timeout = Some(d),
            ("postgres", OptionSetting::Flag(b)) => postgres = Some(b),
            ("postgres_url", OptionSetting::Text(u)) => url = Some(u),
            ("no_pooler", OptionSetting::Flag(b)) => no_pooler = b,
            ("state_file", OptionSetting::Text(p)) => config.state_file = Some(p.into()),
            (other, _) => unreachable!("emulator option {other} has no field in EmulatorConfig"),
        }
    }
    let name = |n| neonkit::options::emulator_option_name(c, n);
    if postgres == Some(false) && url.is_some() {
        return Err(Error::new(
            ErrorKind::Config,
            format!("{} attaches the emulator to a PostgreSQL server: leave {} unset or true", name("postgres_url"), name("postgres")),
        ));
    }
    if postgres == Some(true) || url.is_some() {
        config.postgres = Some(PostgresConfig { url, no_pooler, ..Default::default() });
    } else if no_pooler {
        return Err(Error::new(
            ErrorKind::Config,
            format!("{} is for the emulator's PostgreSQL: set {} (or {}) too", name("no_pooler"), name("postgres"), name("postgres_url")),
        ));
    }
    Ok(config)
}

fn stopped() -> Error {
    Error::new(ErrorKind::Runtime, "the emulator was stopped")
}

impl EmulatorHandle {
    /// Starts an emulator on 127.0.0.1 (call it on neonkit's shared runtime).
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle> {
        let emu =
            Emulator::start(config).await.map_err(|e| Error::new(ErrorKind::Runtime, format!("the emulator could not start: {e}")))?;
        Ok(EmulatorHandle {
            base_url: emu.base_url().to_string(),
            api_key: emu.api_key().to_string(),
            port: emu.port(),
            emulator: Mutex::new(Some(emu)),
        })
    }

    /// [`EmulatorHandle::start`], blocking the calling thread; the server runs on the shared runtime.
    pub fn start_blocking(config: EmulatorConfig) -> Result<EmulatorHandle> {
        neonkit::runtime::block_on(EmulatorHandle::start(config))?
    }

    fn with<T>(&self, f: impl FnOnce(&Emulator) -> T) -> Result<T> {
        let guard = self.emulator.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(f).ok_or_else(stopped)
    }

    /// `http://127.0.0.1:PORT/api/v2`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key the emulator accepts.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Adds a fault, given as the JSON of `POST /_emulator/faults`
    /// (`{"operation_id": "getProject", "kind": "status", "status": 423, "times": 2}`).
    pub fn add_fault_json(&self, json: &str) -> Result<()> {
        let fault: Fault =
            serde_json::from_str(json).map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("not a valid emulator fault: {e}")))?;
        self.with(|e| e.add_fault(fault))
    }

    /// Seeds projects with their branches, databases, roles, endpoints and operations
    /// from a fixture's JSON (`POST /_emulator/fixtures`'s body, `{"projects": [...]}`).
    /// All or nothing: a fixture that does not match the spec's schemas is an
    /// invalid-argument error naming the bad field's path (`$.projects[0].name: …`).
    pub fn seed_json(&self, json: &str) -> Result<Seeded> {
        let fixture: serde_json::Value =
            serde_json::from_str(json).map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("the fixture is not JSON: {e}")))?;
        let seeded =
            self.with(|e| e.seed(&fixture))?.map_err(|m| Error::new(ErrorKind::InvalidArgument, format!("invalid fixture: {m}")))?;
        serde_json::from_value(seeded).map_err(|e| Error::new(ErrorKind::Decode, format!("the emulator's seed answer: {e}")))
    }

    /// Removes every fault.
    pub fn clear_faults(&self) -> Result<()> {
        self.with(|e| e.clear_faults())
    }

    /// Requests received for that operationId (faulted ones included).
    pub fn request_count(&self, operation_id: &str) -> Result<u64> {
        self.with(|e| e.request_count(operation_id))
    }

    /// Changes, while it runs, the options that can change (`operation_duration`,
    /// `locking`, `rate_limits`, `latency`), given as to [`config`]; any other
    /// option is a `Config` error naming it.
    pub fn configure(&self, c: Convention, values: impl IntoIterator<Item = (String, OptionValue)>) -> Result<()> {
        let (mut duration, mut locking, mut rate_limits, mut latency) = (None, None, None, None);
        for (name, shown, value) in neonkit::options::emulator_options(c, values)? {
            match (name, value) {
                ("operation_duration", OptionSetting::Duration(d)) => duration = Some(d),
                ("locking", OptionSetting::Flag(b)) => locking = Some(b),
                ("rate_limits", OptionSetting::Flag(b)) => rate_limits = Some(b),
                ("latency", OptionSetting::Duration(d)) => latency = Some(d),
                _ => {
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!("{shown} is set when the emulator starts; it cannot change while it runs"),
                    ))
                }
            }
        }
        self.with(|e| e.configure(duration, locking, rate_limits, latency))
    }

    /// Sets the emulator's clock to an RFC 3339 instant (from 1970 on); it runs on
    /// from there. Answers the clock's time (RFC 3339, milliseconds).
    pub fn set_clock(&self, rfc3339: &str) -> Result<String> {
        let t = crate::clock::parse_instant("set_clock", rfc3339).map_err(|m| Error::new(ErrorKind::InvalidArgument, m))?;
        self.set_clock_time(t).map(crate::util::rfc3339_millis)
    }

    /// Moves the emulator's clock forward by `seconds` (zero or more, fractions
    /// allowed). Answers the clock's time.
    pub fn advance_clock(&self, seconds: f64) -> Result<String> {
        self.advance_clock_time(seconds).map(crate::util::rfc3339_millis)
    }

    /// Puts the emulator's clock back on the real time. Answers the clock's time.
    pub fn real_clock(&self) -> Result<String> {
        self.real_clock_time().map(crate::util::rfc3339_millis)
    }

    /// The emulator's clock now (RFC 3339, milliseconds).
    pub fn clock(&self) -> Result<String> {
        self.clock_time().map(crate::util::rfc3339_millis)
    }

    // The same under the time type, for a binding whose language has one (the
    // string forms above are these plus the formatting).

    /// [`EmulatorHandle::set_clock`]: the instant (from 1970 on) in, the clock's time out.
    pub fn set_clock_time(&self, t: SystemTime) -> Result<SystemTime> {
        if t < UNIX_EPOCH {
            return Err(Error::new(ErrorKind::InvalidArgument, "set_clock: the time is before 1970-01-01T00:00:00Z"));
        }
        self.with(|e| {
            e.set_clock(t);
            e.clock()
        })
    }

    /// [`EmulatorHandle::advance_clock`], answering the clock's time.
    pub fn advance_clock_time(&self, seconds: f64) -> Result<SystemTime> {
        let d = crate::clock::parse_advance("advance_clock", seconds).map_err(|m| Error::new(ErrorKind::InvalidArgument, m))?;
        self.with(|e| {
            e.advance_clock(d);
            e.clock()
        })
    }

    /// [`EmulatorHandle::real_clock`], answering the clock's time.
    pub fn real_clock_time(&self) -> Result<SystemTime> {
        self.with(|e| {
            e.real_clock();
            e.clock()
        })
    }

    /// The emulator's clock now.
    pub fn clock_time(&self) -> Result<SystemTime> {
        self.with(|e| e.clock())
    }

    /// Empties all state (projects, faults, counters) and puts the clock back on the real time.
    pub fn reset(&self) -> Result<()> {
        self.with(|e| e.reset())
    }

    /// Stops the server (again: nothing). Its tasks end on the shared runtime.
    pub fn stop(&self) {
        let taken = self.emulator.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(emu) = taken {
            match neonkit::runtime::handle() {
                Ok(h) => {
                    let _entered = h.enter();
                    drop(emu);
                }
                Err(_) => drop(emu),
            }
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.emulator.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

/// What a fixture seeded: the ids the emulator gave (or the fixture named).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Seeded {
    pub projects: Vec<SeededProject>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeededProject {
    pub id: String,
    pub name: String,
    /// In the fixture's order.
    pub branches: Vec<SeededBranch>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeededBranch {
    pub id: String,
    pub name: String,
    /// The branch's endpoints' ids, in the fixture's order.
    pub endpoint_ids: Vec<String>,
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
