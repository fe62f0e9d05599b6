//! Every client and per-call setting, validated here once. The table of
//! options (names per language, types, ranges, the wording of a bad value)
//! is generated from `spec/vocabulary.yaml`; a binding hands over its
//! language's values as [`OptionValue`]s under its own option names and
//! converts nothing else, so the same bad value gives the same error in
//! every language.

use std::time::Duration;

use crate::vocabulary::{EMULATOR_OPTIONS, OPTIONS};
use crate::{ClientBuilder, Error, ErrorKind, Result, RetryPolicy, WaitOptions};

/// How a language names options and measures durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convention {
    /// `max_retries`, `timeout` in seconds: Rust and Python.
    Snake,
    /// `maxRetries`, `timeoutMs` in milliseconds: Node, Kotlin and Swift.
    Camel,
}

/// One option value as a binding received it.
#[derive(Clone)]
pub enum OptionValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Headers(Vec<(String, String)>),
    /// A value of another type, by the language's name for it (`list`, `object`).
    Other(String),
}

impl From<bool> for OptionValue {
    fn from(v: bool) -> Self {
        OptionValue::Bool(v)
    }
}
impl From<i64> for OptionValue {
    fn from(v: i64) -> Self {
        OptionValue::Int(v)
    }
}
impl From<i32> for OptionValue {
    fn from(v: i32) -> Self {
        OptionValue::Int(v.into())
    }
}
impl From<f64> for OptionValue {
    fn from(v: f64) -> Self {
        OptionValue::Float(v)
    }
}
impl From<String> for OptionValue {
    fn from(v: String) -> Self {
        OptionValue::Text(v)
    }
}
impl From<std::collections::HashMap<String, String>> for OptionValue {
    fn from(v: std::collections::HashMap<String, String>) -> Self {
        let mut pairs: Vec<(String, String)> = v.into_iter().collect();
        pairs.sort();
        OptionValue::Headers(pairs)
    }
}

impl OptionValue {
    /// A value of the wrong type, by its type (a string may be a secret).
    fn type_name(&self) -> String {
        match self {
            OptionValue::Bool(_) => "a boolean".into(),
            OptionValue::Int(_) | OptionValue::Float(_) => "a number".into(),
            OptionValue::Text(_) => "a string".into(),
            OptionValue::Headers(_) => "a map".into(),
            OptionValue::Other(t) => format!("a value of type {t}"),
        }
    }

