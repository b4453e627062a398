use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactRole {
    DefenseAttache,
    NavalAttache,
    AirAttache,
    ArmyAttache,
    LiaisonOfficer,
    CivMilCoordinator,
    HostNationCounterpart,
}

impl ContactRole {
    pub fn label(self) -> &'static str {
        match self {
            ContactRole::DefenseAttache => "DATT",
            ContactRole::NavalAttache => "NAVATT",
            ContactRole::AirAttache => "AIRATT",
            ContactRole::ArmyAttache => "ARMYATT",
            ContactRole::LiaisonOfficer => "LNO",
            ContactRole::CivMilCoordinator => "CIMIC",
            ContactRole::HostNationCounterpart => "HN",
        }
    }
}

/// A contact's working day in their own zone, e.g. 08:00-17:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl WorkingHours {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("bad working hours `{text}` (expected HH:MM-HH:MM, e.g. 08:00-17:00)");
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let start = NaiveTime::parse_from_str(start.trim(), "%H:%M").map_err(|_| bad())?;
        let end = NaiveTime::parse_from_str(end.trim(), "%H:%M").map_err(|_| bad())?;
        Ok(Self { start, end })
    }

    /// As written in `contacts.toml`: `08:00-17:00`.
    pub fn label(&self) -> String {
        format!("{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }

    /// True inside the hours; an overnight span such as 22:00-06:00 wraps past midnight.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}

/// The days a post works: Mon-Fri in most capitals, Sun-Thu in much of the Middle East.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Workdays {
    first: Weekday,
    last: Weekday,
}

impl Default for Workdays {
    fn default() -> Self {
        Self { first: Weekday::Mon, last: Weekday::Fri }
    }
}

impl Workdays {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("bad workdays `{text}` (expected a day range such as Mon-Fri or Sun-Thu)");
        let (first, last) = text.split_once('-').ok_or_else(bad)?;
        let first = first.trim().parse::<Weekday>().map_err(|_| bad())?;
        let last = last.trim().parse::<Weekday>().map_err(|_| bad())?;
        Ok(Self { first, last })
    }

    /// As written in `contacts.toml`: `Mon-Fri`.
    pub fn label(&self) -> String {
        format!("{}-{}", self.first, self.last)
    }

    pub fn contains(&self, day: Weekday) -> bool {
        let span = (7 + self.last.num_days_from_monday() - self.first.num_days_from_monday()) % 7;
        let offset = (7 + day.num_days_from_monday() - self.first.num_days_from_monday()) % 7;
        offset <= span
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    /// The short handle scripts name the contact by (`attache checkin ID`), unique on the desk.
    /// Records name contacts by `name`, as they always have.
    pub id: Option<String>,
    pub name: String,
    pub role: ContactRole,
    pub rank: Option<String>,
    pub post: String,
    pub country: String,
    pub tz: Tz,
    pub languages: Vec<String>,
    pub channels: Vec<String>,
    pub hours: WorkingHours,
    pub workdays: Workdays,
    pub check_in_every: Duration,
    /// Last contact known from configuration; check-ins in the journal supersede it.
    pub last_contact: Option<DateTime<Utc>>,
    /// Where the post is, if configured; rules with `near_contact_km` use it.
    pub post_location: Option<super::LatLon>,
    pub missions: Vec<String>,
}

/// Where a contact stands for a call and a check-in at a given moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIn {
    pub local: DateTime<Tz>,
    pub on_duty: bool,
    /// How long past due the check-in is; `None` while still within the cadence.
    pub overdue_by: Option<chrono::Duration>,
    /// When the next check-in falls due (None if there has never been contact).
    pub due: Option<DateTime<Utc>>,
}

impl Contact {
    /// Whether `text` names this contact: its id, or its name exactly as written.
    pub fn answers_to(&self, text: &str) -> bool {
        self.id.as_deref() == Some(text) || self.name == text
    }

    pub fn status_at(&self, now: DateTime<Utc>, last: Option<DateTime<Utc>>) -> CheckIn {
        let local = now.with_timezone(&self.tz);
        let on_duty = self.workdays.contains(local.weekday()) && self.hours.contains(local.time());
        let cadence = chrono::Duration::from_std(self.check_in_every).unwrap_or(chrono::Duration::MAX);
        let due = last.and_then(|t| t.checked_add_signed(cadence));
        let overdue_by = match due {
            Some(due) if now > due => Some(now - due),
            Some(_) => None,
            // Never contacted: overdue from the start, by an unknown amount.
            None => Some(chrono::Duration::zero()),
        };
        CheckIn { local, on_duty, overdue_by, due }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_parse_and_wrap_midnight() {
        let day = WorkingHours::parse("08:00-17:00").unwrap();
        assert!(day.contains(NaiveTime::from_hms_opt(9, 0, 0).unwrap()));
        assert!(!day.contains(NaiveTime::from_hms_opt(17, 0, 0).unwrap()));
        let night = WorkingHours::parse("22:00-06:00").unwrap();
        assert!(night.contains(NaiveTime::from_hms_opt(23, 30, 0).unwrap()));
        assert!(night.contains(NaiveTime::from_hms_opt(5, 59, 0).unwrap()));
        assert!(!night.contains(NaiveTime::from_hms_opt(12, 0, 0).unwrap()));
        assert!(WorkingHours::parse("8-17").is_err());
    }

    #[test]
    fn workdays_wrap_the_week() {
        let gulf = Workdays::parse("Sun-Thu").unwrap();
        assert!(gulf.contains(Weekday::Sun));
        assert!(gulf.contains(Weekday::Thu));
        assert!(!gulf.contains(Weekday::Fri));
        let west = Workdays::default();
        assert!(west.contains(Weekday::Mon) && !west.contains(Weekday::Sat));
    }
}
