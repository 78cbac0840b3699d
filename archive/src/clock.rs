//! The archive's time: every timestamp it writes (first seen, last fetched, run started
//! and finished, gone since) comes from one SQL function, `xxgk_now_ms()`, that reads this
//! clock. The system clock in use; a [`Clock::manual`] one in tests, moved on by
//! [`Clock::advance`] where a test needs time to pass, instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

/// Now, as stored: ISO 8601 UTC with milliseconds.
pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', xxgk_now_ms() / 1000.0, 'unixepoch')";
/// Now to the second (a report's `first_seen` and `updated`).
pub(crate) const NOW_SECONDS: &str =
    "strftime('%Y-%m-%dT%H:%M:%SZ', xxgk_now_ms() / 1000.0, 'unixepoch')";

/// Where the archive's time comes from.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Milliseconds since the Unix epoch, when set by hand; `None`: the system clock.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that stands at `ms` (since the Unix epoch) until moved.
    pub fn manual(ms: i64) -> Clock {
        Clock {
            manual: Some(Arc::new(AtomicI64::new(ms))),
        }
    }

    /// Moves a manual clock on by `by` (the system clock moves by itself).
    pub fn advance(&self, by: Duration) {
        if let Some(ms) = &self.manual {
            ms.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
        }
    }

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            Some(ms) => ms.load(Ordering::SeqCst),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
        }
    }

    /// Makes `xxgk_now_ms()` read this clock on `conn`.
    pub(crate) fn install(&self, conn: &Connection) -> rusqlite::Result<()> {
        let clock = self.clone();
        conn.create_scalar_function("xxgk_now_ms", 0, FunctionFlags::SQLITE_UTF8, move |_| {
            Ok(clock.now_ms())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_the_archive_reads_it() {
        let clock = Clock::manual(1_700_000_000_000);
        let conn = Connection::open_in_memory().expect("db");
        clock.install(&conn).expect("install");
        let now = |conn: &Connection| -> String {
            conn.query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))
                .expect("now")
        };
        assert_eq!(now(&conn), "2023-11-14T22:13:20.000Z");
        clock.advance(Duration::from_millis(1500));
        assert_eq!(now(&conn), "2023-11-14T22:13:21.500Z");
        let system = Clock::system();
        let before = system.now_ms();
        assert!(before > 1_700_000_000_000);
    }
}