    /// A number out of its range, as given.
    fn shown(&self) -> String {
        match self {
            OptionValue::Int(n) => n.to_string(),
            OptionValue::Float(x) => x.to_string(),
            other => other.type_name(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OptionType {
    Duration,
    Count,
    Bytes,
    Bool,
    Text,
    Secret,
    Headers,
}

/// One row of the generated option table.
pub(crate) struct OptionSpec {
    pub name: &'static str,
    pub camel: &'static str,
    pub ty: OptionType,
    pub client: bool,
    pub call: bool,
    /// The range, in seconds for durations.
    pub min: f64,
    pub max: f64,
    /// Whether 0 is allowed.
    pub zero: bool,
    /// What a value must be, per [`Convention`]; a bad value's message is this and ` (got …)`.
    pub text: [&'static str; 2],
}

fn config(message: String) -> Error {
    Error::new(ErrorKind::Config, message)
}

/// The option of that (snake_case) name; the table is generated, so a missing one is a bug here.
pub(crate) fn spec(name: &str) -> &'static OptionSpec {
    OPTIONS.iter().find(|o| o.name == name).unwrap_or_else(|| panic!("option {name} is not in spec/vocabulary.yaml"))
}

/// A value checked against its option, in the core's units.
pub enum OptionSetting {
    Duration(Duration),
    Whole(i64),
    Flag(bool),
    Text(String),
    Headers(Vec<(String, String)>),
}

impl OptionSpec {
    fn name_in(&self, c: Convention) -> &'static str {
        match c {
            Convention::Snake => self.name,
            Convention::Camel => self.camel,
        }
    }

    fn bad(&self, c: Convention, got: &str) -> Error {
        config(format!("{} (got {got})", self.text[c as usize]))
    }

    /// A `Duration` from Rust's builder.
    pub(crate) fn check(&self, value: Duration) -> Result<Duration> {
        let secs = value.as_secs_f64();
        if (value.is_zero() && !self.zero) || secs > self.max {
            return Err(self.bad(Convention::Snake, &secs.to_string()));
        }
        Ok(value)
    }

    /// A whole number from Rust's builder.
    pub(crate) fn check_whole(&self, n: i64) -> Result<i64> {
        if (n as f64) < self.min || (n as f64) > self.max {
            return Err(self.bad(Convention::Snake, &n.to_string()));
        }
        Ok(n)
    }

    fn parse(&self, c: Convention, v: OptionValue) -> Result<OptionSetting> {
        let number = match &v {
            OptionValue::Int(n) => Some(*n as f64),
            OptionValue::Float(x) => Some(*x),
            _ => None,
        };
        match self.ty {
            OptionType::Duration => {
                let x = number.ok_or_else(|| self.bad(c, &v.type_name()))?;
                let secs = if c == Convention::Camel { x / 1000.0 } else { x };
                if !x.is_finite() || x < 0.0 || (x == 0.0 && !self.zero) || secs > self.max {
                    return Err(self.bad(c, &v.shown()));
                }
                Ok(OptionSetting::Duration(Duration::from_secs_f64(secs)))
            }
            OptionType::Count | OptionType::Bytes => {
                let x = number.ok_or_else(|| self.bad(c, &v.type_name()))?;
                if !x.is_finite() || x.fract() != 0.0 || x < self.min || x > self.max {
                    return Err(self.bad(c, &v.shown()));
                }
                Ok(OptionSetting::Whole(x as i64))
            }
            OptionType::Bool => match v {
                OptionValue::Bool(b) => Ok(OptionSetting::Flag(b)),
                _ => Err(self.bad(c, &v.type_name())),
            },
            OptionType::Text | OptionType::Secret => match v {
                OptionValue::Text(t) => Ok(OptionSetting::Text(t)),
                _ => Err(self.bad(c, &v.type_name())),
            },
            OptionType::Headers => match v {
                OptionValue::Headers(h) => check_headers(self.name_in(c), &h).map(|()| OptionSetting::Headers(h)),
                _ => Err(self.bad(c, &v.type_name())),
            },
        }
    }
}

/// Headers neonkit sets itself, or that would carry a second credential.
const RESERVED_HEADERS: &[&str] = &["authorization", "host", "content-type", "content-length", "connection", "transfer-encoding"];

/// Extra headers: valid names and values, none that neonkit sets. A value may
/// be a secret: messages name the header, never its value.
pub(crate) fn check_headers(option: &str, headers: &[(String, String)]) -> Result<()> {
    for (name, value) in headers {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(config(format!("{option}: {} is not a valid HTTP header name", crate::error::quote(name))));
        }
        if RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(config(format!("{option}: {name} cannot be set (neonkit sets it)")));
        }
        if reqwest::header::HeaderValue::from_str(value).is_err() {
            return Err(config(format!("{option}: the value of {name} holds a line break or another character a header cannot carry")));
        }
    }
    Ok(())
}

/// The longest application product token in the user agent.
const MAX_USER_AGENT_BYTES: usize = 256;

/// The application's part of the user agent: printable ASCII (spaces
/// between tokens), not empty, at most 256 bytes.
pub(crate) fn check_user_agent(option: &str, value: &str) -> Result<()> {
    let v = value.trim();
    if v.is_empty() || v.len() > MAX_USER_AGENT_BYTES || !v.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(config(format!(
            "{option} must be printable ASCII text of 1 to {MAX_USER_AGENT_BYTES} bytes, such as \"myapp/1.2\" (got {})",
            crate::error::quote(value)
        )));
    }
    Ok(())
}

/// An organization id as the API writes them.
pub(crate) fn check_org_id(option: &str, org: &str) -> Result<()> {
    if org.is_empty() || org.len() > 60 || !org.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(config(format!("{option} {} is not a valid organization id", crate::error::quote(org))));
    }
    Ok(())
}

