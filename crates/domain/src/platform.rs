//! What every area shares: committees and their levels, the bodies inside a
//! committee, roles and the permission rules that decide who may do what.

use crate::validate::{self, Errors, FieldError};
use serde::{Deserialize, Serialize};

/// Generates a string-backed enum with `as_str`, `parse` and `ALL`.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code stored in the database and used in the API.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),+ } }
            /// Parses a stable code.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some($name::$variant),)+ _ => None } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// The level of a committee in the tree (三级政协, with the national one above).
    Level { National = "national", Regional = "regional", City = "city", County = "county" }
}

impl Level {
    /// Lower is higher up the tree.
    pub fn rank(self) -> u8 {
        match self {
            Level::National => 0,
            Level::Regional => 1,
            Level::City => 2,
            Level::County => 3,
        }
    }

    /// Whether a committee of level `child` may sit directly under one of `self`.
    pub fn may_contain(self, child: Level) -> bool {
        child.rank() > self.rank()
    }
}

string_enum! {
    /// A role, always held in one committee.
    Role {
        Admin = "admin",
        Staff = "staff",
        Member = "member",
        UnitOfficer = "unit_officer",
        Leader = "leader",
        Citizen = "citizen",
    }
}

string_enum! {
    /// The offices a staff role works in.
    Office { Proposals = "proposals", Information = "information", Consultation = "consultation", Liaison = "liaison" }
}

string_enum! {
    /// The kinds of body inside a committee that share one shape.
    BodyKind {
        /// 界别
        Sector = "sector",
        /// 专门委员会
        SpecialCommittee = "special_committee",
        /// 参加单位: 民主党派, 工商联, 人民团体 ...
        Party = "party",
        /// 承办单位
        Unit = "unit",
        /// 界别委员工作室: a studio where members meet citizens.
        Studio = "studio",
        /// 联络组: a liaison group at township or street level.
        LiaisonGroup = "liaison_group",
    }
}

string_enum! {
    /// What sort of participating party or group a party body is.
    PartyType {
        DemocraticParty = "democratic_party",
        Cpc = "cpc",
        Federation = "federation",
        PeopleOrganisation = "people_organisation",
        NonPartisan = "non_partisan",
    }
}

string_enum! {
    /// What sort of organisation a handling unit is.
    UnitType {
        PartyOrgan = "party_organ",
        Government = "government",
        JudicialOrgan = "judicial_organ",
        PeopleOrganisation = "people_organisation",
        Enterprise = "enterprise",
        Other = "other",
    }
}

impl BodyKind {
    /// The allowed values of the `kind` field for this sort of body; empty
    /// means the field is not used.
    pub fn subtypes(self) -> &'static [&'static str] {
        const PARTY: &[&str] = &[
            "democratic_party",
            "cpc",
            "federation",
            "people_organisation",
            "non_partisan",
        ];
        const UNIT: &[&str] = &[
            "party_organ",
            "government",
            "judicial_organ",
            "people_organisation",
            "enterprise",
            "other",
        ];
        match self {
            BodyKind::Party => PARTY,
            BodyKind::Unit => UNIT,
            BodyKind::Sector
            | BodyKind::SpecialCommittee
            | BodyKind::Studio
            | BodyKind::LiaisonGroup => &[],
        }
    }
}

/// One role held by a user, in one committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub committee_id: i64,
    /// For unit officers: the handling unit they act for.
    pub unit_id: Option<i64>,
    /// For staff: the offices they work in.
    pub offices: Vec<Office>,
}

/// Who is acting: a signed-in user with their grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// The committee the account belongs to.
    pub home_committee_id: i64,
    pub grants: Vec<Grant>,
}

/// The committee a record lives in, with the path of committees above it
/// (root first, the committee itself last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub path: Vec<i64>,
}

impl Scope {
    /// The committee the record belongs to.
    pub fn committee_id(&self) -> i64 {
        self.path.last().copied().unwrap_or(0)
    }
}

/// Everything the platform checks permission for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See a committee and the bodies in it (sectors, parties, units ...).
    ReadOrganisation,
    /// See member profiles and user accounts.
    ReadPeople,
    /// Create and edit committees below, bodies, members and users; grant roles.
    Administer,
    /// Browse the audit trail.
    ReadAudit,
}

