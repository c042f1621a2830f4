//! The lifecycle file format, as serde structs.
//!
//! This is the surface integrators write: one YAML file per lifecycle or catalog. The structs
//! derive `schemars::JsonSchema`, so `plotline schema --config` gives editors the same format
//! the loader accepts. Nothing here is checked beyond its shape: names are resolved and
//! expressions parsed by `compile`.
//!
//! Versioning is expressed on the items themselves, as the source documents do with their
//! "Introduced / Updated" column: every event, state, transition, metadata field, payload
//! property, rule and scenario may carry `since: V` (first version that has it) and
//! `until: V` (first version that no longer has it). A lifecycle version is the set of items
//! in force at that version.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// One lifecycle (or event catalog) file, or a file of declarations that lifecycle files
/// share (one without `name`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleFile {
    /// The name events carry in their `lifecycle` field, e.g. `chat`. A file without one only
    /// shares declarations (`property_sets`, `enums`) with the files that import it.
    #[serde(default)]
    pub name: String,
    /// A human title.
    #[serde(default)]
    pub title: Option<String>,
    /// What this lifecycle describes.
    #[serde(default)]
    pub description: String,
    /// Files of the same catalog directory whose `property_sets` and `enums` this file uses
    /// (`imports: [common.yaml]`).
    #[serde(default)]
    pub imports: Vec<String>,
    /// The documents this lifecycle was written from.
    #[serde(default)]
    pub sources: Vec<SourceDoc>,
    /// The versions of the lifecycle, oldest first. Widget versions are compared segment by
    /// segment as numbers (`9.0` < `9.0.002.06`); an event picks the newest version not
    /// greater than its own `version`, the oldest when it is older than all, the newest when it
    /// has none.
    #[serde(default)]
    pub versions: Vec<VersionDecl>,
    /// Payload property sets shared by several events (`use:` in an event payload).
    #[serde(default)]
    pub property_sets: IndexMap<String, PayloadDecl>,
    /// Lists of allowed values shared by several properties (`enum: NAME`).
    #[serde(default)]
    pub enums: IndexMap<String, Vec<EnumValue>>,
    /// The events, by the name they carry in the `event` field.
    #[serde(default)]
    pub events: IndexMap<String, Nullable<EventDecl>>,
    /// The state an interaction is in before its first event. It needs no entry in `states`.
    #[serde(default = "default_initial")]
    pub initial: String,
    /// The states an interaction can be in.
    #[serde(default)]
    pub states: IndexMap<String, Nullable<StateDecl>>,
    /// The transitions. Transitions from the initial state are the start events.
    #[serde(default)]
    pub transitions: Vec<TransitionDecl>,
    /// The metadata block every event carries, in output order.
    #[serde(default)]
    pub metadata: IndexMap<String, FieldDecl>,
    /// Rules, run in this order after each accepted event.
    #[serde(default)]
    pub rules: Vec<RuleDecl>,
    /// Deadlines across states: time allowed from an event until the interaction ends.
    #[serde(default)]
    pub deadlines: Vec<DeadlineDecl>,
    /// Example payloads from the source documents, by name; scenarios reuse them with YAML
    /// anchors (`&start` here, `*start` in a scenario).
    #[serde(default)]
    pub examples: IndexMap<String, serde_json::Value>,
    /// Documented scenarios, each run by `plotline check` and snapshot-tested.
    #[serde(default)]
    pub scenarios: Vec<ScenarioDecl>,
    /// How the events look in the wild when they are not written as Plotline envelopes:
    /// `validate` and `run` read a line of such a shape through these paths.
    #[serde(default)]
    pub formats: Vec<FormatDecl>,
}

