//! Payload declarations to JSON Schema (for validation and export) and to [`Shape`]s (for the
//! expression type checker), with shared property sets resolved.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use super::context::{Context, NameKind};
use crate::config::model::{
    EnumSpec, EnumValue, PayloadDecl, PropertyDecl, PropertySpec, PropertyType,
};
use crate::expr::{Shape, Ty};

/// A resolved payload: its schema and its shape.
#[derive(Debug, Clone)]
pub struct Payload {
    /// JSON Schema (2020-12) of the `data` object.
    pub schema: Value,
    /// The shape paths are checked against.
    pub shape: Shape,
}

/// Resolves `payload` (at config `path`) for version `version`: property sets first, in
/// `use` order, then the payload's own properties.
pub fn resolve<'a>(
    ctx: &mut Context<'a>,
    payload: &'a PayloadDecl,
    path: &str,
    version: usize,
) -> Payload {
    let mut properties: IndexMap<String, (&PropertyDecl, String)> = IndexMap::new();
    collect(
        ctx,
        payload,
        path,
        version,
        &mut Vec::new(),
        &mut properties,
    );
    let open = payload.additional.unwrap_or(true);
    let mut schema = object_schema(ctx, &properties, open, version);
    if let (Some(description), Value::Object(map)) = (&payload.description, &mut schema) {
        map.insert("description".into(), Value::String(description.clone()));
    }
    let shape = Shape::Object(
        properties
            .iter()
            .map(|(name, (decl, _))| (name.clone(), (shape_of(decl, version, ctx), decl.required)))
            .collect(),
    );
    Payload { schema, shape }
}

fn collect<'a>(
    ctx: &mut Context<'a>,
    payload: &'a PayloadDecl,
    path: &str,
    version: usize,
    stack: &mut Vec<String>,
    out: &mut IndexMap<String, (&'a PropertyDecl, String)>,
) {
    for (i, name) in payload.uses.iter().enumerate() {
        let use_path = format!("{path}.use[{i}]");
        match ctx.property_set(name) {
            None => {
                let names = ctx.shared_names(|file| file.model.property_sets.keys());
                ctx.unknown_name(NameKind::PropertySet, name, &use_path, names.into_iter());
            }
            Some(_) if stack.contains(name) => {
                ctx.error(
                    &use_path,
                    format!(
                        "property set `{name}` uses itself ({} -> {name})",
                        stack.join(" -> ")
                    ),
                    Some("remove one `use` of the cycle".into()),
                );
            }
            Some((set, set_path)) => {
                stack.push(name.clone());
                collect(ctx, set, &set_path, version, stack, out);
                stack.pop();
            }
        }
    }
    active(ctx, &payload.properties, path, version, out);
}

/// Adds to `out` the variant of each of `properties` in force in `version`, with its config
/// path (unknown versions and overlapping variants are reported).
fn active<'a>(
    ctx: &mut Context<'_>,
    properties: &'a IndexMap<String, PropertySpec>,
    path: &str,
    version: usize,
    out: &mut IndexMap<String, (&'a PropertyDecl, String)>,
) {
    for (name, spec) in properties {
        let mut found: Option<String> = None;
        for (i, decl) in spec.variants().iter().enumerate() {
            let at = match spec {
                PropertySpec::One(_) => format!("{path}.properties.{name}"),
                PropertySpec::Variants(_) => format!("{path}.properties.{name}[{i}]"),
            };
            if !ctx.active(decl.versioned(), &at, version) {
                continue;
            }
            if let Some(first) = &found {
                let version_name = ctx.version_names.get(version).cloned().unwrap_or_default();
                ctx.error(
                    &at,
                    format!("two variants of property `{name}` are in version {version_name} (this one and {first})"),
                    Some("give the variants version ranges that do not overlap".into()),
                );
                continue;
            }
            out.insert(name.clone(), (decl, at.clone()));
            found = Some(at);
        }
    }
}

