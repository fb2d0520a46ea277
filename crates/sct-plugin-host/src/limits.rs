//! The two limits on running a plugin: how long a call may take and how large a reply may
//! be. Each is a type that can only be made through a checked constructor, so no caller can
//! hand the host a limit that panics (`Duration::from_secs_f64(1e308)`) or that lets a
//! plugin's length reach an allocation unchecked (`usize::MAX`).

use std::time::Duration;

/// The longest timeout accepted, in seconds (one day).
pub const MAX_TIMEOUT_SECONDS: f64 = 86_400.0;
/// The smallest reply limit accepted, in MiB.
pub const MIN_MAX_OUTPUT_MIB: u64 = 1;
/// The largest reply limit accepted, in MiB: a reply is held and parsed in memory.
pub const MAX_MAX_OUTPUT_MIB: u64 = 1024;

const MIB: u64 = 1024 * 1024;

/// A limit out of its range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    /// The timeout is not a number of seconds above 0 and at most a day.
    #[error(
        "a timeout of {} s is out of range: expected a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS} (one day)",
        readable(*seconds)
    )]
    Timeout {
        /// The seconds asked for.
        seconds: f64,
    },
    /// The reply limit is below 1 MiB or above 1024 MiB.
    #[error(
        "a reply limit of {} is out of range: expected {MIN_MAX_OUTPUT_MIB} to {MAX_MAX_OUTPUT_MIB} MiB ({} to {} bytes)",
        in_mib(*bytes),
        MIN_MAX_OUTPUT_MIB * MIB,
        MAX_MAX_OUTPUT_MIB * MIB
    )]
    MaxOutput {
        /// The bytes asked for (wide enough for any number of MiB asked for).
        bytes: u128,
    },
}

/// A number as a person would write it: `1e308`, not 309 digits.
fn readable(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-3..1e6).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// Bytes in MiB when they are whole MiB, else in bytes.
fn in_mib(bytes: u128) -> String {
    let mib = u128::from(MIB);
    if bytes > 0 && bytes.is_multiple_of(mib) {
        format!("{} MiB", bytes / mib)
    } else {
        format!("{bytes} bytes")
    }
}

/// How long a command plugin (or an isolated native call) may take: above 0, at most a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(Duration);

impl Timeout {
    /// The default: 30 s.
    pub const DEFAULT: Timeout = Timeout(Duration::from_secs(30));

    /// A timeout of `seconds`, refused unless it is above 0 and at most a day (a NaN or an
    /// infinity is refused too).
    pub fn from_secs_f64(seconds: f64) -> Result<Timeout, LimitError> {
        let refused = LimitError::Timeout { seconds };
        if !(seconds > 0.0 && seconds <= MAX_TIMEOUT_SECONDS) {
            return Err(refused);
        }
        Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .map(Timeout)
            .ok_or(refused)
    }

    /// A timeout of `duration`, refused unless it is above 0 and at most a day.
    pub fn new(duration: Duration) -> Result<Timeout, LimitError> {
        if duration.is_zero() || duration > Duration::from_secs_f64(MAX_TIMEOUT_SECONDS) {
            return Err(LimitError::Timeout {
                seconds: duration.as_secs_f64(),
            });
        }
        Ok(Timeout(duration))
    }

    /// The duration.
    pub fn get(self) -> Duration {
        self.0
    }
}

impl Default for Timeout {
    fn default() -> Self {
        Timeout::DEFAULT
    }
}

/// The largest reply accepted from a plugin, in bytes: 1 MiB to 1024 MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxOutput(usize);

impl MaxOutput {
    /// The default: 32 MiB.
    pub const DEFAULT: MaxOutput = MaxOutput(32 * MIB as usize);
    /// The largest accepted: 1024 MiB.
    pub const MAX: MaxOutput = MaxOutput((MAX_MAX_OUTPUT_MIB * MIB) as usize);

    /// A limit of `mib` MiB, refused outside 1 to 1024.
    pub fn from_mib(mib: u64) -> Result<MaxOutput, LimitError> {
        MaxOutput::from_bytes_wide(u128::from(mib) * u128::from(MIB))
    }

    /// A limit of `bytes` bytes, refused outside 1 MiB to 1024 MiB.
    pub fn from_bytes(bytes: u64) -> Result<MaxOutput, LimitError> {
        MaxOutput::from_bytes_wide(u128::from(bytes))
    }

    fn from_bytes_wide(bytes: u128) -> Result<MaxOutput, LimitError> {
        let range = u128::from(MIN_MAX_OUTPUT_MIB * MIB)..=u128::from(MAX_MAX_OUTPUT_MIB * MIB);
        if !range.contains(&bytes) {
            return Err(LimitError::MaxOutput { bytes });
        }
        // At most 1 GiB: fits a usize on every platform sct builds for.
        usize::try_from(bytes)
            .map(MaxOutput)
            .map_err(|_| LimitError::MaxOutput { bytes })
    }

    /// The limit in bytes.
    pub fn bytes(self) -> usize {
        self.0
    }
}

impl Default for MaxOutput {
    fn default() -> Self {
        MaxOutput::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_out_of_range_is_an_error_never_a_panic() {
        for s in [
            0.0,
            -1.0,
            1e-12,
            86_400.5,
            1e308,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
        ] {
            let r = Timeout::from_secs_f64(s);
            assert!(matches!(r, Err(LimitError::Timeout { .. })), "{s}: {r:?}");
        }
        assert_eq!(
            Timeout::from_secs_f64(1.0).unwrap().get(),
            Duration::from_secs(1)
        );
        assert_eq!(
            Timeout::from_secs_f64(86_400.0).unwrap().get(),
            Duration::from_secs(86_400)
        );
        assert!(Timeout::new(Duration::ZERO).is_err());
        assert!(Timeout::new(Duration::MAX).is_err());
        assert_eq!(
            Timeout::from_secs_f64(1e308).unwrap_err().to_string(),
            "a timeout of 1e308 s is out of range: expected a number of seconds above 0 and at most 86400 (one day)"
        );
    }

    #[test]
    fn a_reply_limit_out_of_range_is_an_error_never_a_panic() {
        for mib in [0, 1025, u64::MAX / MIB + 1, u64::MAX] {
            assert!(
                matches!(MaxOutput::from_mib(mib), Err(LimitError::MaxOutput { .. })),
                "{mib}"
            );
        }
        for bytes in [0, MIB - 1, 1024 * MIB + 1, u64::MAX] {
            assert!(MaxOutput::from_bytes(bytes).is_err(), "{bytes}");
        }
        assert_eq!(MaxOutput::from_mib(1).unwrap().bytes(), 1 << 20);
        assert_eq!(MaxOutput::from_mib(1024).unwrap(), MaxOutput::MAX);
        assert_eq!(MaxOutput::from_mib(32).unwrap(), MaxOutput::DEFAULT);
    }
}
