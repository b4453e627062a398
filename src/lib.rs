//! attache: a terminal console for mission watch desks. The journal is the truth; the screen is
//! a fold over it (see `state`).

pub mod alerts;
pub mod brief;
pub mod checkin;
pub mod checkpoint;
pub mod cli;
pub mod config;
pub mod console;
pub mod cot_out;
pub mod demo;
pub mod desk;
pub mod desk_files;
pub mod domain;
pub mod event;
pub mod feeds;
pub mod handover;
pub mod journal;
pub mod journal_commands;
pub mod lock;
pub mod mission_status;
pub mod notify;
pub mod operator;
pub mod poll;
pub mod polling;
pub mod process;
pub mod reload;
pub mod replay;
pub mod review;
pub mod runtime;
pub mod state;
pub mod sync;
pub mod term;
pub mod text;
pub mod ui;
pub mod when;
pub mod words;