/// A native record shape (how a widget's own event API writes its events): which lines have
/// it, and where each envelope field is. Paths are dotted (`payload.id`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormatDecl {
    /// Its name, for messages.
    pub name: String,
    /// What it is.
    #[serde(default)]
    pub description: Option<String>,
    /// Paths and the string each must hold for a line to have this shape.
    #[serde(default, rename = "match")]
    pub matches: IndexMap<String, String>,
    /// The path of the event name.
    pub event: String,
    /// A prefix of the event name (`Chat.`): a line whose event name lacks it does not
    /// have this shape; the event is the name without it.
    #[serde(default)]
    pub event_prefix: Option<String>,
    /// Event names of the records mapped to the lifecycle's (`"Order Completed": paid`).
    /// A name not in the table goes through `event_case`, or is kept as it is.
    #[serde(default)]
    pub event_names: IndexMap<String, String>,
    /// The case the record's event names are turned into (`snake_case`: `MessageSent` is
    /// `message_sent`), for names `event_names` does not list.
    #[serde(default)]
    pub event_case: Option<EventCase>,
    /// The path of the interaction key (a string or an integer), or several paths whose values
    /// are joined with `:`, so that shapes keyed differently join one interaction. Without it,
    /// all lines of the shape in a stream are one interaction.
    #[serde(default)]
    pub interaction: Option<KeyPaths>,
    /// The path of the timestamp; `{event}` stands for the (lifecycle's) event name
    /// (`data.{event}`). Where it is absent, the event takes its interaction's last timestamp
    /// (0 for the first), and no time check applies.
    #[serde(default)]
    pub ts: Option<String>,
    /// How the timestamp is written (default: integer milliseconds).
    #[serde(default)]
    pub ts_format: TsFormat,
    /// The path of the payload.
    #[serde(default)]
    pub data: Option<String>,
    /// The path of the metadata block the widget reported.
    #[serde(default)]
    pub metadata: Option<String>,
    /// The path of the widget version.
    #[serde(default)]
    pub version: Option<String>,
    /// The path of the delivery id (a string or an integer): a record whose id its
    /// interaction already saw is a duplicate delivery, not judged again.
    #[serde(default)]
    pub id: Option<String>,
    /// The version of records that carry none (at `version`, or at all).
    #[serde(default)]
    pub default_version: Option<String>,
}

/// One path, or several whose values are joined.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum KeyPaths {
    /// One path.
    One(String),
    /// Several paths, joined with `:` in this order.
    Many(Vec<String>),
}

impl KeyPaths {
    /// The paths as written.
    pub fn paths(&self) -> &[String] {
        match self {
            KeyPaths::One(path) => std::slice::from_ref(path),
            KeyPaths::Many(paths) => paths,
        }
    }
}

/// How a native record writes its timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TsFormat {
    /// Integer milliseconds since the Unix epoch (`1732435200000`).
    #[default]
    Milliseconds,
    /// Seconds since the Unix epoch, an integer or a fraction (`1732435200.25`).
    Seconds,
    /// Integer microseconds since the Unix epoch (`1732435200250000`), as many analytics
    /// pipelines write them; read to the millisecond below.
    Microseconds,
    /// ISO 8601 (RFC 3339) text with a UTC offset (`2024-11-24T08:00:00.250Z`).
    Iso8601,
}

/// A case rule for event names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum EventCase {
    /// `message_sent`
    #[serde(rename = "snake_case")]
    Snake,
    /// `messageSent`
    #[serde(rename = "camelCase")]
    Camel,
    /// `MessageSent`
    #[serde(rename = "PascalCase")]
    Pascal,
    /// `message-sent`
    #[serde(rename = "kebab-case")]
    Kebab,
    /// `MESSAGE_SENT`
    #[serde(rename = "SCREAMING_SNAKE_CASE")]
    ScreamingSnake,
    /// `message sent` as written, in lower case
    #[serde(rename = "lowercase")]
    Lower,
    /// `MESSAGE SENT` as written, in upper case
    #[serde(rename = "UPPERCASE")]
    Upper,
}

impl LifecycleFile {
    /// Whether this file only shares declarations (it has no `name`).
    pub fn is_shared(&self) -> bool {
        self.name.is_empty()
    }

    /// The lifecycle parts a file that only shares declarations must not have, by key.
    pub fn lifecycle_parts(&self) -> Vec<&'static str> {
        let parts = [
            ("versions", !self.versions.is_empty()),
            ("events", !self.events.is_empty()),
            ("states", !self.states.is_empty()),
            ("transitions", !self.transitions.is_empty()),
            ("metadata", !self.metadata.is_empty()),
            ("rules", !self.rules.is_empty()),
            ("scenarios", !self.scenarios.is_empty()),
            ("formats", !self.formats.is_empty()),
        ];
        parts
            .into_iter()
            .filter_map(|(key, present)| present.then_some(key))
            .collect()
    }
}

