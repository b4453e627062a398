//! Checking `[[rule]]` tables: feed names and kinds that exist, severities on the scale,
//! distances and durations that make sense.

use super::problem::{FirstGiven, Problem, Source};
use super::raw;
use super::validate::parse_duration;
use super::{FeedConfig, FeedKind};
use crate::alerts::Rule;
use crate::domain::Severity;

/// `feeds` are the feeds that check out; `declared` every feed name the file gives, so that a
/// rule naming a feed with a problem of its own is not also wrong.
pub(super) fn rules(
    src: &Source,
    raw: &[raw::Rule],
    feeds: &[FeedConfig],
    declared: &[&str],
    problems: &mut Vec<Problem>,
) -> Vec<Rule> {
    let mut first = FirstGiven::new();
    raw.iter()
        .enumerate()
        .filter_map(|(n, r)| {
            let field = format!("rule[{n}]");
            let problem =
                |span, sub: &str, message: String| src.problem(Some(span), format!("{field}.{sub}"), message);
            let before = problems.len();
            if r.name.get_ref().contains('|') {
                problems.push(problem(
                    r.name.span(),
                    "name",
                    "a rule name may not contain `|` (it separates alert ids)".into(),
                ));
            }
            if let Some((prefix, _)) = r.name.get_ref().split_once('/')
                && crate::sync::settings::valid_desk_id(prefix)
            {
                problems.push(problem(
                    r.name.span(),
                    "name",
                    format!(
                        "a rule name may not start with `{prefix}/`: other desks' alerts are named `desk/...`, and this desk's must not be taken for one"
                    ),
                ));
            }
            if let Some((m, span)) = first.get(r.name.get_ref()) {
                let message = format!(
                    "rule name `{}` is already used by rule[{m}] at {}",
                    r.name.get_ref(),
                    src.place(span.clone())
                );
                problems.push(problem(r.name.span(), "name", message));
            } else {
                first.insert(r.name.get_ref().clone(), (n, r.name.span()));
            }
            let mut selected: Option<Vec<String>> = None;
            if let Some(wanted) = &r.feeds {
                for name in wanted {
                    if !declared.contains(&name.get_ref().as_str()) {
                        let message = if declared.is_empty() {
                            format!("no feed named `{}` (no feeds are configured)", name.get_ref())
                        } else {
                            format!("no feed named `{}` (feeds: {})", name.get_ref(), declared.join(", "))
                        };
                        problems.push(problem(name.span(), "feeds", message));
                    }
                }
                selected = Some(wanted.iter().map(|n| n.get_ref().clone()).collect());
            }
            if let Some(kinds) = &r.kinds {
                let mut by_kind = Vec::new();
                for kind in kinds {
                    match FeedKind::parse(kind.get_ref()) {
                        Some(kind) => {
                            by_kind.extend(feeds.iter().filter(|f| f.kind == kind).map(|f| f.name.clone()))
                        }
                        None => problems.push(problem(
                            kind.span(),
                            "kinds",
                            format!("unknown feed kind `{}`", kind.get_ref()),
                        )),
                    }
                }
                selected.get_or_insert_with(Vec::new).extend(by_kind);
            }
            let severity = |text: &raw::Text, sub: &str, problems: &mut Vec<Problem>| {
                text.get_ref()
                    .parse::<Severity>()
                    .map_err(|e| problems.push(problem(text.span(), sub, e)))
                    .ok()
            };
            let min_severity = r.min_severity.as_ref().and_then(|t| severity(t, "min_severity", problems));
            let raise = severity(&r.raise, "raise", problems);
            for (km, sub) in
                [(&r.near_mission_km, "near_mission_km"), (&r.near_contact_km, "near_contact_km")]
            {
                if let Some(km) = km
                    && !(km.get_ref().is_finite() && *km.get_ref() >= 0.0)
                {
                    problems.push(problem(
                        km.span(),
                        sub,
                        format!("must be a distance in km of zero or more, not {}", km.get_ref()),
                    ));
                }
            }
            let escalate_after = r.escalate_after.as_ref().and_then(|text| {
                parse_duration(text.get_ref())
                    .map_err(|e| problems.push(problem(text.span(), "escalate_after", e)))
                    .ok()
            });
            let max_age = r.max_age.as_ref().and_then(|text| {
                parse_duration(text.get_ref())
                    .map_err(|e| problems.push(problem(text.span(), "max_age", e)))
                    .ok()
            });
            if problems.len() > before {
                return None;
            }
            Some(Rule {
                name: r.name.get_ref().clone(),
                feeds: selected,
                min_severity,
                min_magnitude: r.min_magnitude,
                keywords: r
                    .keywords
                    .iter()
                    .map(|k| crate::text::one_line(k).to_lowercase())
                    .filter(|k| !k.is_empty())
                    .collect(),
                near_mission_km: r.near_mission_km.as_ref().map(|k| *k.get_ref()),
                near_contact_km: r.near_contact_km.as_ref().map(|k| *k.get_ref()),
                include_exercise: r.include_exercise,
                raise: raise?,
                escalate_after,
                max_age: max_age.unwrap_or(crate::alerts::DEFAULT_MAX_AGE),
            })
        })
        .collect()
}
