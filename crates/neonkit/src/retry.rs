//! When and how long to wait before retrying.

use std::time::{Duration, SystemTime};

/// Exponential backoff with full jitter, capped. Retried: 423 and 503 (the
/// spec says both are always safe), 429 (after its `Retry-After`), and for GET
/// only 500/502/504 and broken connections. A request that never connected is
/// retried for every method; any other request that may have reached the
/// server is never resent unless it is a GET.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retries).
    pub max_retries: u32,
    /// The backoff before the first retry, doubled after each.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 5, initial_backoff: Duration::from_millis(250), max_backoff: Duration::from_secs(8) }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Default::default() }
    }

    /// A random delay in `[0, min(max, initial * 2^(attempt-1))]`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(1u32.checked_shl(attempt.saturating_sub(1).min(20)).unwrap_or(u32::MAX));
        let cap = exp.min(self.max_backoff);
        let nanos = cap.as_nanos().min(u64::MAX as u128) as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(rand::random::<u64>() % (nanos + 1))
    }
}

/// `Retry-After` in either form: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        // `1e300` does not fit a Duration: it means "not soon", which the caller
        // compares with its deadline like any other long delay.
        return Duration::try_from_secs_f64(secs).ok().or(Some(Duration::MAX).filter(|_| secs > 0.0));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}