/// A value that is present, `null` included (a plain `Option` reads `null` as absent).
fn present<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(deserializer).map(Some)
}

/// A whole number, 0 or more, also when written as an integral float (`2.0`), as JSON
/// Schema allows.
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    let whole = number.as_u64().or_else(|| {
        let x = number.as_f64()?;
        // Below 2^53 every integral float is exact.
        (x.fract() == 0.0 && (0.0..9.0e15).contains(&x)).then_some(x as u64)
    });
    let unexpected = match (number.as_i64(), number.as_f64()) {
        (Some(n), _) => serde::de::Unexpected::Signed(n),
        (None, Some(x)) => serde::de::Unexpected::Float(x),
        (None, None) => serde::de::Unexpected::Other("a number"),
    };
    whole
        .map(Some)
        .ok_or_else(|| serde::de::Error::invalid_value(unexpected, &"u64"))
}

fn default_initial() -> String {
    "idle".to_owned()
}

/// A map value that may be written as YAML `null` (`ready:`) to mean "all defaults".
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(with = "Option<T>", rename = "Nullable_{T}")]
pub struct Nullable<T>(pub T);

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Nullable(
            Option::<T>::deserialize(deserializer)?.unwrap_or_default(),
        ))
    }
}

/// A source document: a file beside the catalog, a public page, or both.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// File name of the document.
    #[serde(default)]
    pub file: Option<String>,
    /// Where the document is published.
    #[serde(default)]
    pub url: Option<String>,
    /// What the document is.
    #[serde(default)]
    pub title: Option<String>,
}

/// One version of a lifecycle.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionDecl {
    /// The widget version this lifecycle version starts at, e.g. `9.0.002.06`.
    pub name: String,
    /// What changed in this version.
    #[serde(default)]
    pub description: Option<String>,
    /// The document describing this version.
    #[serde(default)]
    pub source: Option<String>,
}

/// The version range of an item: `since` inclusive, `until` exclusive.
///
/// Each versioned declaration spells out its `since` and `until` keys (rather than flattening
/// this struct in), so that serde names the known keys when one is misspelled.
#[derive(Debug, Clone, Copy, Default)]
pub struct Versioned<'a> {
    /// First version that has the item.
    pub since: Option<&'a str>,
    /// First version that no longer has the item.
    pub until: Option<&'a str>,
}

impl Versioned<'_> {
    /// The range as a file writes it (`since: 2.0`, `until: 3.0`, or both), or nothing for
    /// every version.
    pub fn written(&self) -> String {
        let keys = [("since", self.since), ("until", self.until)];
        let written: Vec<String> = (keys.into_iter())
            .filter_map(|(key, version)| Some(format!("{key}: {}", version?)))
            .collect();
        written.join(", ")
    }
}

/// `versioned()` for declarations with `since` and `until` keys.
macro_rules! versioned {
    ($($declaration:ty),*) => {$(
        impl $declaration {
            /// The item's version range.
            pub fn versioned(&self) -> Versioned<'_> {
                Versioned {
                    since: self.since.as_deref(),
                    until: self.until.as_deref(),
                }
            }
        }
    )*};
}

versioned!(
    EventDecl,
    PropertyDecl,
    StateDecl,
    TransitionDecl,
    FieldDecl,
    RuleDecl,
    DeadlineDecl,
    ScenarioDecl
);

/// An event of the lifecycle.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDecl {
    /// What the event means.
    #[serde(default)]
    pub description: Option<String>,
    /// The document that describes the event.
    #[serde(default)]
    pub source: Option<String>,
    /// The event's `data` payload. Without it any object (or none) is accepted.
    #[serde(default)]
    pub payload: Option<PayloadDecl>,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

/// The properties of a payload object.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayloadDecl {
    /// What the payload is.
    #[serde(default)]
    pub description: Option<String>,
    /// Property sets (from `property_sets`) whose properties this payload includes.
    #[serde(default, rename = "use")]
    pub uses: Vec<String>,
    /// The payload's own properties.
    #[serde(default)]
    pub properties: IndexMap<String, PropertySpec>,
    /// Whether properties not listed are allowed (default: yes, widgets add fields freely).
    #[serde(default)]
    pub additional: Option<bool>,
}

