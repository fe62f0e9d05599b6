//! The emulator's wall clock: where every timestamp it writes comes from
//! (`created_at`, `updated_at`, `state_changed_at`, operation times, expiry
//! times, log lines, `next_run_at`, …).
//!
//! It is the real time plus an offset: setting it to an instant makes that offset
//! `instant - real now` (so the clock runs on from the set instant, keeping the
//! order of what is created after), advancing adds to it, and the real clock is
//! offset zero. What measures durations stays on real, monotonic time
//! (`Instant`): how far an operation or an endpoint's state change has come,
//! rate-limit windows, latency, idle connections.
//!
//! The domain code reads [`now`]. The server runs each request's (synchronous)
//! handling inside [`Clock::enter`], which puts the emulator's offset in a
//! thread-local for that stretch; outside it [`now`] is the real time.

use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

thread_local! {
    static OFFSET_MS: Cell<i64> = const { Cell::new(0) };
}

/// The wall-clock time as the emulator being served sees it.
pub fn now() -> SystemTime {
    shift(SystemTime::now(), OFFSET_MS.with(|o| o.get()))
}

fn shift(t: SystemTime, offset_ms: i64) -> SystemTime {
    if offset_ms >= 0 {
        t + Duration::from_millis(offset_ms as u64)
    } else {
        t.checked_sub(Duration::from_millis(offset_ms.unsigned_abs())).unwrap_or(UNIX_EPOCH)
    }
}

fn millis_since_epoch(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// One emulator's clock (its offset from the real time, in milliseconds).
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

/// Restores the thread's previous offset when dropped (a panic included).
pub struct Entered(i64);

impl Drop for Entered {
    fn drop(&mut self) {
        OFFSET_MS.with(|o| o.set(self.0));
    }
}

impl Clock {
    /// This clock's time now.
    pub fn now(&self) -> SystemTime {
        shift(SystemTime::now(), self.offset_ms.load(Ordering::Relaxed))
    }

    /// True when it follows the real time.
    pub fn is_real(&self) -> bool {
        self.offset_ms.load(Ordering::Relaxed) == 0
    }

    /// Makes [`now`] read this clock on this thread until the guard drops.
    pub fn enter(&self) -> Entered {
        let offset = self.offset_ms.load(Ordering::Relaxed);
        Entered(OFFSET_MS.with(|o| o.replace(offset)))
    }

    /// The clock reads `t` now and runs on from there.
    pub fn set(&self, t: SystemTime) {
        let offset = millis_since_epoch(t) - millis_since_epoch(SystemTime::now());
        self.offset_ms.store(offset, Ordering::Relaxed);
    }

    /// Moves the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let _ = self.offset_ms.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| Some(o.saturating_add(ms)));
    }

    /// Back to the real time.
    pub fn real(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

/// The instant of `POST /_emulator/clock`'s `now` (and the testing helpers'
/// `set_clock`): an RFC 3339 date-time from 1970 on; the error says why not.
pub fn parse_instant(field: &str, s: &str) -> Result<SystemTime, String> {
    let t = crate::util::parse_rfc3339(s)
        .ok_or_else(|| format!("{field}: {s:?} is not an RFC 3339 date-time (e.g. \"2026-01-01T00:00:00Z\")"))?;
    if t < UNIX_EPOCH {
        return Err(format!("{field}: {s:?} is before 1970-01-01T00:00:00Z"));
    }
    Ok(t)
}

/// The step of `advance_seconds`: a finite number of seconds, zero or more.
pub fn parse_advance(field: &str, seconds: f64) -> Result<Duration, String> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(format!("{field}: {seconds} is not a number of seconds zero or more (the clock only moves forward)"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("{field}: {seconds} seconds is too far"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_advance_real_and_enter() {
        let c = Clock::default();
        assert!(c.is_real());
        let t = crate::util::parse_rfc3339("2020-05-01T00:00:00Z").unwrap();
        c.set(t);
        let d = c.now().duration_since(t).unwrap();
        assert!(d < Duration::from_secs(1));
        {
            let _g = c.enter();
            assert!(now().duration_since(t).unwrap() < Duration::from_secs(1));
        }
        assert!(now().duration_since(t).unwrap() > Duration::from_secs(86_400 * 365));
        c.advance(Duration::from_secs(3600));
        let d = c.now().duration_since(t).unwrap();
        assert!(d >= Duration::from_secs(3600) && d < Duration::from_secs(3601));
        c.real();
        assert!(c.is_real());
        assert!(parse_instant("now", "yesterday").unwrap_err().starts_with("now:"));
        assert!(parse_advance("advance_seconds", -1.0).unwrap_err().starts_with("advance_seconds:"));
        assert!(parse_advance("advance_seconds", f64::NAN).is_err());
        assert_eq!(parse_advance("advance_seconds", 1.5).unwrap(), Duration::from_millis(1500));
    }
}
