//! `custody assign` and `custody grant`: posts and another role, recorded as co-signed events.

use crate::cli::{AssignCmd, GrantArgs};
use crate::fail::{Fail, input};
use custody::event::{Assignment, Event, Grant, RoomPost};
use custody::roster::Role;
use custody::time::Timestamp;
use std::path::Path;

pub fn assign(dir: &Path, cmd: AssignCmd) -> Result<u8, Fail> {
    match cmd {
        AssignCmd::Site(a) => {
            let rooms = a
                .rooms
                .iter()
                .map(|r| room(r))
                .collect::<Result<Vec<_>, _>>()?;
            crate::record(dir, &a.sign, |_| {
                Ok(Event::Assign(Assignment::Site {
                    session: a.session.clone(),
                    site: a.site.clone(),
                    chief: a.chief.clone(),
                    rooms,
                }))
            })
        }
        AssignCmd::Duty(a) => crate::record(dir, &a.sign, |peek| {
            let when = |t: &str, flag: &str| {
                Timestamp::parse(t, &peek.time_zone).map_err(|e| input(format!("{flag}: {e}")))
            };
            Ok(Event::Assign(Assignment::Duty {
                cabinet: a.cabinet.clone(),
                from: when(&a.from, "--from")?,
                until: when(&a.until, "--until")?,
                custodians: a.custodians.clone(),
                supervisors: a.supervisors.clone(),
            }))
        }),
    }
}

/// `ROOM=ID[,ID...]`: a room and its invigilators.
fn room(text: &str) -> Result<RoomPost, Fail> {
    let (room, ids) = text
        .split_once('=')
        .ok_or_else(|| input(format!("--room {text:?}: give ROOM=ID[,ID...]")))?;
    Ok(RoomPost {
        room: room.trim().to_string(),
        invigilators: ids
            .split(',')
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty())
            .collect(),
    })
}

pub fn grant(dir: &Path, a: GrantArgs) -> Result<u8, Fail> {
    let role = a.role.parse::<Role>().map_err(input)?;
    crate::record(dir, &a.sign, |_| {
        Ok(Event::Grant(Grant {
            id: a.id.clone(),
            role,
        }))
    })
}
