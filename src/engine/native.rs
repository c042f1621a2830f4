//! Lines in a native record shape (a catalog's `formats:`) read into envelopes, for lines
//! that are not Plotline envelopes.

use std::borrow::Cow;

use serde_json::value::{to_raw_value, RawValue};
use serde_json::Value;

use super::envelope::{Envelope, LineError};
use crate::compile::format::NativeRecord;
use crate::compile::Catalog;

/// The line read through the first of the catalog's formats whose shape it has; `None` when
/// it has none of them (or is not a JSON object).
pub fn read(catalog: &Catalog, line: &[u8]) -> Option<Result<Envelope<'static>, LineError>> {
    if catalog.formats.is_empty() {
        return None;
    }
    let record: Value = serde_json::from_slice(line).ok()?;
    let read = catalog
        .formats
        .iter()
        .find_map(|format| format.read(&record))?;
    Some(match read {
        Ok(record) => envelope(record),
        Err(error) => Err(LineError::BadEnvelope {
            message: error.message,
            lifecycle: Some(error.lifecycle),
            interaction: None,
            event: error.event,
        }),
    })
}

/// Adds to the `bad_envelope` message of a line without a `lifecycle`, and of no native shape,
/// which shapes were tried.
pub fn no_format_matched(catalog: &Catalog, parsed: &mut Result<Envelope<'_>, LineError>) {
    if let Err(LineError::BadEnvelope { message, .. }) = parsed {
        if !catalog.formats.is_empty() && message.starts_with("`lifecycle` is missing") {
            let names: Vec<String> = (catalog.formats.iter())
                .map(|f| format!("{} ({})", f.name, f.lifecycle))
                .collect();
            message.push_str(&format!(
                "; nor is it a record of a native format: {}",
                names.join(", ")
            ));
        }
    }
}

fn envelope(record: NativeRecord) -> Result<Envelope<'static>, LineError> {
    let raw = |value: Option<Value>| -> Result<Option<Cow<'static, RawValue>>, LineError> {
        let Some(value) = value else {
            return Ok(None);
        };
        let raw = to_raw_value(&value).map_err(|error| LineError::Malformed(error.to_string()))?;
        Ok(Some(Cow::Owned(raw)))
    };
    Ok(Envelope {
        lifecycle: Cow::Owned(record.lifecycle),
        interaction: Cow::Owned(record.interaction),
        event: Cow::Owned(record.event),
        ts: record.ts,
        version: record.version.map(Cow::Owned),
        data: raw(record.data)?,
        metadata: raw(record.metadata)?,
    })
}
