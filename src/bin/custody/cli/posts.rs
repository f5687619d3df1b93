//! Posts and roles: assign (who serves where) and grant (another role for a keyholder).

use super::*;
use clap::{Args, Subcommand};

#[derive(Subcommand, Debug)]
pub enum AssignCmd {
    /// A session's posts at one site: its chief examiner and the invigilators of its rooms
    /// (that site's chief examiner + a supervisor, or two admins).
    #[command(
        after_help = "Example:\n  custody assign site --session yuwen --site 第一中学 --chief chief1 --room 第01考场=inv1,inv2 \\\n      --sign chief1.key --sign sup1.key"
    )]
    Site(AssignSiteArgs),
    /// Custodians and supervisors on duty in the confidentiality room, or at one cabinet, for a
    /// period (two admins).
    #[command(
        after_help = "Example:\n  custody assign duty --from 2026-06-06T08:00 --until 2026-06-06T18:00 --custodian cust1 --supervisor sup1 \\\n      --sign admin1.key --sign admin2.key"
    )]
    Duty(AssignDutyArgs),
}

#[derive(Args, Debug)]
pub struct AssignSiteArgs {
    /// The session.
    #[arg(long)]
    pub session: String,
    /// The exam site.
    #[arg(long)]
    pub site: String,
    /// The site's chief examiner for the session (keyholder id).
    #[arg(long, value_name = "ID")]
    pub chief: Option<String>,
    /// A room and its invigilators, as ROOM=ID[,ID...]; repeat for each room.
    #[arg(long = "room", value_name = "ROOM=ID,ID")]
    pub rooms: Vec<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct AssignDutyArgs {
    /// The cabinet; without it, the confidentiality room as a whole.
    #[arg(long)]
    pub cabinet: Option<String>,
    /// Start of the duty (RFC 3339; without an offset, the exam's zone).
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// End of the duty.
    #[arg(long, value_name = "TIME")]
    pub until: String,
    /// A custodian on duty (keyholder id); repeat for each.
    #[arg(long = "custodian", value_name = "ID", required = true)]
    pub custodians: Vec<String>,
    /// A supervisor on duty (keyholder id); repeat for each.
    #[arg(long = "supervisor", value_name = "ID")]
    pub supervisors: Vec<String>,
    #[command(flatten)]
    pub sign: SignArgs,
}

#[derive(Args, Debug)]
pub struct GrantArgs {
    /// The keyholder who gets the role.
    pub id: String,
    /// The role: admin, custodian, supervisor, escort, police, chief_examiner, invigilator.
    #[arg(long)]
    pub role: String,
    #[command(flatten)]
    pub sign: SignArgs,
}
