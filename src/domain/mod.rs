//! The desk's vocabulary in plain Rust: missions, contacts, feed items and their severities.
//! Nothing here knows about terminals, files or networks.

mod channel;
mod contact;
mod geo;
mod item;
mod mission;
mod region;
mod rollcall;
mod severity;

pub use channel::{CHANNELS, channel};
pub use contact::{CheckIn, Contact, ContactRole, Workdays, WorkingHours};
pub use geo::{Area, LatLon, distance_km};
pub use item::{FeedItem, ItemKey, Location, Traffic};
pub use mission::{Mission, MissionKind, MissionStatus};
pub use region::{Placed, Reach, Reaches, Region, gap_km, location_gap_km};
pub use rollcall::Answer;
pub use severity::Severity;
