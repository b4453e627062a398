//! The replay clock: where in the record the replay is, whether it plays and how fast. Pure: it
//! is told how much wall time passed and when the next event is, so it is tested without a
//! terminal or a timer.

use chrono::{DateTime, Duration, Utc};

/// The speeds `+` and `-` step through.
pub const SPEEDS: [f64; 12] = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1000.0];

/// With idle gaps skipped, no wait between events lasts longer than this in wall time (as
/// asciinema's idle limit does): a quiet night plays in seconds, a busy hour as it was.
pub const IDLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub playing: bool,
    speed: usize,
    pub skip_idle: bool,
}

impl Clock {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, at: DateTime<Utc>, speed: f64) -> Self {
        let end = end.max(start);
        let speed = SPEEDS.iter().position(|&s| s >= speed).unwrap_or(SPEEDS.len() - 1);
        Clock { now: at.clamp(start, end), start, end, playing: false, speed, skip_idle: true }
    }

    pub fn speed(&self) -> f64 {
        SPEEDS[self.speed]
    }

    pub fn faster(&mut self) {
        self.speed = (self.speed + 1).min(SPEEDS.len() - 1);
    }

    pub fn slower(&mut self) {
        self.speed = self.speed.saturating_sub(1);
    }

    /// Play or pause; playing at the end starts again from the start, as a player does.
    pub fn toggle(&mut self) {
        if !self.playing && self.now >= self.end {
            self.now = self.start;
        }
        self.playing = !self.playing;
    }

    /// Moves to `t`, kept within the range.
    pub fn go(&mut self, t: DateTime<Utc>) {
        self.now = t.clamp(self.start, self.end);
    }

    /// Advances by `wall` time at the current speed, first shortening an idle gap before
    /// `next_event` to `IDLE_LIMIT` of wall time. Stops (and pauses) at the end, never exits.
    /// Returns whether the clock moved.
    pub fn tick(&mut self, wall: std::time::Duration, next_event: Option<DateTime<Utc>>) -> bool {
        if !self.playing {
            return false;
        }
        let before = self.now;
        let speed = self.speed();
        let scaled =
            |d: std::time::Duration| Duration::microseconds((d.as_secs_f64() * speed * 1e6).min(1e15) as i64);
        if self.skip_idle
            && let Some(next) = next_event
        {
            let limit = scaled(IDLE_LIMIT);
            if next - self.now > limit {
                self.now = next - limit;
            }
        }
        self.now = (self.now + scaled(wall)).min(self.end);
        if self.now >= self.end {
            self.playing = false;
        }
        self.now != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as Wall;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    #[test]
    fn plays_at_its_speed_and_stops_paused_at_the_end() {
        let mut c = Clock::new(t(0), t(100), t(0), 10.0);
        assert!(!c.tick(Wall::from_secs(1), None), "paused: the clock stands");
        c.toggle();
        assert!(c.tick(Wall::from_secs(1), None));
        assert_eq!(c.now, t(10));
        c.tick(Wall::from_secs(60), None);
        assert_eq!(c.now, t(100));
        assert!(!c.playing, "the replay stays at the end, paused");
        c.toggle();
        assert_eq!(c.now, t(0), "play at the end starts again");
    }

    #[test]
    fn idle_gaps_shrink_to_the_limit() {
        let mut c = Clock::new(t(0), t(10_000), t(0), 1.0);
        c.toggle();
        c.tick(Wall::from_millis(500), Some(t(3600)));
        assert_eq!(c.now, t(3600) - Duration::milliseconds(500));
        c.skip_idle = false;
        let mut c2 = Clock { now: t(0), ..c.clone() };
        c2.tick(Wall::from_millis(500), Some(t(3600)));
        assert_eq!(c2.now, t(0) + Duration::milliseconds(500));
    }

    #[test]
    fn speed_steps_stay_within_bounds() {
        let mut c = Clock::new(t(0), t(1), t(5), 1.0);
        assert_eq!(c.now, t(1), "the start is kept within the range");
        for _ in 0..20 {
            c.faster();
        }
        assert_eq!(c.speed(), 1000.0);
        for _ in 0..20 {
            c.slower();
        }
        assert_eq!(c.speed(), 0.25);
        assert_eq!(Clock::new(t(0), t(1), t(0), 7.0).speed(), 10.0);
    }
}
