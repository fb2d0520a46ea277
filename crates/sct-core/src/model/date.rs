//! Calendar dates as they appear in `sct` files: a TOML date (`2026-03-31`) or the same
//! written as a string (`"2026-03-31"`). Times and offsets are refused: assessments and
//! milestones are dated to the day.

use std::fmt;

use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date (no time, no offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, String> {
        let trimmed = s.trim();
        if trimmed.len() != 10 {
            return Err(format!(
                "\"{s}\" is not a date; expected YYYY-MM-DD, for example 2026-03-31"
            ));
        }
        NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| {
                format!("\"{s}\" is not a valid date; expected YYYY-MM-DD, for example 2026-03-31")
            })
    }

    /// Builds a date from its parts, or `None` if there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn date_from_toml(dt: toml::value::Datetime) -> Result<Date, String> {
    match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => {
            Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| format!("{dt} is not a valid date"))
        }
        _ => Err(format!(
            "{dt} has a time; expected a date alone (YYYY-MM-DD)"
        )),
    }
}

struct DateVisitor {
    allow_blank: bool,
}

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Option<Date>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.allow_blank {
            f.write_str("a date (YYYY-MM-DD) or \"\"")
        } else {
            f.write_str("a date (YYYY-MM-DD)")
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if self.allow_blank && v.trim().is_empty() {
            return Ok(None);
        }
        Date::parse(v).map(Some).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let dt = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
        date_from_toml(dt).map(Some).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DateVisitor { allow_blank: false })?
            .ok_or_else(|| de::Error::custom("expected a date"))
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date", "description": "A date, YYYY-MM-DD (a TOML date is accepted too)." })
    }
}

/// A date a user may leave blank (`""`), as in a template waiting to be filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BlankableDate(pub Option<Date>);

impl Serialize for BlankableDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(d) => d.serialize(s),
            None => s.serialize_str(""),
        }
    }
}

impl<'de> Deserialize<'de> for BlankableDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DateVisitor { allow_blank: true })
            .map(BlankableDate)
    }
}

impl JsonSchema for BlankableDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BlankableDate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "description": "A date, YYYY-MM-DD, or \"\" when not yet known.", "pattern": "^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Doc {
        d: Date,
        b: BlankableDate,
    }

    #[test]
    fn toml_dates_and_strings_both_parse() {
        let doc: Doc = toml::from_str("d = 2026-03-31\nb = \"2027-01-02\"").unwrap();
        assert_eq!(doc.d.to_string(), "2026-03-31");
        assert_eq!(
            doc.b.0.map(|d| d.to_string()).as_deref(),
            Some("2027-01-02")
        );
        let doc: Doc = toml::from_str("d = \"2026-03-31\"\nb = \"\"").unwrap();
        assert_eq!(doc.b.0, None);
    }

    #[test]
    fn times_and_impossible_dates_are_refused_with_a_span() {
        let err = toml::from_str::<Doc>("d = 2026-03-31T10:00:00\nb = \"\"").unwrap_err();
        assert!(err.message().contains("has a time"), "{}", err.message());
        assert!(err.span().is_some());
        let err = toml::from_str::<Doc>("d = \"2026-02-30\"\nb = \"\"").unwrap_err();
        assert!(
            err.message().contains("not a valid date"),
            "{}",
            err.message()
        );
        let err = toml::from_str::<Doc>("d = \"31/03/2026\"\nb = \"\"").unwrap_err();
        assert!(
            err.message().contains("expected YYYY-MM-DD"),
            "{}",
            err.message()
        );
    }
}