/// The type of a payload property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PropertyType {
    /// A JSON string.
    String,
    /// A JSON integer.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON object, described by `properties`.
    Object,
    /// A JSON array, described by `items`.
    Array,
    /// An identifier sent as a number or a string (what some vendors call alphanumeric).
    Alphanumeric,
    /// Anything.
    Any,
}

/// A payload property.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropertyDecl {
    /// The property's type.
    #[serde(rename = "type")]
    pub ty: PropertyType,
    /// What the property means.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the property must be present.
    #[serde(default)]
    pub required: bool,
    /// The allowed values (bare, or `{value, label}`), or the name of a shared list in
    /// `enums`.
    #[serde(default, rename = "enum")]
    pub values: Option<EnumSpec>,
    /// The value must be this one (`const: null` too).
    #[serde(default, rename = "const", deserialize_with = "present")]
    pub constant: Option<serde_json::Value>,
    /// Numbers: the least allowed.
    #[serde(default)]
    pub minimum: Option<serde_json::Number>,
    /// Numbers: the greatest allowed.
    #[serde(default)]
    pub maximum: Option<serde_json::Number>,
    /// Numbers: every value must be greater.
    #[serde(default, rename = "exclusiveMinimum")]
    pub exclusive_minimum: Option<serde_json::Number>,
    /// Numbers: every value must be less.
    #[serde(default, rename = "exclusiveMaximum")]
    pub exclusive_maximum: Option<serde_json::Number>,
    /// Numbers: every value must be a multiple of this (greater than 0).
    #[serde(default, rename = "multipleOf")]
    pub multiple_of: Option<serde_json::Number>,
    /// Strings: the fewest characters.
    #[serde(default, rename = "minLength", deserialize_with = "whole_number")]
    pub min_length: Option<u64>,
    /// Strings: the most characters.
    #[serde(default, rename = "maxLength", deserialize_with = "whole_number")]
    pub max_length: Option<u64>,
    /// Strings: a regular expression the value must match somewhere (anchor it with `^...$`).
    #[serde(default)]
    pub pattern: Option<String>,
    /// Strings: a format the value must have.
    #[serde(default)]
    pub format: Option<StringFormat>,
    /// Arrays: the fewest elements.
    #[serde(default, rename = "minItems", deserialize_with = "whole_number")]
    pub min_items: Option<u64>,
    /// Arrays: the most elements.
    #[serde(default, rename = "maxItems", deserialize_with = "whole_number")]
    pub max_items: Option<u64>,
    /// Arrays: whether elements must differ from each other.
    #[serde(default, rename = "uniqueItems")]
    pub unique_items: bool,
    /// Element type of an array.
    #[serde(default)]
    pub items: Option<Box<PropertyDecl>>,
    /// Properties of an object.
    #[serde(default)]
    pub properties: IndexMap<String, PropertySpec>,
    /// For an object: whether properties not listed are allowed (default: yes).
    #[serde(default)]
    pub additional: Option<bool>,
    /// Personal data (a name, a phone number, an e-mail address, a form's contents): reports
    /// show its value masked (`--show-pii` shows it); `writeOnly` in exported schemas.
    #[serde(default)]
    pub pii: bool,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

/// The formats a string property may require, named as in JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum StringFormat {
    /// An RFC 3339 date and time (`2026-11-27T07:20:41Z`).
    #[serde(rename = "date-time")]
    DateTime,
    /// An e-mail address.
    #[serde(rename = "email")]
    Email,
    /// An absolute URI.
    #[serde(rename = "uri")]
    Uri,
    /// A UUID.
    #[serde(rename = "uuid")]
    Uuid,
}

impl StringFormat {
    /// The name JSON Schema gives it.
    pub fn name(self) -> &'static str {
        match self {
            StringFormat::DateTime => "date-time",
            StringFormat::Email => "email",
            StringFormat::Uri => "uri",
            StringFormat::Uuid => "uuid",
        }
    }
}

/// A property's allowed values: listed, or named from the file's (or an import's) `enums`.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum EnumSpec {
    /// The values.
    List(Vec<EnumValue>),
    /// The name of a shared list.
    Named(String),
}