/// The variant of `spec` in force in `version`, without reporting (`active` reports).
fn variant_in<'a>(
    ctx: &Context,
    spec: &'a PropertySpec,
    version: usize,
) -> Option<&'a PropertyDecl> {
    spec.variants()
        .iter()
        .find(|decl| ctx.in_version(decl.versioned(), version))
}

fn object_schema(
    ctx: &mut Context,
    properties: &IndexMap<String, (&PropertyDecl, String)>,
    open: bool,
    version: usize,
) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for (name, (decl, path)) in properties {
        props.insert(name.clone(), property_schema(ctx, decl, path, version));
        if decl.required {
            required.push(Value::String(name.clone()));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    if !props.is_empty() {
        schema.insert("properties".into(), Value::Object(props));
    }
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    if !open {
        schema.insert("additionalProperties".into(), json!(false));
    }
    Value::Object(schema)
}

fn property_schema(ctx: &mut Context, decl: &PropertyDecl, path: &str, version: usize) -> Value {
    let mut schema = match decl.ty {
        PropertyType::Object => {
            let mut nested = IndexMap::new();
            active(ctx, &decl.properties, path, version, &mut nested);
            object_schema(ctx, &nested, decl.additional.unwrap_or(true), version)
        }
        PropertyType::Array => {
            let mut schema = Map::new();
            schema.insert("type".into(), json!("array"));
            if let Some(items) = &decl.items {
                schema.insert(
                    "items".into(),
                    property_schema(ctx, items, &format!("{path}.items"), version),
                );
            }
            Value::Object(schema)
        }
        PropertyType::String => json!({"type": "string"}),
        PropertyType::Integer => json!({"type": "integer"}),
        PropertyType::Number => json!({"type": "number"}),
        PropertyType::Boolean => json!({"type": "boolean"}),
        PropertyType::Alphanumeric => json!({"type": ["integer", "string"]}),
        PropertyType::Any => json!({}),
    };
    let Value::Object(map) = &mut schema else {
        return schema;
    };
    if let Some(description) = &decl.description {
        map.insert("description".into(), Value::String(description.clone()));
    }
    if decl.pii {
        // The standard annotation nearest to it: a value sent, never given back.
        map.insert("writeOnly".into(), Value::Bool(true));
    }
    let values = match listed_values(ctx, decl, path) {
        Ok(values) => values,
        Err(name) => {
            let names = ctx.shared_names(|file| file.model.enums.keys());
            let at = format!("{path}.enum");
            ctx.unknown_name(NameKind::Enum, name, &at, names.into_iter());
            None
        }
    };
    if let Some((values, at)) = values {
        if values.is_empty() {
            ctx.error(
                &at,
                "an empty `enum` allows no value at all",
                Some("list the allowed values, or remove `enum` to allow any".into()),
            );
        }
        for (i, value) in values.iter().enumerate() {
            if !matches_type(&value.value, decl.ty) {
                ctx.error(
                    &format!("{at}[{i}]"),
                    format!("enum value {} is not of the property's type", value.value),
                    None,
                );
            }
        }
        if values.iter().any(|value| value.label.is_some()) {
            let options: Vec<Value> = values
                .iter()
                .map(|value| match &value.label {
                    Some(label) => json!({"const": value.value, "title": label}),
                    None => json!({"const": value.value}),
                })
                .collect();
            map.insert("anyOf".into(), Value::Array(options));
        } else if !values.is_empty() {
            let values = values.iter().map(|value| value.value.clone()).collect();
            map.insert("enum".into(), Value::Array(values));
        }
    }
    keywords(ctx, decl, path, map);
    schema
}

/// The validator of a payload schema: draft 2020-12, formats asserted (a declared `format`
/// is a check, not a note), patterns run by the `regex` crate with a size limit.
pub fn validator(
    schema: &Value,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_pattern_options(jsonschema::PatternOptions::regex().size_limit(PATTERN_SIZE_LIMIT))
        .build(schema)
}

/// Longest compiled form of a `pattern` (bytes): a pattern that needs more is refused.
pub const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Writes the validation keywords of `decl` into its schema `map`, checking that each fits the
/// property's type and makes sense.
fn keywords(ctx: &mut Context, decl: &PropertyDecl, path: &str, map: &mut Map<String, Value>) {
    let ty = decl.ty;
    let numeric = matches!(
        ty,
        PropertyType::Integer | PropertyType::Number | PropertyType::Any
    );
    let textual = matches!(
        ty,
        PropertyType::String | PropertyType::Alphanumeric | PropertyType::Any
    );
    let listed = matches!(ty, PropertyType::Array | PropertyType::Any);
    // A keyword found wrong is reported here and left out of the schema, which then still
    // compiles: the events that use it are checked without it, and report nothing more.
    let mut put = |ctx: &mut Context, name: &str, fits: bool, kind: &str, value: Value| {
        if !fits {
            ctx.error(
                &format!("{path}.{name}"),
                format!("`{name}` applies to {kind}, and this property is {ty:?}"),
                Some(format!("remove `{name}`, or change the property's type")),
            );
            return;
        }
        map.insert(name.to_owned(), value);
    };
    let numbers = [
        ("minimum", &decl.minimum),
        ("maximum", &decl.maximum),
        ("exclusiveMinimum", &decl.exclusive_minimum),
        ("exclusiveMaximum", &decl.exclusive_maximum),
        ("multipleOf", &decl.multiple_of),
    ];
    for (name, value) in numbers {
        if let Some(number) = value {
            if name == "multipleOf" && number.as_f64().is_none_or(|x| x <= 0.0) {
                ctx.error(
                    &format!("{path}.{name}"),
                    "`multipleOf` must be greater than 0",
                    None,
                );
                continue;
            }
            put(ctx, name, numeric, "numbers", Value::Number(number.clone()));
        }
    }
    let counts = [
        ("minLength", decl.min_length, textual, "strings"),
        ("maxLength", decl.max_length, textual, "strings"),
        ("minItems", decl.min_items, listed, "arrays"),
        ("maxItems", decl.max_items, listed, "arrays"),
    ];
    for (name, value, fits, kind) in counts {
        if let Some(count) = value {
            put(ctx, name, fits, kind, Value::from(count));
        }
    }
    for (low, high, name) in [
        (decl.min_length, decl.max_length, "minLength"),
        (decl.min_items, decl.max_items, "minItems"),
    ] {
        if let (Some(low), Some(high)) = (low, high) {
            if low > high {
                ctx.error(
                    &format!("{path}.{name}"),
                    format!("`{name}` {low} is more than the maximum {high}: no value fits"),
                    None,
                );
            }
        }
    }
    if let (Some(low), Some(high)) = (
        decl.minimum.as_ref().and_then(serde_json::Number::as_f64),
        decl.maximum.as_ref().and_then(serde_json::Number::as_f64),
    ) {
        if low > high {
            ctx.error(
                &format!("{path}.minimum"),
                format!("`minimum` {low} is more than `maximum` {high}: no value fits"),
                None,
            );
        }
    }
    if let Some(pattern) = &decl.pattern {
        match regex::RegexBuilder::new(pattern)
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
        {
            Ok(_) => put(
                ctx,
                "pattern",
                textual,
                "strings",
                Value::String(pattern.clone()),
            ),
            Err(error) => {
                let message = error.to_string();
                let last = message.lines().last().unwrap_or("invalid").trim();
                let first = last.trim_start_matches("error:").trim();
                ctx.error(&format!("{path}.pattern"), format!("`pattern` is not a regular expression this engine accepts: {first}"), Some("write it in the syntax of the regex crate (no look-around or back-references), under 1 MiB compiled".into()));
            }
        }
    }
    if let Some(format) = decl.format {
        put(
            ctx,
            "format",
            textual,
            "strings",
            Value::String(format.name().to_owned()),
        );
    }
    if decl.unique_items {
        put(ctx, "uniqueItems", listed, "arrays", Value::Bool(true));
    }
    if let Some(constant) = &decl.constant {
        if !matches_type(constant, ty) {
            ctx.error(
                &format!("{path}.const"),
                format!("`const` {constant} is not of the property's type"),
                None,
            );
        }
        map.insert("const".into(), constant.clone());
    }
}

fn matches_type(value: &Value, ty: PropertyType) -> bool {
    match ty {
        PropertyType::String => value.is_string(),
        PropertyType::Integer => value.is_i64() || value.is_u64(),
        PropertyType::Number => value.is_number(),
        PropertyType::Boolean => value.is_boolean(),
        PropertyType::Object => value.is_object(),
        PropertyType::Array => value.is_array(),
        PropertyType::Alphanumeric => value.is_string() || value.is_i64() || value.is_u64(),
        PropertyType::Any => true,
    }
}

/// The values `decl` lists (`enum`, its own or a shared list by name) and the config path of
/// the list, if it lists any; the name of a shared list that none of the files declares is
/// the error.
fn listed_values<'d>(
    ctx: &Context<'d>,
    decl: &'d PropertyDecl,
    path: &str,
) -> Result<Option<(&'d [EnumValue], String)>, &'d str> {
    match &decl.values {
        None => Ok(None),
        Some(EnumSpec::List(values)) => Ok(Some((values.as_slice(), format!("{path}.enum")))),
        Some(EnumSpec::Named(name)) => ctx.enum_list(name).map(Some).ok_or(name.as_str()),
    }
}

/// The values of an enum, without their labels.
fn enum_values(values: &[EnumValue]) -> Vec<Value> {
    values.iter().map(|value| value.value.clone()).collect()
}

/// The kinds of a property type.
pub fn kinds(ty: PropertyType) -> Ty {
    match ty {
        PropertyType::String => Ty::STR,
        PropertyType::Integer => Ty::INT,
        PropertyType::Number => Ty::NUM,
        PropertyType::Boolean => Ty::BOOL,
        PropertyType::Object => Ty::OBJ,
        PropertyType::Array => Ty::ARR,
        PropertyType::Alphanumeric => Ty::INT.or(Ty::STR),
        PropertyType::Any => Ty::ANY,
    }
}

fn shape_of(decl: &PropertyDecl, version: usize, ctx: &Context) -> Shape {
    match decl.ty {
        PropertyType::Object => Shape::Object(
            decl.properties
                .iter()
                .filter_map(|(name, spec)| {
                    let inner = variant_in(ctx, spec, version)?;
                    Some((
                        name.clone(),
                        (shape_of(inner, version, ctx), inner.required),
                    ))
                })
                .collect(),
        ),
        PropertyType::Array => Shape::Array(Box::new(
            decl.items
                .as_deref()
                .map_or(Shape::Any, |items| shape_of(items, version, ctx)),
        )),
        PropertyType::Any => Shape::Any,
        other => {
            // The values rules may compare it with: one constant, or the listed ones (an
            // empty or unknown list has its own error). A declaration for some versions only
            // lists none: a rule may be meant for the versions where another one holds.
            let versioned = decl.since.is_some() || decl.until.is_some();
            let listed = match &decl.constant {
                _ if versioned => Vec::new(),
                Some(constant) => vec![constant.clone()],
                None => match listed_values(ctx, decl, "") {
                    Ok(Some((values, _))) => enum_values(values),
                    Ok(None) | Err(_) => Vec::new(),
                },
            };
            match listed.is_empty() {
                true => Shape::Scalar(kinds(other)),
                false => Shape::Values(kinds(other), listed),
            }
        }
    }
}
