//! Who is calling a command, from where, and the permission check every
//! command starts with.

use crate::error::StoreError;
use domain::platform::{Actor, Office, Permission, Role, Scope};

/// The actor of a command and the address the request came from.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub ip: Option<String>,
    /// The command line and demo seeding act as the system, which every
    /// permission admits. No HTTP request can produce such a caller.
    system: bool,
}

impl Caller {
    /// A signed-in user acting through a request from `ip`.
    pub fn user(actor: Actor, ip: Option<String>) -> Self {
        Caller {
            actor,
            ip,
            system: false,
        }
    }

    /// A visitor who has not signed in (a citizen at a studio's public
    /// form): no grants, recorded in events by address alone.
    pub fn anonymous(ip: Option<String>) -> Self {
        Caller {
            actor: Actor {
                user_id: 0,
                username: "anonymous".into(),
                display_name: String::new(),
                home_committee_id: 0,
                grants: vec![],
            },
            ip,
            system: false,
        }
    }

    /// Whether this is a visitor who has not signed in.
    pub fn is_anonymous(&self) -> bool {
        !self.system && self.actor.user_id == 0
    }

    /// The system itself (command line, demo seeding).
    pub fn system() -> Self {
        Caller {
            actor: Actor {
                user_id: 0,
                username: "system".into(),
                display_name: "system".into(),
                home_committee_id: 0,
                grants: vec![],
            },
            ip: None,
            system: true,
        }
    }

    /// Whether this is the system caller.
    pub fn is_system(&self) -> bool {
        self.system
    }

    /// Whether the caller is staff of this office of the committee (the
    /// system counts as every office's).
    pub fn works_in(&self, office: Office, committee_id: i64) -> bool {
        self.system
            || self.actor.grants.iter().any(|g| {
                g.role == Role::Staff
                    && g.committee_id == committee_id
                    && g.offices.contains(&office)
            })
    }

    /// Whether the caller may act; never an error.
    pub fn may(&self, permission: Permission, scope: &Scope) -> bool {
        self.system || self.actor.may(permission, scope)
    }

    /// Checks a permission on a record the caller has found. A caller who
    /// cannot even read the committee's organisation is told "not found", so
    /// another committee's records do not reveal themselves; one who can read
    /// but not act is told "forbidden".
    pub fn require(&self, permission: Permission, scope: &Scope) -> Result<(), StoreError> {
        if self.may(permission, scope) {
            Ok(())
        } else if self.may(Permission::ReadOrganisation, scope) {
            Err(StoreError::Forbidden)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The user id recorded in events, `None` for the system.
    pub fn actor_id(&self) -> Option<i64> {
        (!self.system && self.actor.user_id != 0).then_some(self.actor.user_id)
    }
}