/// A payload property: one declaration, or its variants by version (each with `since` and
/// `until`), where its type, required-ness or values change between versions.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum PropertySpec {
    /// The property in every version it has.
    One(Box<PropertyDecl>),
    /// The property as each range of versions has it.
    Variants(Vec<PropertyDecl>),
}

impl PropertySpec {
    /// The declarations, one per range of versions.
    pub fn variants(&self) -> &[PropertyDecl] {
        match self {
            PropertySpec::One(decl) => std::slice::from_ref(decl),
            PropertySpec::Variants(variants) => variants,
        }
    }
}

/// Reads a map as one declaration and a sequence as variants, so that an error inside either
/// keeps its place and its message (an untagged enum would replace both).
impl<'de> Deserialize<'de> for PropertySpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Spec;
        impl<'de> serde::de::Visitor<'de> for Spec {
            type Value = PropertySpec;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a property declaration, or a list of its variants by version")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<PropertySpec, A::Error> {
                let map = serde::de::value::MapAccessDeserializer::new(map);
                PropertyDecl::deserialize(map).map(|decl| PropertySpec::One(Box::new(decl)))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<PropertySpec, A::Error> {
                let seq = serde::de::value::SeqAccessDeserializer::new(seq);
                Vec::<PropertyDecl>::deserialize(seq).map(PropertySpec::Variants)
            }
        }
        deserializer.deserialize_any(Spec)
    }
}

/// An allowed value of an enum property: the value alone, or `{value, label}`. Any other
/// value, arrays among them, is the value alone (`enum: [[true]]` allows `[true]`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "serde_json::Value")]
#[schemars(with = "EnumValueForm")]
pub struct EnumValue {
    /// The value as it appears in the payload.
    pub value: serde_json::Value,
    /// What the value means, e.g. `Slide-out`.
    pub label: Option<String>,
}

/// The two ways to write an enum value.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnumValueForm {
    /// `{value: 3, label: Slide-out}`.
    Labelled(LabelledValue),
    /// `3`.
    Bare(serde_json::Value),
}

/// A value with its label.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelledValue {
    /// The value as it appears in the payload.
    pub value: serde_json::Value,
    /// What the value means, e.g. `Slide-out`.
    #[serde(default)]
    pub label: Option<String>,
}

impl TryFrom<serde_json::Value> for EnumValue {
    type Error = String;

    /// A map with `value` is the labelled form (`value` and `label` only); anything else is
    /// the value itself.
    fn try_from(value: serde_json::Value) -> Result<Self, String> {
        let serde_json::Value::Object(map) = &value else {
            return Ok(EnumValue { value, label: None });
        };
        if !map.contains_key("value") {
            return Ok(EnumValue { value, label: None });
        }
        let form: LabelledValue = serde_json::from_value(value).map_err(|error| {
            format!("an enum value written as a map takes `value` and `label`: {error}")
        })?;
        Ok(EnumValue {
            value: form.value,
            label: form.label,
        })
    }
}

/// A state of the lifecycle.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateDecl {
    /// What the state means.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the interaction ends here. No event may follow a final state.
    #[serde(default, rename = "final")]
    pub is_final: bool,
    /// Whether an interaction may end here without being final: no `incomplete` when the
    /// stream ends in this state, yet later events are still legal.
    #[serde(default)]
    pub may_end: bool,
    /// What happens when the interaction stays in this state too long, decided from event
    /// time only.
    #[serde(default)]
    pub timeout: Option<TimeoutDecl>,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

/// A state's timeout: `after` the interaction entered the state (by event time), it goes
/// `to` another state, reports a `timeout` `violation`, or both.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeoutDecl {
    /// How long: `250ms`, `30s`, `5m`, `2h`, or integer milliseconds.
    pub after: DurationDecl,
    /// Counted from the interaction's latest event rather than from when it entered the
    /// state: every event restarts it, also one that keeps the state ("30 minutes without
    /// activity").
    #[serde(default)]
    pub idle: bool,
    /// The state the interaction goes to.
    #[serde(default)]
    pub to: Option<String>,
    /// The message of a `timeout` violation reported when it expires.
    #[serde(default)]
    pub violation: Option<String>,
    /// Metadata fields the timeout sets, as a rule's `set` (`ts` is the deadline).
    #[serde(default)]
    pub set: IndexMap<String, String>,
}

