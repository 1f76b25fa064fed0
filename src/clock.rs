//! Time: where a run gets it from, and how it is written.
//!
//! No code reads the wall clock but [`SystemClock`]; everything else is
//! handed a [`Clock`], so tests run simulated nights with a fake one.

/// Where a run gets the time from: the system clock, or a test's.
pub trait Clock: Send + Sync {
    /// Now, in unix seconds.
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }
}

/// Unix seconds as RFC 3339 (UTC).
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Serializes an optional date as `YYYY-MM-DD` (or null), as reports show it.
pub fn serialize_date<S: serde::Serializer>(
    date: &Option<time::Date>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// Reads back what [`serialize_date`] wrote.
pub fn deserialize_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<time::Date>, D::Error> {
    let text: Option<std::borrow::Cow<'de, str>> = serde::Deserialize::deserialize(d)?;
    let Some(text) = text else {
        return Ok(None);
    };
    crate::source::frontmatter::leading_date(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a YYYY-MM-DD date")))
}
