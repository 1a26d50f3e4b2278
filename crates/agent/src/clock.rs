//! Wall-clock time, injectable for tests.

use std::time::SystemTime;

/// Where the agent reads the current time: token expiry, credential expiry and the refresh
/// schedule are all decided against it.
pub trait Clock: Send + Sync {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