/// A duration: integer milliseconds, or a number with a unit (`250ms`, `30s`, `5m`, `2h`).
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum DurationDecl {
    /// Milliseconds.
    Millis(u64),
    /// A number and a unit.
    Text(String),
}

impl DurationDecl {
    /// The duration in milliseconds, or what is wrong with it.
    pub fn millis(&self) -> Result<i64, String> {
        match self {
            DurationDecl::Millis(ms) => {
                i64::try_from(*ms).map_err(|_| format!("{ms} ms is too long"))
            }
            DurationDecl::Text(text) => text_millis(text),
        }
    }
}

/// The time from one scenario event to the next: integer milliseconds or a duration (`250ms`,
/// `20s`); a negative one (`-5s`) sets the clock back, for a scenario of events out of time
/// order.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum GapDecl {
    /// Milliseconds.
    Millis(i64),
    /// A number and a unit.
    Text(String),
}

impl GapDecl {
    /// The gap in milliseconds, or what is wrong with it.
    pub fn millis(&self) -> Result<i64, String> {
        match self {
            GapDecl::Millis(ms) => Ok(*ms),
            GapDecl::Text(text) => match text.trim().strip_prefix('-') {
                Some(back) => text_millis(back).map(|ms| -ms),
                None => text_millis(text),
            },
        }
    }
}

/// `Deserialize` for durations written as integer milliseconds (of the type given) or as a
/// text, read by their shape: anything else is an error at the value, in the visitor's words
/// (an untagged enum would say "no variant matched" at the map that holds it).
macro_rules! millis_or_text {
    ($($kind:ident($number:ty), $expecting:literal;)*) => {$(
        impl<'de> Deserialize<'de> for $kind {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::{Error, Unexpected};
                struct Shape;
                impl serde::de::Visitor<'_> for Shape {
                    type Value = $kind;

                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_u64<E: Error>(self, ms: u64) -> Result<$kind, E> {
                        let wrong = || E::invalid_value(Unexpected::Unsigned(ms), &self);
                        <$number>::try_from(ms).map($kind::Millis).map_err(|_| wrong())
                    }

                    fn visit_i64<E: Error>(self, ms: i64) -> Result<$kind, E> {
                        let wrong = || E::invalid_value(Unexpected::Signed(ms), &self);
                        <$number>::try_from(ms).map($kind::Millis).map_err(|_| wrong())
                    }

                    fn visit_str<E: Error>(self, text: &str) -> Result<$kind, E> {
                        Ok($kind::Text(text.to_owned()))
                    }
                }
                deserializer.deserialize_any(Shape)
            }
        }
    )*};
}

millis_or_text! {
    DurationDecl(u64), "a duration: milliseconds, or text such as `30s`, `5m`, `1h`";
    GapDecl(i64), "the time since the event before: milliseconds, or text such as `20s`";
}

/// A duration written as a number and a unit (`250ms`, `30s`, `5m`, `2h`, `1d`; a number
/// alone is milliseconds), in milliseconds.
fn text_millis(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let not_a_duration = || format!("`{text}` is not a duration such as `250ms`, `30s`, `5m`");
    if number.is_empty() {
        return Err(not_a_duration());
    }
    let scale = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => {
            return Err(format!(
                "unknown unit `{other}` in duration `{text}` (ms, s, m, h or d)"
            ))
        }
    };
    number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(not_a_duration)
}

/// One name or a list of names.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single name.
    One(String),
    /// Several names.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, in order.
    pub fn names(&self) -> &[String] {
        match self {
            OneOrMany::One(name) => std::slice::from_ref(name),
            OneOrMany::Many(names) => names,
        }
    }
}

/// A transition: on event `on` in state `from`, go to state `to`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionDecl {
    /// The source state(s); `"*"` is every state that is neither initial nor final.
    pub from: OneOrMany,
    /// The event(s).
    pub on: OneOrMany,
    /// The target state; absent means the state does not change.
    #[serde(default)]
    pub to: Option<String>,
    /// A guard: the transition is taken only when it holds. Of the transitions that share a
    /// state and an event, the first (in file order) whose guard holds is taken.
    #[serde(default)]
    pub when: Option<String>,
    /// Why this transition exists (useful where the documents are silent).
    #[serde(default)]
    pub description: Option<String>,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

