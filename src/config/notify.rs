//! Checking `[[notify]]` entries: selectors that parse, a command to run, a timeout, the names
//! of the variables to pass on, a bounded number of retries, names that tell entries apart.

use super::problem::{FirstGiven, Problem, Source};
use super::raw;
use super::validate::parse_duration;
use crate::notify::{DEFAULT_RETRIES, DEFAULT_TIMEOUT, MAX_RETRIES, NotifyRule, Trigger};

pub(super) fn entries(src: &Source, raw: &[raw::Notify], problems: &mut Vec<Problem>) -> Vec<NotifyRule> {
    let mut first = FirstGiven::new();
    raw.iter()
        .enumerate()
        .filter_map(|(n, entry)| {
            let field = format!("notify[{n}]");
            let problem =
                |span, sub: &str, message: String| src.problem(Some(span), format!("{field}.{sub}"), message);
            let before = problems.len();
            let name = entry.name.as_ref().map_or_else(|| field.clone(), |name| name.get_ref().trim().to_string());
            let name_span = entry.name.as_ref().map_or_else(|| entry.on.span(), |name| name.span());
            if name.is_empty() {
                problems.push(problem(name_span.clone(), "name", "a notify entry's name may not be empty".into()));
            } else if let Some((m, span)) = first.get(&name) {
                let message =
                    format!("notify name `{name}` is already used by notify[{m}] at {}", src.place(span.clone()));
                problems.push(problem(name_span, "name", message));
            } else {
                first.insert(name.clone(), (n, name_span));
            }
            if entry.on.get_ref().is_empty() {
                problems.push(problem(
                    entry.on.span(),
                    "on",
                    "say which records notify, e.g. on = [\"alert.raised>=severe\"]".into(),
                ));
            }
            let on: Vec<Trigger> = entry
                .on
                .get_ref()
                .iter()
                .filter_map(|text| {
                    Trigger::parse(text.get_ref()).map_err(|e| problems.push(problem(text.span(), "on", e))).ok()
                })
                .collect();
            let command = entry.command.get_ref();
            if command.first().is_none_or(|program| program.trim().is_empty()) {
                problems.push(problem(
                    entry.command.span(),
                    "command",
                    "the command is empty: give the program and its arguments, e.g. [\"/usr/local/bin/page\", \"--desk\", \"manila\"] (it is run without a shell)".into(),
                ));
            }
            let timeout = match &entry.timeout {
                Some(text) => parse_duration(text.get_ref())
                    .map_err(|e| problems.push(problem(text.span(), "timeout", e)))
                    .unwrap_or(DEFAULT_TIMEOUT),
                None => DEFAULT_TIMEOUT,
            };
            for name in &entry.env {
                let var = name.get_ref();
                if var.is_empty() || var.contains('=') || var.contains('\0') {
                    problems.push(problem(
                        name.span(),
                        "env",
                        format!("`{var}` is not the name of an environment variable"),
                    ));
                }
            }
            let retries = entry.retries.as_ref().map_or(DEFAULT_RETRIES, |r| *r.get_ref());
            if let Some(r) = &entry.retries
                && retries > MAX_RETRIES
            {
                problems.push(problem(r.span(), "retries", format!("at most {MAX_RETRIES} retries, not {retries}")));
            }
            (problems.len() == before).then(|| NotifyRule {
                name,
                on,
                command: command.clone(),
                timeout,
                env: entry.env.iter().map(|e| e.get_ref().clone()).collect(),
                retries,
            })
        })
        .collect()
}
