//! How the desk reached a contact: the short list a check-in picks from, the same words in the
//! console, on the command line and in the journal.

/// The channels a check-in names, the console's default first.
pub const CHANNELS: [&str; 4] = ["phone", "secure voice", "email", "in person"];

/// The channel `text` names (`secure-voice`, `In person`), as the journal writes it; None when
/// it names none of them.
pub fn channel(text: &str) -> Option<&'static str> {
    let wanted = text.trim().to_lowercase().replace(['-', '_'], " ");
    CHANNELS.into_iter().find(|c| *c == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_read_in_any_case_with_hyphens_or_spaces() {
        assert_eq!(channel("secure-voice"), Some("secure voice"));
        assert_eq!(channel("In person"), Some("in person"));
        assert_eq!(channel("EMAIL"), Some("email"));
        assert_eq!(channel("pigeon"), None);
    }
}