/// The type of a metadata field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// `true` or `false`.
    Boolean,
    /// An integer, e.g. a counter.
    Integer,
    /// Milliseconds since the Unix epoch.
    Timestamp,
    /// Milliseconds between two events.
    Duration,
    /// Any number, with a fraction or not.
    Number,
    /// A string.
    String,
    /// An array, e.g. a list of error codes.
    Array,
    /// An object, e.g. the submitted form.
    Object,
}

/// A field of the metadata block.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDecl {
    /// The field's type when set.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// What the field means.
    #[serde(default)]
    pub description: Option<String>,
    /// The value before any rule sets it (default `false`, as the widgets document).
    #[serde(default = "default_field_value")]
    pub default: serde_json::Value,
    /// The document that describes the field.
    #[serde(default)]
    pub source: Option<String>,
    /// A field computed for rules only: not in the reported block, the schema or the types.
    #[serde(default)]
    pub internal: bool,
    /// Personal data (a form's contents, a name): reports and the collector show its value
    /// masked (`--show-pii` shows it); `writeOnly` in exported schemas.
    #[serde(default)]
    pub pii: bool,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

fn default_field_value() -> serde_json::Value {
    serde_json::Value::Bool(false)
}

/// A rule: on which events, under which guard, which fields get which value, which
/// assertion must hold. Expressions use the rule language (`grammar/expr.pest`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDecl {
    /// A name for messages.
    #[serde(default)]
    pub name: Option<String>,
    /// The events the rule runs on; `"*"` is every event.
    pub on: OneOrMany,
    /// A boolean expression; the rule runs only when it holds.
    #[serde(default)]
    pub when: Option<String>,
    /// Metadata fields and the expressions that compute them, evaluated before any is set.
    #[serde(default)]
    pub set: IndexMap<String, String>,
    /// A boolean expression that must hold, or the event gets a `rule_violation`.
    #[serde(default)]
    pub assert: Option<String>,
    /// The message of a failed assertion.
    #[serde(default)]
    pub message: Option<String>,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

/// A deadline across states: from the first `from` event of an interaction, it has `within`
/// to end (reach a final state); past that, decided from event time only, the deadline
/// reports a `timeout` violation, moves the interaction, or both, once.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineDecl {
    /// The event that starts the clock (its first occurrence).
    pub from: String,
    /// How long: `250ms`, `30s`, `5m`, `2h`, or integer milliseconds.
    pub within: DurationDecl,
    /// The state the interaction goes to when the deadline passes.
    #[serde(default)]
    pub to: Option<String>,
    /// The message of the `timeout` violation reported when the deadline passes.
    #[serde(default)]
    pub violation: Option<String>,
    /// Metadata fields the deadline sets when it passes, as a rule's `set` (`ts` is the
    /// deadline).
    #[serde(default)]
    pub set: IndexMap<String, String>,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

/// A documented scenario: a sequence of events and the expected outcome.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDecl {
    /// A short identifier, used in snapshot names.
    pub name: String,
    /// The scenario's description, from the source document.
    pub description: String,
    /// The document the scenario comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// The events, in order.
    pub events: Vec<ScenarioStep>,
    /// The expected outcome.
    #[serde(default)]
    pub expect: Expectation,
    /// First version that has the item.
    #[serde(default)]
    pub since: Option<String>,
    /// First version that no longer has the item.
    #[serde(default)]
    pub until: Option<String>,
}

/// One event of a scenario: its name, or a full step.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum ScenarioStep {
    /// Just the event name; the timestamp advances by one second.
    Name(String),
    /// An event with a payload and timing.
    Full(ScenarioEvent),
}

/// `Deserialize` for enums of a text variant and a map or list variant, each read by its shape
/// ([`text_or`]): `Type { TextVariant, CompoundVariant: Map or List, "what is expected" }`.
macro_rules! read_by_shape {
    ($($kind:ident { $text:ident, $compound:ident: $form:ident, $expecting:literal }),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $kind {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(match text_or(deserializer, $expecting, |_| true, Compound::$form)? {
                    Written::Text(text) => $kind::$text(text),
                    Written::Compound(compound) => $kind::$compound(compound),
                })
            }
        }
    )*};
}