/// The option of a language's name, or an error that lists the known ones.
fn find(c: Convention, name: &str, call: bool) -> Result<&'static OptionSpec> {
    let applies = |o: &&OptionSpec| if call { o.call } else { o.client };
    if let Some(o) = OPTIONS.iter().filter(applies).find(|o| o.name_in(c) == name) {
        return Ok(o);
    }
    if call {
        if let Some(o) = OPTIONS.iter().find(|o| o.name_in(c) == name) {
            return Err(config(format!("{} is a client option: set it when the client is built, not per call", o.name_in(c))));
        }
    }
    let known: Vec<&str> = OPTIONS.iter().filter(applies).map(|o| o.name_in(c)).collect();
    Err(config(format!("unknown option {} (the options are: {})", crate::error::quote(name), known.join(", "))))
}

/// The settings of a client; `None` means the default.
#[derive(Clone, Default)]
pub struct ClientOptions {
    /// The API key (else `NEON_API_KEY`).
    pub api_key: Option<String>,
    /// The API's base URL (else `NEON_API_URL`, else the public API).
    pub base_url: Option<String>,
    /// The organization applied wherever an operation takes an `org_id`.
    pub org_id: Option<String>,
    /// Seconds one call may take: its requests, retries and operation waits (default 300).
    pub timeout: Option<f64>,
    /// Seconds to open a connection (default 10).
    pub connect_timeout: Option<f64>,
    /// Retries after the first attempt of what is safe to retry (default 5).
    pub max_retries: Option<i64>,
    /// Seconds before the first retry, doubled after each (default 0.25).
    pub retry_initial_backoff: Option<f64>,
    /// The longest pause between retries, in seconds (default 8).
    pub retry_max_backoff: Option<f64>,
    /// Whether mutating calls wait for the operations they start (default true).
    pub wait_for_operations: Option<bool>,
    /// Seconds an operation wait may take, within the call's timeout (default 300).
    pub wait_timeout: Option<f64>,
    /// Seconds of the first pause between polls of a wait (default 0.05).
    pub wait_poll_interval: Option<f64>,
    /// The longest pause between polls, in seconds (default 2).
    pub wait_max_poll_interval: Option<f64>,
    /// Seconds an idle pooled connection is kept (default 45). Keep it below the
    /// server's (or load balancer's) idle timeout, so the client, not the
    /// server, ends an idle connection: a request sent as the server closes one
    /// fails, and a POST is never resent.
    pub pool_idle_timeout: Option<f64>,
    /// The largest response body accepted, decompressed, in bytes (default 256 MiB).
    pub max_response_bytes: Option<i64>,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Names the language in the user agent: `neonkit/<version> (<suffix>)`.
    pub user_agent_suffix: Option<String>,
    /// The application's product token (`myapp/1.2`), sent after neonkit's own in the user agent.
    pub user_agent: Option<String>,
    /// Receives the client's events (a binding's logging and hooks); not an option of the vocabulary.
    pub listener: Option<std::sync::Arc<dyn crate::events::EventListener>>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| crate::Redacted))
            .field("base_url", &self.base_url)
            .field("org_id", &self.org_id)
            .field("timeout", &self.timeout)
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("user_agent", &self.user_agent)
            .field("listener", &self.listener.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientOptions {
    /// Options as a binding received them, under its language's names
    /// (`max_retries` or `maxRetries`, durations in seconds or milliseconds):
    /// each checked against its range; the first bad one is a `Config` error
    /// naming it, what is wrong and what it may be.
    pub fn from_values(c: Convention, values: impl IntoIterator<Item = (String, OptionValue)>) -> Result<ClientOptions> {
        let mut o = ClientOptions::default();
        for (name, value) in values {
            let spec = find(c, &name, false)?;
            let checked = spec.parse(c, value)?;
            match (spec.name, checked) {
                ("api_key", OptionSetting::Text(t)) => o.api_key = Some(t),
                ("base_url", OptionSetting::Text(t)) => o.base_url = Some(t),
                ("org_id", OptionSetting::Text(t)) => {
                    check_org_id(spec.name_in(c), &t)?;
                    o.org_id = Some(t)
                }
                ("timeout", OptionSetting::Duration(d)) => o.timeout = Some(d.as_secs_f64()),
                ("connect_timeout", OptionSetting::Duration(d)) => o.connect_timeout = Some(d.as_secs_f64()),
                ("max_retries", OptionSetting::Whole(n)) => o.max_retries = Some(n),
                ("retry_initial_backoff", OptionSetting::Duration(d)) => o.retry_initial_backoff = Some(d.as_secs_f64()),
                ("retry_max_backoff", OptionSetting::Duration(d)) => o.retry_max_backoff = Some(d.as_secs_f64()),
                ("wait_for_operations", OptionSetting::Flag(b)) => o.wait_for_operations = Some(b),
                ("wait_timeout", OptionSetting::Duration(d)) => o.wait_timeout = Some(d.as_secs_f64()),
                ("wait_poll_interval", OptionSetting::Duration(d)) => o.wait_poll_interval = Some(d.as_secs_f64()),
                ("wait_max_poll_interval", OptionSetting::Duration(d)) => o.wait_max_poll_interval = Some(d.as_secs_f64()),
                ("pool_idle_timeout", OptionSetting::Duration(d)) => o.pool_idle_timeout = Some(d.as_secs_f64()),
                ("max_response_bytes", OptionSetting::Whole(n)) => o.max_response_bytes = Some(n),
                ("headers", OptionSetting::Headers(h)) => o.headers = h,
                ("user_agent", OptionSetting::Text(t)) => {
                    check_user_agent(spec.name_in(c), &t)?;
                    o.user_agent = Some(t)
                }
                (other, _) => unreachable!("option {other} has no field in ClientOptions"),
            }
        }
        Ok(o)
    }

    /// The builder these options describe, every value checked; the first bad
    /// one is a `Config` error naming the option and its range.
    pub fn builder(&self) -> Result<ClientBuilder> {
        let secs = |name: &str, v: f64| {
            spec(name).parse(Convention::Snake, OptionValue::Float(v)).map(|c| match c {
                OptionSetting::Duration(d) => d,
                _ => unreachable!("{name} is a duration"),
            })
        };
        let whole = |name: &str, n: i64| spec(name).check_whole(n);
        let mut b = ClientBuilder::default();
        if let Some(k) = &self.api_key {
            b = b.api_key(k.clone());
        }
        if let Some(u) = &self.base_url {
            b = b.base_url(u.clone());
        }
        if let Some(o) = &self.org_id {
            b = b.org_id(o.clone());
        }
        if let Some(s) = &self.user_agent_suffix {
            b = b.user_agent_suffix(s.clone());
        }
        if let Some(s) = &self.user_agent {
            b = b.user_agent(s.clone());
        }
        b = b.shared_listener(self.listener.clone());
        if let Some(t) = self.timeout {
            b = b.timeout(secs("timeout", t)?);
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(secs("connect_timeout", t)?);
        }
        let mut retry = RetryPolicy::default();
        if let Some(n) = self.max_retries {
            retry.max_retries = whole("max_retries", n)? as u32;
        }
        if let Some(t) = self.retry_initial_backoff {
            retry.initial_backoff = secs("retry_initial_backoff", t)?;
        }
        if let Some(t) = self.retry_max_backoff {
            retry.max_backoff = secs("retry_max_backoff", t)?;
        }
        b = b.retry_policy(retry);
        if let Some(w) = self.wait_for_operations {
            b = b.wait_for_operations(w);
        }
        let mut wait = WaitOptions::default();
        if let Some(t) = self.wait_timeout {
            wait.timeout = secs("wait_timeout", t)?;
        }
        if let Some(t) = self.wait_poll_interval {
            wait.initial_interval = secs("wait_poll_interval", t)?;
        }
        if let Some(t) = self.wait_max_poll_interval {
            wait.max_interval = secs("wait_max_poll_interval", t)?;
        }
        b = b.wait_options(wait);
        if let Some(t) = self.pool_idle_timeout {
            b = b.pool_idle_timeout(secs("pool_idle_timeout", t)?);
        }
        if let Some(n) = self.max_response_bytes {
            b = b.max_response_bytes(whole("max_response_bytes", n)? as u64);
        }
        for (k, v) in &self.headers {
            b = b.header(k.clone(), v.clone());
        }
        Ok(b)
    }
}

/// Settings for the calls made through one client copy
/// ([`crate::Client::with_options`]); `None` keeps the client's value.
#[derive(Clone, Default)]
pub struct CallOptions {
    /// The deadline of the whole call: its requests, retries and operation waits.
    pub timeout: Option<Duration>,
    /// Retries after the first attempt (0 turns retries off).
    pub max_retries: Option<u32>,
    /// Whether mutating calls wait for the operations they start.
    pub wait_for_operations: Option<bool>,
    /// The longest an operation wait may take, within the call's timeout.
    pub wait_timeout: Option<Duration>,
    /// Extra headers, added to the client's (a header of the same name replaces the client's).
    pub headers: Vec<(String, String)>,
    /// The organization applied wherever an operation takes an `org_id`.
    pub org_id: Option<String>,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may be credentials of other systems: names only.
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("wait_for_operations", &self.wait_for_operations)
            .field("wait_timeout", &self.wait_timeout)
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("org_id", &self.org_id)
            .finish()
    }
}

