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
        "cannot read time {0:?}: use e.g. 2026-06-07 08:45, 2026/06/07 08:45, 08:45 (today) or RFC 3339 (2026-06-07T08:45:00+08:00)"
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

    /// `2026-06-07 08:45 +08:00`: [`Timestamp::display_in`] to the minute, for times people
    /// typed (session starts and ends), which have no seconds.
    pub fn minute_in(self, zone: &str) -> String {
        self.zoned(zone)
            .map(|z| z.strftime("%Y-%m-%d %H:%M %:z").to_string())
            .unwrap_or_else(|| format!("@{}ms", self.0))
    }

    /// A span of time in the zone, the date once when both ends fall on it:
    /// `2026-06-07 09:00–11:30 +08:00`, else `2026-06-07 23:00 – 2026-06-08 01:00 +08:00`.
    pub fn span_in(self, end: Timestamp, zone: &str) -> String {
        let (Some(a), Some(b)) = (self.zoned(zone), end.zoned(zone)) else {
            return format!("{self} – {end}");
        };
        if a.date() == b.date() {
            format!(
                "{}–{}",
                a.strftime("%Y-%m-%d %H:%M"),
                b.strftime("%H:%M %:z")
            )
        } else {
            format!(
                "{} – {}",
                a.strftime("%Y-%m-%d %H:%M"),
                b.strftime("%Y-%m-%d %H:%M %:z")
            )
        }
    }

    /// The time in `zone`, or in UTC for an unknown zone; `None` out of range.
    fn zoned(self, zone: &str) -> Option<jiff::Zoned> {
        let t = jiff::Timestamp::from_millisecond(self.0).ok()?;
        Some(t.to_zoned(jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC)))
    }

    /// The calendar day in `zone` (UTC for an unknown zone), for same-day rules.
    pub fn date_in(self, zone: &str) -> jiff::civil::Date {
        let t = jiff::Timestamp::from_millisecond(self.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        t.to_zoned(tz).date()
    }

    /// Reads a time as people type it: RFC 3339; a date and time without an offset, read in
    /// `zone` (`2026-06-07T08:45`, `2026-06-07 08:45`, `2026/06/07 08:45`); or a time of day
    /// alone (`08:45`), which is today in `zone`.
    pub fn parse(text: &str, zone: &str) -> Result<Timestamp, TimeError> {
        Timestamp::parse_on(text, zone, Timestamp::now())
    }

    /// [`Timestamp::parse`] with `now` deciding what today is.
    pub fn parse_on(text: &str, zone: &str, now: Timestamp) -> Result<Timestamp, TimeError> {
        let text = text.trim();
        let bad = || TimeError::BadTime(text.to_string());
        // `2026/06/07 08:45` is how dates are written on paper here; ISO wants dashes.
        let iso = text.replace('/', "-");
        if let Ok(t) = iso.parse::<jiff::Timestamp>() {
            return Ok(Timestamp(t.as_millisecond()));
        }
        // A date alone is not a time: midnight is rarely what was meant.
        if !iso.contains(':') {
            return Err(bad());
        }
        let tz = check_zone(zone)?;
        let civil: jiff::civil::DateTime = if iso.contains('-') {
            iso.parse().map_err(|_| bad())?
        } else {
            let time: jiff::civil::Time = iso.parse().map_err(|_| bad())?;
            now.date_in(zone).to_datetime(time)
        };
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

/// The zone's name for a heading over times shown without their offset, with the offset when
/// the zone keeps one all year: `Asia/Shanghai UTC+08:00` (no brackets, which differ between
/// the languages). A zone with summer time shows its
/// name alone, and each full time still carries its own offset.
pub fn zone_heading(zone: &str) -> String {
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return zone.to_string();
    };
    let now = jiff::Timestamp::now();
    let half_year = jiff::SignedDuration::from_hours(24 * 182);
    let offsets: Vec<_> = [now, now - half_year, now + half_year]
        .iter()
        .map(|t| tz.to_offset(*t))
        .collect();
    if offsets.windows(2).all(|w| w[0] == w[1]) {
        let o = jiff::Timestamp::UNIX_EPOCH.to_zoned(jiff::tz::TimeZone::fixed(offsets[0]));
        format!("{zone} UTC{}", o.strftime("%:z"))
    } else {
        zone.to_string()
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
    fn times_are_read_as_people_type_them() {
        let now = Timestamp::parse("2026-12-03T07:00+08:00", "UTC").unwrap();
        let at = |t| {
            Timestamp::parse_on(t, "Asia/Shanghai", now)
                .unwrap()
                .to_rfc3339()
        };
        assert_eq!(at("08:15"), "2026-12-03T00:15:00Z");
        assert_eq!(at("2026/12/03 08:15"), "2026-12-03T00:15:00Z");
        assert_eq!(at("2026-12-03 08:15"), "2026-12-03T00:15:00Z");
        // Today is the exam zone's day, not UTC's (23:30 UTC on the 2nd is the 3rd in Beijing).
        let late = Timestamp::parse("2026-12-02T23:30Z", "UTC").unwrap();
        let t = Timestamp::parse_on("08:15", "Asia/Shanghai", late).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-03T00:15:00Z");
        assert!(Timestamp::parse_on("2026/12/03", "Asia/Shanghai", now).is_err());
    }

    #[test]
    fn a_span_names_its_date_once() {
        let t = |s| Timestamp::parse(s, "Asia/Shanghai").unwrap();
        let (a, b) = (t("2026-12-03T09:00"), t("2026-12-03T11:30"));
        assert_eq!(
            a.span_in(b, "Asia/Shanghai"),
            "2026-12-03 09:00–11:30 +08:00"
        );
        assert_eq!(
            t("2026-12-03T23:00").span_in(t("2026-12-04T01:00"), "Asia/Shanghai"),
            "2026-12-03 23:00 – 2026-12-04 01:00 +08:00"
        );
        assert_eq!(a.minute_in("Asia/Shanghai"), "2026-12-03 09:00 +08:00");
    }

    #[test]
    fn a_heading_gives_the_offset_of_a_zone_without_summer_time() {
        assert_eq!(zone_heading("Asia/Shanghai"), "Asia/Shanghai UTC+08:00");
        assert_eq!(zone_heading("Europe/Berlin"), "Europe/Berlin");
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
