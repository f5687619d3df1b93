//! Times: UTC milliseconds in storage, RFC 3339 on the command line, the exam's zone on display.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Why a time or a zone could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    #[error("unknown time zone {0:?}: use an IANA name such as Asia/Shanghai")]
    UnknownZone(String),
    #[error(
        "cannot read time {0:?}: use RFC 3339, e.g. 2026-06-07T08:45:00+08:00 or 2026-06-07T08:45"
    )]
    BadTime(String),
    #[error("time {0:?} is out of range")]
    OutOfRange(String),
}

impl Timestamp {
    /// The system clock.
    pub fn now() -> Timestamp {
        Timestamp(jiff::Timestamp::now().as_millisecond())
    }

    pub fn plus_seconds(self, s: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(s.saturating_mul(1000)))
    }

    /// RFC 3339 in UTC, e.g. `2026-06-07T00:45:00Z`.
    pub fn to_rfc3339(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => t.to_string(),
            Err(_) => format!("@{}ms", self.0),
        }
    }

    /// `2026-06-07 08:45:00 +08` in the given zone; falls back to UTC for an unknown zone.
    pub fn display_in(self, zone: &str) -> String {
        let Ok(t) = jiff::Timestamp::from_millisecond(self.0) else {
            return format!("@{}ms", self.0);
        };
        match jiff::tz::TimeZone::get(zone) {
            Ok(tz) => t.to_zoned(tz).strftime("%Y-%m-%d %H:%M:%S %:z").to_string(),
            Err(_) => t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        }
    }

    /// The calendar day in `zone` (UTC for an unknown zone), for same-day rules.
    pub fn date_in(self, zone: &str) -> jiff::civil::Date {
        let t = jiff::Timestamp::from_millisecond(self.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        t.to_zoned(tz).date()
    }

    /// Reads RFC 3339; a time without an offset is read in `zone`.
    pub fn parse(text: &str, zone: &str) -> Result<Timestamp, TimeError> {
        let text = text.trim();
        if let Ok(t) = text.parse::<jiff::Timestamp>() {
            return Ok(Timestamp(t.as_millisecond()));
        }
        // A date alone is not a time: midnight is rarely what was meant.
        if !text.contains(':') {
            return Err(TimeError::BadTime(text.to_string()));
        }
        let civil: jiff::civil::DateTime = text
            .parse()
            .map_err(|_| TimeError::BadTime(text.to_string()))?;
        let tz = check_zone(zone)?;
        let zoned = civil
            .to_zoned(tz)
            .map_err(|_| TimeError::OutOfRange(text.to_string()))?;
        Ok(Timestamp(zoned.timestamp().as_millisecond()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Checks an IANA zone name against the bundled database, so that every machine agrees.
pub fn check_zone(zone: &str) -> Result<jiff::tz::TimeZone, TimeError> {
    jiff::tz::TimeZone::get(zone).map_err(|_| TimeError::UnknownZone(zone.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_offset_is_read_in_the_exam_zone() {
        let t = Timestamp::parse("2026-06-07T08:45", "Asia/Shanghai").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-06-07T00:45:00Z");
        assert_eq!(t.display_in("Asia/Shanghai"), "2026-06-07 08:45:00 +08:00");
    }

    #[test]
    fn an_offset_wins_over_the_zone() {
        let t = Timestamp::parse("2026-06-07T08:45:00Z", "Asia/Shanghai").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-06-07T08:45:00Z");
    }

    #[test]
    fn bad_times_and_zones_are_refused() {
        assert!(matches!(
            Timestamp::parse("tomorrow", "Asia/Shanghai"),
            Err(TimeError::BadTime(_))
        ));
        assert!(matches!(
            Timestamp::parse("2026-06-07T08:45", "Mars/Olympus"),
            Err(TimeError::UnknownZone(_))
        ));
    }
}
