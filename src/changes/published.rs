//! Reads a published `data/targets.json` (`{"count":N,"targets":[…]}`) one row at a time,
//! handing each to a function, instead of into a list of every row.

use crate::downloads::Row;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The file: a record whose `targets` are read by `Rows`; other fields are skipped.
pub struct Published<'f>(pub &'f mut dyn FnMut(Row));

impl<'de> DeserializeSeed<'de> for Published<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_struct("Published", &["targets"], self)
    }
}

impl<'de> Visitor<'de> for Published<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct Published")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != "targets" {
                map.next_value::<IgnoredAny>()?;
            } else if found {
                return Err(de::Error::duplicate_field("targets"));
            } else {
                found = true;
                map.next_value_seed(Rows(&mut *self.0))?;
            }
        }
        match found {
            true => Ok(()),
            false => Err(de::Error::missing_field("targets")),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match seq.next_element_seed(Rows(self.0))? {
            Some(()) => Ok(()),
            None => Err(de::Error::invalid_length(0, &self)),
        }
    }
}

/// The list of rows, each given to the function as soon as it is read.
struct Rows<'f>(&'f mut dyn FnMut(Row));

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(row) = seq.next_element::<Row>()? {
            (self.0)(row);
        }
        Ok(())
    }
}
