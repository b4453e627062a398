//! Fuzzing the text fold (src/text.rs) that stands between every stranger's text and the
//! terminal: whatever the input, the output holds no control character, no escape sequence, no
//! bidi or invisible format character, no run of more than `MAX_MARKS` combining marks, no line
//! break and no doubled space; and folding twice changes nothing.
//! `FUZZ_CASES=N cargo test --test fuzz_text` runs N times as many cases.

mod fuzz_support;

use attache::text::{MAX_MARKS, is_hidden, one_line, one_line_owned, truncate};
use fuzz_support::{TOKENS, config};
use proptest::prelude::*;
use unicode_width::UnicodeWidthChar;

/// Every Unicode format character (general category Cf) that draws nothing. The prepended
/// concatenation marks (U+0600-0605, U+06DD, U+070F, U+0890-0891, U+08E2, U+110BD, U+110CD) are
/// Cf but draw a visible sign, so are not here.
fn invisible_format(ch: char) -> bool {
    matches!(
        ch,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

fn is_mark(ch: char) -> bool {
    !ch.is_ascii() && ch.width() == Some(0)
}

/// Characters from the places where trouble lives: controls, the format block, marks, wide
/// scripts, surrogate-adjacent and private planes, whitespace of every kind.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        2 => (0x7Fu32..0xA0).prop_map(|c| char::from_u32(c).unwrap()),
        2 => (0x2000u32..0x2070).prop_map(|c| char::from_u32(c).unwrap()),
        2 => (0x300u32..0x370).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0x13430u32..0x13440).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0xE0000u32..0xE0080).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0xFE00u32..0xFF00).prop_map(|c| char::from_u32(c).unwrap()),
        1 => prop::sample::select(vec!['\u{1b}', '\u{9b}', '\u{61c}', '\u{ad}', '\u{180e}', '\u{3000}', '\u{a0}', '\u{2028}', '\u{85}', '\u{3164}']),
        4 => prop::char::range('a', 'z'),
        2 => Just(' '),
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(hostile_char(), 0..200).prop_map(|c| c.into_iter().collect()),
        proptest::collection::vec(
            prop_oneof![
                hostile_char().prop_map(String::from),
                (0..TOKENS.len()).prop_map(|t| TOKENS[t].to_string())
            ],
            0..40
        )
        .prop_map(|parts| parts.concat()),
        any::<String>(),
    ]
}

fn check_folded(raw: &str, folded: &str) -> Result<(), TestCaseError> {
    for ch in folded.chars() {
        prop_assert!(!ch.is_control(), "control {:?} kept from {:?}", ch, raw);
        prop_assert!(!is_hidden(ch), "hidden {:?} kept from {:?}", ch, raw);
        prop_assert!(!invisible_format(ch), "invisible U+{:04X} kept from {:?}", ch as u32, raw);
        prop_assert!(ch == ' ' || !ch.is_whitespace(), "whitespace {:?} kept from {:?}", ch, raw);
    }
    prop_assert!(
        !folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  "),
        "{:?}",
        folded
    );
    let mut marks = 0;
    for ch in folded.chars() {
        marks = if is_mark(ch) { marks + 1 } else { 0 };
        prop_assert!(marks <= MAX_MARKS, "{} marks in a row in {:?}", marks, folded);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_fold_leaves_only_printable_text_and_is_idempotent(raw in hostile_text()) {
        let folded = one_line(&raw);
        check_folded(&raw, &folded)?;
        prop_assert_eq!(one_line(&folded), folded.clone(), "folding twice changed {:?}", raw);
        prop_assert_eq!(one_line_owned(raw.clone()), folded);
    }

    #[test]
    fn text_only_loses_what_is_hidden(raw in hostile_text()) {
        // Every printable character other than whitespace and marks past the cap survives, in order.
        let kept: String = one_line(&raw).chars().filter(|c| *c != ' ' && !is_mark(*c)).collect();
        let expected: String = raw.chars().filter(|c| !c.is_whitespace() && !is_hidden(*c) && !is_mark(*c)).collect();
        prop_assert_eq!(kept, expected);
    }

    #[test]
    fn truncation_keeps_within_its_width(raw in hostile_text(), max in 0usize..80) {
        let folded = one_line(&raw);
        let cut = truncate(&folded, max);
        prop_assert!(cut.chars().count() <= max.max(1), "{:?} cut to {} gave {:?}", folded, max, cut);
        check_folded(&raw, &one_line(&cut))?;
    }
}

/// Egyptian hieroglyph format controls (U+13430-1343F) draw nothing on their own: between the
/// letters of a keyword they would hide it from a rule while the screen showed the word whole.
#[test]
fn egyptian_hieroglyph_format_controls_are_dropped() {
    assert_eq!(one_line("tsu\u{13430}nami\u{1343F} coast\u{13438}"), "tsunami coast");
}
