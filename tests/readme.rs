//! Keeps the README true: its key table names every key in the key map, its command tables
//! every command and option `--help` lists, and its quick-start test command exists.

use attache::console::keymap::{BINDINGS, label};

#[test]
fn readme_names_every_bound_key() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let keys = &readme[readme.find("## Keys").expect("a Keys section")..];
    let keys = &keys[..keys[3..].find("\n## ").map_or(keys.len(), |i| i + 3)];
    for binding in BINDINGS {
        for key in binding.keys {
            let label = label(key);
            assert!(
                keys.contains(&format!("`{label}`")),
                "README's key table lacks `{label}` ({})",
                binding.help
            );
        }
    }
}

#[test]
fn readme_names_every_replay_key() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("## After-action replay").expect("a replay section")..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    for binding in attache::replay::keys::BINDINGS {
        for key in binding.keys {
            let label = attache::replay::keys::key_label(key);
            assert!(
                section.contains(&format!("`{label}`")),
                "README's replay keys lack `{label}` ({})",
                binding.help
            );
        }
    }
}

#[test]
fn readme_test_command_is_the_ci_entry_point() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(readme.contains("\n.ci/run "), "quick start runs .ci/run");
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    assert!(ci.contains("cargo test --locked"));
}

/// The README's command tables name every command `--help` lists, each with every option it
/// takes, so a script writer reading the README sees what the binary accepts.
#[test]
fn readme_commands_match_help() {
    use clap::CommandFactory;
    let readme = std::fs::read_to_string("README.md").unwrap();
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `attache")).collect();
    let root = attache::cli::Cli::command();
    let mut missing = Vec::new();
    let mut commands: Vec<(String, &clap::Command)> =
        root.get_subcommands().map(|c| (c.get_name().to_string(), c)).collect();
    while let Some((path, command)) = commands.pop() {
        if command.has_subcommands() {
            commands.extend(command.get_subcommands().map(|c| (format!("{path} {}", c.get_name()), c)));
            continue;
        }
        let prefix = format!("attache {path}");
        let Some(row) =
            rows.iter().find(|r| r[3..].starts_with(&prefix) || r.contains(&format!("`{prefix}`")))
        else {
            missing.push(format!("no row for `{prefix}`"));
            continue;
        };
        for arg in command.get_arguments().filter(|a| !a.is_global_set() && !a.is_hide_set()) {
            let Some(long) = arg.get_long() else { continue };
            let short = arg.get_short().map(|c| format!("-{c}"));
            let named = row.contains(&format!("--{long}"))
                || short.is_some_and(|s| {
                    row.match_indices(&s).any(|(i, _)| !row[i + 2..].starts_with(char::is_alphanumeric))
                });
            if long != "help" && !named {
                missing.push(format!("`{prefix}` row lacks --{long}"));
            }
        }
    }
    assert!(missing.is_empty(), "README's command tables disagree with --help:\n{}", missing.join("\n"));
}

/// The README's "Journal events" names every kind the journal writes or reads.
#[test]
fn readme_names_every_record_kind() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("### Journal events").expect("a Journal events section")..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let journal = std::fs::read_to_string("docs/journal.md").unwrap();
    for kind in attache::event::KINDS {
        assert!(section.contains(&format!("`{kind}`")), "README's Journal events lack `{kind}`");
        assert!(journal.contains(&format!("| `{kind}` |")), "docs/journal.md's Event kinds lack `{kind}`");
    }
}
