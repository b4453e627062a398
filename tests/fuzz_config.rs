//! Fuzzing the config loader: the shipped desk (config/) and every invalid desk in
//! tests/invalid_configs, each file mutated, loaded from a temporary directory. Whatever the
//! files hold, loading gives a config or a list of problems, each naming its file, never a panic.
//! `FUZZ_CASES=N cargo test --test fuzz_config` runs N times as many cases.

mod fuzz_support;

use std::path::PathBuf;
use std::sync::LazyLock;

use attache::config::Config;
use fuzz_support::{config, mutate, mutations};
use proptest::prelude::*;

/// A desk: its desk file, missions file and contacts file.
type Desk = [Vec<u8>; 3];

static DESKS: LazyLock<Vec<Desk>> = LazyLock::new(|| {
    let mut dirs = vec![PathBuf::from("config")];
    let mut invalid: Vec<PathBuf> = std::fs::read_dir("tests/invalid_configs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    invalid.sort();
    dirs.extend(invalid);
    dirs.iter()
        .map(|d| {
            ["attache.toml", "missions.toml", "contacts.toml"]
                .map(|f| std::fs::read(d.join(f)).unwrap_or_default())
        })
        .collect()
});

proptest! {
    #![proptest_config(config(384))]

    #[test]
    fn any_desk_loads_or_says_what_is_wrong(
        desk in 0..64usize,
        changes in [mutations(6), mutations(3), mutations(3)],
    ) {
        let desks = &*DESKS;
        let files = &desks[desk % desks.len()];
        let tmp = tempfile::tempdir().unwrap();
        for (name, (seed, change)) in ["attache.toml", "missions.toml", "contacts.toml"].iter().zip(files.iter().zip(&changes)) {
            std::fs::write(tmp.path().join(name), mutate(seed, change)).unwrap();
        }
        if let Err(problems) = Config::load(&tmp.path().join("attache.toml")) {
            prop_assert!(!problems.is_empty());
            for problem in problems {
                prop_assert!(!problem.message.is_empty(), "{:?}", problem);
            }
        }
    }
}
