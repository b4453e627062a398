//! The TOML reader's and serde's messages in the operator's words: `expected f64` becomes
//! "expected a number", a duration written without quotes says how to write one, `[feed]` for
//! `[[feed]]` says so, and the names of serde's internals (`$__serde_spanned_private_value`)
//! never reach the screen.

/// Fields whose value is a duration written as text (`"2m"`).
const DURATIONS: [&str; 5] = ["every", "timeout", "escalate_after", "check_in_every", "max_age"];

/// Tables a file holds many of, each written `[[name]]`.
const ARRAY_TABLES: [&str; 4] = ["feed", "rule", "mission", "contact"];

/// A field path as serde_path_to_error writes it, without the segments serde's span wrapper adds.
pub fn field(path: &str) -> String {
    let field: Vec<&str> = path.split('.').filter(|segment| !segment.starts_with("$__serde")).collect();
    let field = field.join(".");
    if field == "." || field.is_empty() { String::new() } else { field }
}

/// A type or value error from serde, for the field at `field`, in a sentence.
pub fn type_error(field: &str, message: &str) -> String {
    let message = message.trim();
    let key = last_key(field);
    if let Some(table) = ARRAY_TABLES.iter().find(|t| field == **t)
        && message.starts_with("invalid type: map")
    {
        return one_table_for_many(table);
    }
    let parsed = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "));
    if let Some((found, expected)) = parsed {
        let found = found_words(found);
        if DURATIONS.contains(&key) && found.starts_with("the number") {
            let n = found.trim_start_matches("the number ");
            return format!(
                "expected a duration in quotes with its unit, such as \"{n}s\" or \"{n}m\", not {found} (it has no unit)"
            );
        }
        let wanted = expected_words(expected, found.starts_with("the number -"));
        let numeric_text = found
            .strip_prefix("the text ")
            .is_some_and(|t| t.trim_matches('"').trim().parse::<f64>().is_ok());
        let hint = if numeric_text && wanted.contains("number") { " (write it without quotes)" } else { "" };
        return format!("expected {wanted}, not {found}{hint}");
    }
    if let Some((found, expected)) =
        message.strip_prefix("invalid length ").and_then(|rest| rest.split_once(", expected "))
    {
        return format!("expected {expected}, not {found} values");
    }
    if let Some(name) = message.strip_prefix("missing field ") {
        return format!("{name} is missing; it is required here");
    }
    message.to_string()
}

/// A TOML syntax error at `span` of `text`, in a sentence.
pub fn syntax_error(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> String {
    let message = message.trim();
    if message != "duplicate key" {
        return message.to_string();
    }
    let Some(span) = span else { return message.to_string() };
    let key = text.get(span.clone()).unwrap_or_default().trim().trim_matches('"');
    let line_start = text[..span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let is_header = text[line_start..].trim_start().starts_with('[');
    match ARRAY_TABLES.iter().find(|t| **t == key) {
        Some(table) if is_header => one_table_for_many(table),
        _ if is_header => format!("[{key}] is given twice; give it once"),
        _ => format!("`{key}` is given twice in this table; give it once"),
    }
}

fn one_table_for_many(table: &str) -> String {
    format!("[{table}] makes a single table; write [[{table}]], with two brackets, for each {table}")
}

fn last_key(field: &str) -> &str {
    let last = field.rsplit('.').next().unwrap_or(field);
    last.split('[').next().unwrap_or(last)
}

/// serde's "integer `20`", "string \"yes\"" and so on.
fn found_words(found: &str) -> String {
    let quoted = |prefix: &str| found.strip_prefix(prefix).map(|v| v.trim_matches('`').to_string());
    if let Some(n) = quoted("integer ").or_else(|| quoted("floating point ")) {
        return format!("the number {n}");
    }
    if let Some(s) = found.strip_prefix("string ") {
        return format!("the text {s}");
    }
    if let Some(b) = quoted("boolean ") {
        return b;
    }
    match found {
        "map" => "a table".into(),
        "sequence" => "a list".into(),
        other => other.into(),
    }
}

/// serde's "f64", "a boolean", "a TOML datetime" and so on.
fn expected_words(expected: &str, negative: bool) -> String {
    let expected = expected.trim();
    match expected {
        "f64" | "f32" => "a number".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" if negative => "a whole number of zero or more".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => {
            "a whole number".into()
        }
        "a boolean" => "true or false".into(),
        "a string" => "text in quotes".into(),
        "a sequence" => "a list in brackets ([...])".into(),
        "a map" => "a table ({ ... })".into(),
        "a TOML datetime" => {
            "a date or time without quotes (such as 2024-03-01 or 2026-11-20T09:00:00Z)".into()
        }
        other if other.starts_with("struct ") => "a table".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serdes_internals_leave_the_field() {
        assert_eq!(field("feed[0].every.$__serde_spanned_private_value"), "feed[0].every");
        assert_eq!(field("mission[0].area.$__serde_spanned_private_value.lat"), "mission[0].area.lat");
        assert_eq!(field("."), "");
    }

    #[test]
    fn type_errors_in_plain_words() {
        let says = |field: &str, message: &str| type_error(field, message);
        assert_eq!(
            says("feed[0].every", "invalid type: integer `20`, expected a string"),
            "expected a duration in quotes with its unit, such as \"20s\" or \"20m\", not the number 20 (it has no unit)"
        );
        assert_eq!(
            says("rule[0].near_mission_km", "invalid type: string \"300\", expected f64"),
            "expected a number, not the text \"300\" (write it without quotes)"
        );
        assert_eq!(
            says("contact[0].lat", "invalid type: string \"N 14\", expected f64"),
            "expected a number, not the text \"N 14\""
        );
        assert_eq!(
            says("feed[0].enabled", "invalid type: string \"yes\", expected a boolean"),
            "expected true or false, not the text \"yes\""
        );
        assert_eq!(
            says("feed[0].max_mib", "invalid value: integer `-1`, expected u64"),
            "expected a whole number of zero or more, not the number -1"
        );
        assert_eq!(says("feed", "invalid type: map, expected a sequence"), one_table_for_many("feed"));
        assert_eq!(says("feed[0]", "missing field `name`"), "`name` is missing; it is required here");
        assert_eq!(
            says("feed[0].name", "invalid type: integer `7`, expected a string"),
            "expected text in quotes, not the number 7"
        );
    }

    #[test]
    fn duplicate_keys_name_the_key() {
        let text = "[desk]\nname = \"a\"\nname = \"b\"\n[feed]\nname = \"x\"\n[feed]\n";
        let at = |needle: &str, nth: usize| {
            let start = text.match_indices(needle).nth(nth).unwrap().0;
            Some(start..start + needle.len())
        };
        assert_eq!(
            syntax_error(text, at("name", 1), "duplicate key"),
            "`name` is given twice in this table; give it once"
        );
        assert_eq!(syntax_error(text, at("feed", 1), "duplicate key"), one_table_for_many("feed"));
        assert_eq!(syntax_error(text, None, "invalid basic string"), "invalid basic string");
    }
}