impl Actor {
    /// Whether the actor holds `role` in exactly this committee.
    pub fn holds(&self, role: Role, committee_id: i64) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.committee_id == committee_id)
    }

    /// Whether the actor is an admin of the scope's committee or of one above it.
    fn administers(&self, scope: &Scope) -> bool {
        scope.path.iter().any(|c| self.holds(Role::Admin, *c))
    }

    /// The single permission rule of the platform. Admins reach their own
    /// committee and every committee below it; every other role reaches only
    /// the committee it is held in. A refusal is reported to clients as "not
    /// found", so that records of other committees do not reveal themselves.
    pub fn may(&self, permission: Permission, scope: &Scope) -> bool {
        if self.administers(scope) {
            return true;
        }
        let here = scope.committee_id();
        let has = |r: Role| self.holds(r, here);
        match permission {
            Permission::ReadOrganisation => self.grants.iter().any(|g| g.committee_id == here),
            Permission::ReadPeople => has(Role::Staff) || has(Role::Leader),
            Permission::Administer | Permission::ReadAudit => false,
        }
    }

    /// The committees the actor's grants name, without repeats, in grant order.
    pub fn committees(&self) -> Vec<i64> {
        let mut out: Vec<i64> = Vec::new();
        for g in &self.grants {
            if !out.contains(&g.committee_id) {
                out.push(g.committee_id);
            }
        }
        if out.is_empty() {
            out.push(self.home_committee_id);
        }
        out
    }

    /// Whether any grant is of this role.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

/// A committee as submitted by a form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommitteeInput {
    pub name: String,
    pub short_name: Option<String>,
    pub level: String,
    pub parent_id: Option<i64>,
    pub region_code: Option<String>,
}

/// A validated committee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeForm {
    pub name: String,
    pub short_name: Option<String>,
    pub level: Level,
    pub parent_id: Option<i64>,
    pub region_code: Option<String>,
}

impl CommitteeInput {
    /// Checks the fields; `parent_level` is the level of the chosen parent, if any.
    pub fn validate(&self, parent_level: Option<Level>) -> Result<CommitteeForm, Vec<FieldError>> {
        let mut e = Errors::default();
        let name = e.required_text("name", &self.name, 100);
        let short_name = e.optional_text("short_name", self.short_name.as_deref(), 30);
        let region_code = e.optional_text("region_code", self.region_code.as_deref(), 12);
        if let Some(code) = &region_code
            && !code.chars().all(|c| c.is_ascii_digit())
        {
            e.add("region_code", "invalid_format");
        }
        let level = Level::parse(self.level.trim());
        match (level, parent_level) {
            (None, _) => e.add("level", "invalid_choice"),
            (Some(l), Some(p)) if !p.may_contain(l) => e.add("level", "level_below_parent"),
            _ => {}
        }
        e.finish()?;
        Ok(CommitteeForm {
            name,
            short_name,
            level: level.unwrap_or(Level::County),
            parent_id: self.parent_id,
            region_code,
        })
    }
}

/// A body inside a committee (sector, special committee, party, unit) as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BodyInput {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: Option<String>,
    pub sort_order: Option<i64>,
    pub contact: Option<String>,
    pub active: Option<bool>,
}

/// A validated body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyForm {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: Option<String>,
    pub sort_order: i64,
    pub contact: Option<String>,
    pub active: bool,
}

impl BodyInput {
    /// Checks the fields for a body of sort `body`.
    pub fn validate(&self, body: BodyKind) -> Result<BodyForm, Vec<FieldError>> {
        let mut e = Errors::default();
        let name = e.required_text("name", &self.name, 100);
        let short_name = e.optional_text("short_name", self.short_name.as_deref(), 30);
        let contact = e.optional_text("contact", self.contact.as_deref(), 200);
        let kind = e.optional_text("kind", self.kind.as_deref(), 40);
        let allowed = body.subtypes();
        match &kind {
            Some(k) if !allowed.contains(&k.as_str()) => e.add("kind", "invalid_choice"),
            None if !allowed.is_empty() => e.add("kind", "required"),
            _ => {}
        }
        let sort_order = self.sort_order.unwrap_or(0);
        e.in_range("sort_order", sort_order, 0..=100_000);
        e.finish()?;
        Ok(BodyForm {
            name,
            short_name,
            kind,
            sort_order,
            contact,
            active: self.active.unwrap_or(true),
        })
    }
}

