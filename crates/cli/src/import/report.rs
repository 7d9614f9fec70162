//! What an adoption found and did, as `import router-secrets` and `import
//! radius-users` print it.

use headend_core::PlanId;
use headend_core::ServiceId;
use headend_core::provision::adoption::Adoption;
use serde::Serialize;

use crate::{Globals, output};

#[derive(Serialize)]
pub struct Report<'a> {
    router: &'a str,
    /// What was adopted: `secret` or `user`.
    #[serde(skip)]
    kind: &'static str,
    dry_run: bool,
    imported: bool,
    services: Vec<ServiceJson<'a>>,
    skipped: Vec<Reason<'a>>,
    errors: Vec<Reason<'a>>,
}

#[derive(Serialize)]
struct ServiceJson<'a> {
    id: Option<i64>,
    username: &'a str,
    customer: &'a str,
    plan: &'a str,
    status: &'static str,
}

#[derive(Serialize)]
struct Reason<'a> {
    name: &'a str,
    reason: &'a str,
}

impl<'a> Report<'a> {
    /// `ids` are the new services in the adoption's order (none for a dry
    /// run); `plan_name` names a plan.
    pub fn new(
        router: &'a str,
        kind: &'static str,
        dry_run: bool,
        adoption: &'a Adoption,
        ids: &[ServiceId],
        plan_name: &dyn Fn(PlanId) -> &'a str,
    ) -> Self {
        let imported = !ids.is_empty();
        let mut ids = ids.iter().map(|id| Some(id.0)).chain(std::iter::repeat(None));
        Report {
            router,
            kind,
            dry_run,
            imported,
            services: adoption
                .services
                .iter()
                .map(|(a, _)| ServiceJson {
                    id: ids.next().flatten(),
                    username: &a.username,
                    customer: &a.customer,
                    plan: plan_name(a.plan),
                    status: a.status.as_str(),
                })
                .collect(),
            skipped: adoption.skipped.iter().map(|(s, r)| Reason { name: s, reason: r }).collect(),
            errors: adoption.errors.iter().map(|(s, r)| Reason { name: s, reason: r }).collect(),
        }
    }

    pub fn print(&self, globals: &Globals) -> anyhow::Result<()> {
        if globals.json {
            return output::json(self);
        }
        for s in &self.services {
            output::line(format!(
                "{} {} for {} ({}, plan {})",
                match s.id {
                    Some(id) => format!("service {id}:"),
                    None => "would adopt".to_owned(),
                },
                output::safe(s.username),
                output::safe(s.customer),
                s.status,
                output::safe(s.plan),
            ))?;
        }
        for r in &self.skipped {
            output::line(format!("skipped {}: {}", output::safe(r.name), r.reason))?;
        }
        for r in &self.errors {
            eprintln!("{}: {}", output::safe(r.name), output::safe(r.reason));
        }
        if self.errors.is_empty() {
            output::line(format!(
                "{} {} {}(s) for {}{}",
                if self.imported { "Adopted" } else { "Would adopt" },
                self.services.len(),
                self.kind,
                output::safe(self.router),
                if self.imported { "; the next sweep takes them over" } else { " (dry run: nothing written)" },
            ))?;
        }
        Ok(())
    }
}