read_by_shape!(
    KeyPaths { One, Many: List, "a path, or a list of paths" },
    EnumSpec { Named, List: List, "a list of values, or the name of a shared enum" },
    OneOrMany { One, Many: List, "a name, or a list of names" },
    ScenarioStep { Name, Full: Map, "an event name, or `{event: NAME, data: {...}, after: 20s}`" },
);

/// A value written as a text, or as a map or a list.
enum Written<C> {
    Text(String),
    Compound(C),
}

/// Which compound form a value may take besides a text.
#[derive(Clone, Copy, PartialEq)]
enum Compound {
    Map,
    List,
}

/// Reads a text that `text_fits` as it is, and a map or a list (as `compound` says) as a `C`:
/// an error inside the map or list keeps its place and its message (an untagged enum would
/// replace both with "no variant matched").
fn text_or<'de, D: Deserializer<'de>, C: Deserialize<'de>>(
    deserializer: D,
    expecting: &'static str,
    text_fits: fn(&str) -> bool,
    compound: Compound,
) -> Result<Written<C>, D::Error> {
    use serde::de::{value, Error, Unexpected};
    struct Shape<C> {
        expecting: &'static str,
        text_fits: fn(&str) -> bool,
        compound: Compound,
        read: std::marker::PhantomData<C>,
    }
    impl<'de, C: Deserialize<'de>> serde::de::Visitor<'de> for Shape<C> {
        type Value = Written<C>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_str<E: Error>(self, text: &str) -> Result<Written<C>, E> {
            match (self.text_fits)(text) {
                true => Ok(Written::Text(text.to_owned())),
                false => Err(E::invalid_value(Unexpected::Str(text), &self)),
            }
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Written<C>, A::Error> {
            if self.compound != Compound::Map {
                return Err(A::Error::invalid_type(Unexpected::Map, &self));
            }
            C::deserialize(value::MapAccessDeserializer::new(map)).map(Written::Compound)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Written<C>, A::Error> {
            if self.compound != Compound::List {
                return Err(A::Error::invalid_type(Unexpected::Seq, &self));
            }
            C::deserialize(value::SeqAccessDeserializer::new(seq)).map(Written::Compound)
        }
    }
    deserializer.deserialize_any(Shape {
        expecting,
        text_fits,
        compound,
        read: std::marker::PhantomData,
    })
}

/// A scenario event with payload and timing.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEvent {
    /// The event name.
    pub event: String,
    /// The time since the previous event (default 1000 ms): milliseconds, or a duration
    /// such as `20s`.
    #[serde(default)]
    pub after: Option<GapDecl>,
    /// The payload.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    /// The metadata block as the widget reports it, compared with the computed one.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

/// What a scenario is expected to produce.
#[derive(Debug, Clone, Default, JsonSchema)]
#[serde(untagged)]
pub enum Expectation {
    /// `accepted`: no violation, and the interaction ends in a final state.
    #[default]
    #[serde(skip)]
    AcceptedDefault,
    /// The word `accepted`.
    Accepted(AcceptedWord),
    /// Exactly these violation kinds, in order.
    Violations {
        /// The kinds, e.g. `[illegal_transition]`.
        violations: Vec<String>,
    },
}

impl<'de> Deserialize<'de> for Expectation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The map form, its keys checked.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Kinds {
            violations: Vec<String>,
        }
        let expecting = "`accepted`, or `{violations: [KIND, ...]}`";
        let accepted = |word: &str| word == "accepted";
        Ok(
            match text_or::<D, Kinds>(deserializer, expecting, accepted, Compound::Map)? {
                Written::Text(_) => Expectation::Accepted(AcceptedWord::Accepted),
                Written::Compound(Kinds { violations }) => Expectation::Violations { violations },
            },
        )
    }
}

/// The word `accepted`.
#[derive(Debug, Clone, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcceptedWord {
    /// The scenario is accepted.
    Accepted,
}

impl Expectation {
    /// The expected violation kinds (empty when accepted).
    pub fn violations(&self) -> &[String] {
        match self {
            Expectation::Violations { violations } => violations,
            _ => &[],
        }
    }
}
