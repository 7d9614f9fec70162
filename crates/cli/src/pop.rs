//! `headend pop list | rename OLD NEW`: the sites routers and OLTs stand
//! in (a POP is made by `router add --pop` or `olt add --pop`).

use headend_core::activity::Actor;
use serde::Serialize;

use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Every POP with its routers and OLTs.
    List,
    /// Rename a POP.
    Rename {
        /// Its name now.
        old: String,
        /// Its new name.
        new: String,
    },
}

#[derive(Serialize)]
struct PopJson {
    id: i64,
    name: String,
    routers: u32,
    olts: u32,
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    match command {
        Command::List => {
            let pops: Vec<PopJson> = w
                .pops()
                .await?
                .into_iter()
                .map(|p| PopJson { id: p.pop.id.0, name: p.pop.name, routers: p.routers, olts: p.olts })
                .collect();
            if globals.json {
                return output::json(&pops);
            }
            if pops.is_empty() {
                output::line("No POPs yet: `router add --pop NAME` makes one.")?;
                return Ok(());
            }
            for p in &pops {
                output::line(format!("{}: {} router(s), {} OLT(s)", output::safe(&p.name), p.routers, p.olts))?;
            }
            Ok(())
        }
        Command::Rename { old, new } => {
            let pop = w.pop_named(&old).await?;
            let renamed = w.rename_pop(&Actor::Cli, pop.id, &new).await?;
            if globals.json {
                return output::json(&PopJson { id: renamed.id.0, name: renamed.name, routers: 0, olts: 0 });
            }
            output::line(format!("POP {} is now {}.", output::safe(&old), output::safe(&renamed.name)))?;
            Ok(())
        }
    }
}
