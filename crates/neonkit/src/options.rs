//! Every client setting as one struct of optional fields, in units every
//! language has (seconds as a float, counts as integers), validated here once:
//! a binding converts its language's values (milliseconds, `Duration`) and
//! nothing else, so the same bad value gives the same error everywhere.

use std::time::Duration;

use crate::{ClientBuilder, Error, ErrorKind, Result, RetryPolicy, WaitOptions};

/// The settings of a client; `None` means the default.
#[derive(Clone, Default)]
pub struct ClientOptions {
    /// The API key (else `NEON_API_KEY`).
    pub api_key: Option<String>,
    /// The API's base URL (else `NEON_API_URL`, else the public API).
    pub base_url: Option<String>,
    /// The organization applied wherever an operation takes an `org_id`.
    pub org_id: Option<String>,
    /// Seconds one call may take, retries and operation waits included (default 60).
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
    /// Seconds an operation wait may take (default 300).
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
    /// Names the language in the user agent: `neonkit/<version> (<suffix>)`.
    pub user_agent_suffix: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| crate::Redacted))
            .field("base_url", &self.base_url)
            .field("org_id", &self.org_id)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The range a duration setting may take, in seconds.
#[derive(Clone, Copy)]
pub(crate) struct Range {
    pub name: &'static str,
    /// Whether 0 is allowed.
    pub zero: bool,
    pub max_secs: u64,
}

pub(crate) const TIMEOUT: Range = Range { name: "timeout", zero: false, max_secs: 86_400 };
pub(crate) const CONNECT_TIMEOUT: Range = Range { name: "connect_timeout", zero: false, max_secs: 3_600 };
pub(crate) const RETRY_INITIAL_BACKOFF: Range = Range { name: "retry_initial_backoff", zero: true, max_secs: 3_600 };
pub(crate) const RETRY_MAX_BACKOFF: Range = Range { name: "retry_max_backoff", zero: true, max_secs: 3_600 };
pub(crate) const WAIT_TIMEOUT: Range = Range { name: "wait_timeout", zero: false, max_secs: 86_400 };
pub(crate) const WAIT_POLL_INTERVAL: Range = Range { name: "wait_poll_interval", zero: false, max_secs: 3_600 };
pub(crate) const WAIT_MAX_POLL_INTERVAL: Range = Range { name: "wait_max_poll_interval", zero: false, max_secs: 3_600 };
pub(crate) const POOL_IDLE_TIMEOUT: Range = Range { name: "pool_idle_timeout", zero: false, max_secs: 3_600 };
pub(crate) const MAX_RETRIES: u32 = 100;
pub(crate) const MAX_RESPONSE_BYTES_LIMIT: u64 = 4 << 30;
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 << 20;

fn config(message: String) -> Error {
    Error::new(ErrorKind::Config, message)
}

impl Range {
    fn describe(&self) -> String {
        if self.zero {
            format!("{} must be a number of seconds from 0 to {}", self.name, self.max_secs)
        } else {
            format!("{} must be a number of seconds greater than 0 and at most {}", self.name, self.max_secs)
        }
    }

    /// Seconds as a float, from any language.
    pub(crate) fn secs(&self, value: f64) -> Result<Duration> {
        if !value.is_finite() || value < 0.0 || (value == 0.0 && !self.zero) || value > self.max_secs as f64 {
            return Err(config(format!("{} (got {value})", self.describe())));
        }
        Ok(Duration::from_secs_f64(value))
    }

    /// A `Duration` from Rust's builder.
    pub(crate) fn check(&self, value: Duration) -> Result<Duration> {
        if (value.is_zero() && !self.zero) || value > Duration::from_secs(self.max_secs) {
            return Err(config(format!("{} (got {})", self.describe(), value.as_secs_f64())));
        }
        Ok(value)
    }
}

pub(crate) fn check_max_retries(n: i64) -> Result<u32> {
    if !(0..=MAX_RETRIES as i64).contains(&n) {
        return Err(config(format!("max_retries must be a whole number from 0 to {MAX_RETRIES} (got {n})")));
    }
    Ok(n as u32)
}

pub(crate) fn check_max_response_bytes(n: i64) -> Result<u64> {
    if n < 1024 || n as u64 > MAX_RESPONSE_BYTES_LIMIT {
        return Err(config(format!("max_response_bytes must be a number of bytes from 1024 to {MAX_RESPONSE_BYTES_LIMIT} (got {n})")));
    }
    Ok(n as u64)
}

impl ClientOptions {
    /// The builder these options describe, every value checked; the first bad
    /// one is a `Config` error naming the option and its range.
    pub fn builder(&self) -> Result<ClientBuilder> {
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
        if let Some(t) = self.timeout {
            b = b.timeout(TIMEOUT.secs(t)?);
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(CONNECT_TIMEOUT.secs(t)?);
        }
        let mut retry = RetryPolicy::default();
        if let Some(n) = self.max_retries {
            retry.max_retries = check_max_retries(n)?;
        }
        if let Some(t) = self.retry_initial_backoff {
            retry.initial_backoff = RETRY_INITIAL_BACKOFF.secs(t)?;
        }
        if let Some(t) = self.retry_max_backoff {
            retry.max_backoff = RETRY_MAX_BACKOFF.secs(t)?;
        }
        b = b.retry_policy(retry);
        if let Some(w) = self.wait_for_operations {
            b = b.wait_for_operations(w);
        }
        let mut wait = WaitOptions::default();
        if let Some(t) = self.wait_timeout {
            wait.timeout = WAIT_TIMEOUT.secs(t)?;
        }
        if let Some(t) = self.wait_poll_interval {
            wait.initial_interval = WAIT_POLL_INTERVAL.secs(t)?;
        }
        if let Some(t) = self.wait_max_poll_interval {
            wait.max_interval = WAIT_MAX_POLL_INTERVAL.secs(t)?;
        }
        b = b.wait_options(wait);
        if let Some(t) = self.pool_idle_timeout {
            b = b.pool_idle_timeout(POOL_IDLE_TIMEOUT.secs(t)?);
        }
        if let Some(n) = self.max_response_bytes {
            b = b.max_response_bytes(check_max_response_bytes(n)?);
        }
        Ok(b)
    }
}