impl CallOptions {
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }
    pub fn wait_for_operations(mut self, wait: bool) -> Self {
        self.wait_for_operations = Some(wait);
        self
    }
    pub fn wait_timeout(mut self, d: Duration) -> Self {
        self.wait_timeout = Some(d);
        self
    }
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn org_id(mut self, org: impl Into<String>) -> Self {
        self.org_id = Some(org.into());
        self
    }

    /// Per-call options as a binding received them (see [`ClientOptions::from_values`]).
    pub fn from_values(c: Convention, values: impl IntoIterator<Item = (String, OptionValue)>) -> Result<CallOptions> {
        let mut o = CallOptions::default();
        for (name, value) in values {
            let spec = find(c, &name, true)?;
            match (spec.name, spec.parse(c, value)?) {
                ("timeout", OptionSetting::Duration(d)) => o.timeout = Some(d),
                ("max_retries", OptionSetting::Whole(n)) => o.max_retries = Some(n as u32),
                ("wait_for_operations", OptionSetting::Flag(b)) => o.wait_for_operations = Some(b),
                ("wait_timeout", OptionSetting::Duration(d)) => o.wait_timeout = Some(d),
                ("headers", OptionSetting::Headers(h)) => o.headers = h,
                ("org_id", OptionSetting::Text(t)) => {
                    check_org_id(spec.name_in(c), &t)?;
                    o.org_id = Some(t)
                }
                (other, _) => unreachable!("option {other} has no field in CallOptions"),
            }
        }
        Ok(o)
    }

    /// Every value checked as the client's own are (for options built in Rust).
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(d) = self.timeout {
            spec("timeout").check(d)?;
        }
        if let Some(n) = self.max_retries {
            spec("max_retries").check_whole(n.into())?;
        }
        if let Some(d) = self.wait_timeout {
            spec("wait_timeout").check(d)?;
        }
        check_headers("headers", &self.headers)?;
        if let Some(o) = &self.org_id {
            check_org_id("org_id", o)?;
        }
        Ok(())
    }
}

/// The in-process emulator's options as a testing helper received them, under
/// its language's names, each checked: (snake_case name, the language's name, value).
pub fn emulator_options(
    c: Convention,
    values: impl IntoIterator<Item = (String, OptionValue)>,
) -> Result<Vec<(&'static str, &'static str, OptionSetting)>> {
    values
        .into_iter()
        .map(|(name, value)| {
            let spec = EMULATOR_OPTIONS.iter().find(|o| o.name_in(c) == name).ok_or_else(|| {
                let known: Vec<&str> = EMULATOR_OPTIONS.iter().map(|o| o.name_in(c)).collect();
                config(format!("unknown emulator option {} (the options are: {})", crate::error::quote(&name), known.join(", ")))
            })?;
            Ok((spec.name, spec.name_in(c), spec.parse(c, value)?))
        })
        .collect()
}

/// An emulator option's name in the language of `c` (`no_pooler` → `noPooler`), for
/// messages about options that were not given.
pub fn emulator_option_name(c: Convention, name: &str) -> &'static str {
    EMULATOR_OPTIONS.iter().find(|o| o.name == name).map(|o| o.name_in(c)).unwrap_or("?")
}