/// A new user account as submitted by an admin.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub committee_id: i64,
    pub email: Option<String>,
}

/// A validated new user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub committee_id: i64,
    pub email: Option<String>,
}

impl NewUserInput {
    /// Checks the fields.
    pub fn validate(&self) -> Result<NewUserForm, Vec<FieldError>> {
        let mut e = Errors::default();
        let username = self.username.trim().to_ascii_lowercase();
        if username.is_empty() {
            e.add("username", "required");
        } else if !validate::is_valid_username(&username) {
            e.add("username", "invalid_username");
        }
        let display_name = e.required_text("display_name", &self.display_name, 50);
        if let Some(code) = validate::password_problem(&self.password) {
            e.add("password", code);
        }
        let email = e.optional_text("email", self.email.as_deref(), 254);
        if email
            .as_deref()
            .is_some_and(|m| !validate::is_valid_email(m))
        {
            e.add("email", "invalid_email");
        }
        e.finish()?;
        Ok(NewUserForm {
            username,
            display_name,
            password: self.password.clone(),
            committee_id: self.committee_id,
            email,
        })
    }
}

/// A role to grant, as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GrantInput {
    pub role: String,
    pub committee_id: i64,
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub offices: Vec<String>,
}

impl GrantInput {
    /// Checks the fields: staff need at least one office, unit officers a unit,
    /// and no other role takes either.
    pub fn validate(&self) -> Result<Grant, Vec<FieldError>> {
        let mut e = Errors::default();
        let role = Role::parse(self.role.trim());
        if role.is_none() {
            e.add("role", "invalid_choice");
        }
        let mut offices = Vec::new();
        for o in &self.offices {
            match Office::parse(o.trim()) {
                Some(o) if !offices.contains(&o) => offices.push(o),
                Some(_) => {}
                None => e.add("offices", "invalid_choice"),
            }
        }
        match role {
            Some(Role::Staff) if offices.is_empty() => e.add("offices", "required"),
            Some(r) if r != Role::Staff && !offices.is_empty() => e.add("offices", "not_for_role"),
            _ => {}
        }
        match role {
            Some(Role::UnitOfficer) if self.unit_id.is_none() => e.add("unit_id", "required"),
            Some(r) if r != Role::UnitOfficer && self.unit_id.is_some() => {
                e.add("unit_id", "not_for_role")
            }
            _ => {}
        }
        e.finish()?;
        offices.sort();
        Ok(Grant {
            role: role.unwrap_or(Role::Citizen),
            committee_id: self.committee_id,
            unit_id: self.unit_id,
            offices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: Vec<(Role, i64)>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            home_committee_id: 1,
            grants: grants
                .into_iter()
                .map(|(role, committee_id)| Grant {
                    role,
                    committee_id,
                    unit_id: None,
                    offices: vec![],
                })
                .collect(),
        }
    }

    // Tree: 1 regional > 2 city > 3 county; 4 another county under 1.
    fn scope(c: i64) -> Scope {
        Scope {
            path: match c {
                1 => vec![1],
                2 => vec![1, 2],
                3 => vec![1, 2, 3],
                _ => vec![1, 4],
            },
        }
    }

    #[test]
    fn every_role_and_permission_against_own_above_and_below() {
        use Permission::*;
        let perms = [ReadOrganisation, ReadPeople, Administer, ReadAudit];
        // (role, held in, asked about, [expected per permission])
        let cases: &[(Role, i64, i64, [bool; 4])] = &[
            (Role::Admin, 1, 1, [true; 4]),
            (Role::Admin, 1, 3, [true; 4]),
            (Role::Admin, 2, 3, [true; 4]),
            (Role::Admin, 2, 1, [false; 4]),
            (Role::Admin, 2, 4, [false; 4]),
            (Role::Staff, 3, 3, [true, true, false, false]),
            (Role::Staff, 3, 1, [false; 4]),
            (Role::Staff, 1, 3, [false; 4]),
            (Role::Leader, 1, 1, [true, true, false, false]),
            (Role::Leader, 1, 2, [false; 4]),
            (Role::Member, 1, 1, [true, false, false, false]),
            (Role::Member, 1, 4, [false; 4]),
            (Role::UnitOfficer, 1, 1, [true, false, false, false]),
            (Role::Citizen, 1, 1, [true, false, false, false]),
            (Role::Citizen, 4, 1, [false; 4]),
        ];
        for (role, held, asked, expect) in cases {
            let a = actor(vec![(*role, *held)]);
            for (p, want) in perms.iter().zip(expect) {
                assert_eq!(
                    a.may(*p, &scope(*asked)),
                    *want,
                    "{role:?} in {held} asking {p:?} on {asked}"
                );
            }
        }
        let nobody = actor(vec![]);
        for p in perms {
            assert!(!nobody.may(p, &scope(1)));
        }
    }

    #[test]
    fn levels_nest_downwards_only() {
        assert!(Level::Regional.may_contain(Level::City));
        assert!(Level::Regional.may_contain(Level::County));
        assert!(!Level::City.may_contain(Level::City));
        assert!(!Level::County.may_contain(Level::Regional));
        let bad = CommitteeInput {
            name: "x".into(),
            level: "regional".into(),
            ..Default::default()
        }
        .validate(Some(Level::City))
        .unwrap_err();
        assert_eq!(bad[0].code, "level_below_parent");
        let bad = CommitteeInput {
            name: "".into(),
            level: "town".into(),
            region_code: Some("12a".into()),
            ..Default::default()
        }
        .validate(None)
        .unwrap_err();
        assert_eq!(bad.len(), 3);
    }

    #[test]
    fn bodies_need_a_kind_only_where_they_have_kinds() {
        let ok = BodyInput {
            name: "经济界".into(),
            ..Default::default()
        }
        .validate(BodyKind::Sector);
        assert!(ok.is_ok());
        let e = BodyInput {
            name: "民革".into(),
            ..Default::default()
        }
        .validate(BodyKind::Party)
        .unwrap_err();
        assert_eq!(
            e[0],
            FieldError {
                field: "kind",
                code: "required"
            }
        );
        let e = BodyInput {
            name: "x".into(),
            kind: Some("cpc".into()),
            ..Default::default()
        }
        .validate(BodyKind::Sector)
        .unwrap_err();
        assert_eq!(e[0].code, "invalid_choice");
        let e = BodyInput {
            name: "x".into(),
            kind: Some("government".into()),
            sort_order: Some(-1),
            ..Default::default()
        }
        .validate(BodyKind::Unit)
        .unwrap_err();
        assert_eq!(e[0].field, "sort_order");
    }

    #[test]
    fn grants_match_their_role() {
        let g = |role: &str, unit: Option<i64>, offices: &[&str]| {
            GrantInput {
                role: role.into(),
                committee_id: 1,
                unit_id: unit,
                offices: offices.iter().map(|s| s.to_string()).collect(),
            }
            .validate()
        };
        assert!(g("staff", None, &["proposals", "information"]).is_ok());
        assert_eq!(g("staff", None, &[]).unwrap_err()[0].field, "offices");
        assert_eq!(
            g("staff", None, &["kitchen"]).unwrap_err()[0].code,
            "invalid_choice"
        );
        assert!(g("unit_officer", Some(3), &[]).is_ok());
        assert_eq!(
            g("unit_officer", None, &[]).unwrap_err()[0].field,
            "unit_id"
        );
        assert_eq!(
            g("member", Some(3), &[]).unwrap_err()[0].code,
            "not_for_role"
        );
        assert_eq!(
            g("member", None, &["proposals"]).unwrap_err()[0].code,
            "not_for_role"
        );
        assert_eq!(g("king", None, &[]).unwrap_err()[0].field, "role");
    }

    #[test]
    fn new_users_are_checked() {
        let u = NewUserInput {
            username: " Staff2 ".into(),
            display_name: "王".into(),
            password: "long enough".into(),
            committee_id: 1,
            email: Some("w@x.cn".into()),
        };
        assert_eq!(u.validate().unwrap().username, "staff2");
        let bad = NewUserInput {
            username: "王五".into(),
            password: "1".into(),
            email: Some("x".into()),
            ..u
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["username", "password", "email"]);
    }
}
