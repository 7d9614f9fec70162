//! Onboarding an existing network: services from a spreadsheet, and the
//! PPP secrets already on a router. Both are all or nothing: every problem
//! is reported with its line or secret, and if there is any, nothing is
//! written.

use std::collections::{BTreeSet, HashMap, HashSet};

use headend_core::activity::Actor;
use headend_core::plan::Plan;
use headend_core::provision::Password;
use headend_core::provision::adoption::{Adoption, RouterSecret, adopt};
use headend_core::router::Router;
use headend_core::service::Access;
use headend_core::{PlanId, RouterId, ServiceId};
use headend_fleet::Connector;
use headend_routeros::ops::RouterApi;
use headend_store::{CheckedImport, ImportService};

use crate::{WorkflowError, Workflows};

/// What importing a services file found, and did.
#[derive(Debug)]
pub struct ServicesImport {
    pub checked: CheckedImport,
    /// The new services, in the file's order; empty when nothing was
    /// imported (a dry run, or a file with problems).
    pub ids: Vec<ServiceId>,
    /// The routers of the new services.
    pub routers: BTreeSet<RouterId>,
}

/// What adopting a router's secrets found, and did.
#[derive(Debug)]
pub struct SecretsAdoption {
    pub router: Router,
    pub adoption: Adoption,
    pub plans: Vec<Plan>,
    /// Profiles on the router that no plan means yet (sorted): what the
    /// plan map must name.
    pub unmapped_profiles: Vec<String>,
    /// The new services, in the adoption's order; empty when nothing was
    /// imported.
    pub ids: Vec<ServiceId>,
}

impl SecretsAdoption {
    pub fn plan_name(&self, id: PlanId) -> &str {
        self.plans.iter().find(|p| p.id == id).map_or("?", |p| p.name.as_str())
    }
}

impl Workflows {
    /// Imports what an adoption (a router's secrets, FreeRADIUS's users)
    /// takes over: adopted PPPoE services of `router`, their passwords
    /// encrypted, in one transaction; the router is swept.
    pub(crate) async fn import_adopted(
        &self,
        actor: &Actor,
        router: RouterId,
        adoption: &Adoption,
    ) -> Result<Vec<ServiceId>, WorkflowError> {
        let cipher = self.cipher().await?;
        let rows: Vec<ImportService> = adoption
            .services
            .iter()
            .map(|(a, password)| ImportService {
                customer_name: a.customer.clone(),
                customer_phone: None,
                router,
                plan: a.plan,
                access: Access::Pppoe { username: a.username.clone(), address: a.address },
                password: Some(cipher.encrypt(password)),
                status: a.status,
                next_billing_date: None,
                adopt: true,
                customer_address: None,
                customer_location: None,
            })
            .collect();
        let ids = self.store.import_services(&rows, self.now(), actor).await?;
        self.sweep(router);
        Ok(ids)
    }

    /// Checks a services CSV against the database and, unless it is a dry
    /// run or anything is wrong, imports every row in one transaction.
    pub async fn import_services(
        &self,
        actor: &Actor,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ServicesImport, WorkflowError> {
        let checked = self.store.check_import(bytes).await?;
        let routers: BTreeSet<RouterId> = checked.rows.iter().map(|r| r.router).collect();
        if dry_run || !checked.errors.is_empty() || checked.rows.is_empty() {
            return Ok(ServicesImport { checked, ids: Vec::new(), routers });
        }
        let cipher =
            if checked.rows.iter().any(|r| r.row.password.is_some()) { Some(self.cipher().await?) } else { None };
        let services: Vec<ImportService> = checked
            .rows
            .iter()
            .map(|r| {
                let password = cipher.as_ref().zip(r.row.password.as_ref()).map(|(c, p)| c.encrypt(p));
                ImportService::from_checked(r, password)
            })
            .collect();
        let ids = self.store.import_services(&services, self.now(), actor).await?;
        routers.iter().for_each(|r| self.sweep(*r));
        Ok(ServicesImport { checked, ids, routers })
    }

    /// The PPP secrets already on `router` become customers and services
    /// that Headend adopts (the next sweep marks them; nothing is removed
    /// or renamed). `plan_map` maps router profiles to plan names, on top
    /// of the plans' own profiles.
    pub async fn adopt_router_secrets(
        &self,
        actor: &Actor,
        router: RouterId,
        plan_map: &[(String, String)],
        dry_run: bool,
    ) -> Result<SecretsAdoption, WorkflowError> {
        let router = self.router(router).await?;
        let plans = self.store.plans().await?;
        let plan_names: HashMap<&str, PlanId> = plans.iter().map(|p| (p.name.as_str(), p.id)).collect();
        let mut by_profile: HashMap<String, PlanId> = plans.iter().map(|p| (p.profile.clone(), p.id)).collect();
        for (profile, plan) in plan_map {
            let id = plan_names.get(plan.as_str()).ok_or_else(|| {
                WorkflowError::invalid("plan_map", format!("the plan map names an unknown plan {plan:?}"))
            })?;
            by_profile.insert(profile.clone(), *id);
        }

        let secrets = self.secrets().await?;
        let link = Connector::new(self.store.clone(), secrets)
            .connect(&router)
            .await
            .map_err(|e| WorkflowError::Router(e.to_string()))?;
        let listed = link.ppp_secrets().await;
        link.close();
        let listed =
            listed.map_err(|e| WorkflowError::Router(format!("reading the secrets of {}: {e}", router.name)))?;
        let text = |v: &headend_routeros::Value| v.to_string_lossy_cp1252().into_owned();
        let listed: Vec<RouterSecret> = listed
            .into_iter()
            .map(|s| RouterSecret {
                name: text(&s.name),
                password: s.password.map(|p| Password::new(text(p.expose()))),
                service: text(&s.service),
                profile: text(&s.profile),
                remote_address: s.remote_address.as_ref().map(text),
                disabled: s.disabled,
                comment: s.comment.as_ref().map(text),
            })
            .collect();
        let mut existing = HashSet::new();
        for s in &listed {
            if self.store.pppoe_user(router.id, &s.name).await?.is_some() {
                existing.insert(s.name.clone());
            }
        }
        let unmapped_profiles: Vec<String> = listed
            .iter()
            .filter(|s| !by_profile.contains_key(&s.profile))
            .map(|s| s.profile.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let adoption = adopt(listed, &|profile| by_profile.get(profile).copied(), &|name| existing.contains(name));
        if !adoption.errors.is_empty() || dry_run {
            return Ok(SecretsAdoption { router, adoption, plans, unmapped_profiles, ids: Vec::new() });
        }
        let ids = self.import_adopted(actor, router.id, &adoption).await?;
        Ok(SecretsAdoption { router, adoption, plans, unmapped_profiles, ids })
    }
}
