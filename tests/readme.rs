//! Keeps the README true: its key table names every key in the key map, and its quick-start
//! test command exists.

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
