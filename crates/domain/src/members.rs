//! Members (委员): their profile and its validation.

use crate::platform::string_enum;
use crate::validate::{self, Errors, FieldError};
use serde::{Deserialize, Serialize};

string_enum! {
    /// Gender as recorded in a member's profile.
    Gender { Male = "male", Female = "female" }
}

string_enum! {
    /// Political affiliation (政治面貌) as recorded in a member's profile.
    Affiliation {
        Cpc = "cpc",
        Rcck = "rcck",
        Cdl = "cdl",
        Cndca = "cndca",
        Capd = "capd",
        Cpwdp = "cpwdp",
        Zhigong = "zhigong",
        Jiusan = "jiusan",
        Tdsgl = "tdsgl",
        NonPartisan = "non_partisan",
        None = "none",
    }
}

/// The 56 ethnic groups, as written in member profiles.
pub const ETHNICITIES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// A member's profile as submitted by a form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberInput {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_year: Option<i64>,
    pub affiliation: String,
    pub sector_id: Option<i64>,
    pub special_committee_id: Option<i64>,
    pub occupation: Option<String>,
    pub term: Option<i64>,
    pub standing: Option<bool>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub active: Option<bool>,
}

/// A validated member profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberForm {
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_year: i64,
    pub affiliation: Affiliation,
    pub sector_id: Option<i64>,
    pub special_committee_id: Option<i64>,
    pub occupation: Option<String>,
    pub term: i64,
    pub standing: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub active: bool,
}

impl MemberInput {
    /// Checks every field; `this_year` bounds the birth year.
    pub fn validate(&self, this_year: i64) -> Result<MemberForm, Vec<FieldError>> {
        let mut e = Errors::default();
        let name = e.required_text("name", &self.name, 50);
        let gender = Gender::parse(self.gender.trim());
        if gender.is_none() {
            e.add("gender", "invalid_choice");
        }
        let ethnicity = self.ethnicity.trim().to_string();
        if ethnicity.is_empty() {
            e.add("ethnicity", "required");
        } else if !ETHNICITIES.contains(&ethnicity.as_str()) {
            e.add("ethnicity", "invalid_choice");
        }
        let birth_year = self.birth_year.unwrap_or(0);
        if self.birth_year.is_none() {
            e.add("birth_year", "required");
        } else {
            e.in_range("birth_year", birth_year, 1900..=this_year - 18);
        }
        let affiliation = Affiliation::parse(self.affiliation.trim());
        if affiliation.is_none() {
            e.add("affiliation", "invalid_choice");
        }
        let occupation = e.optional_text("occupation", self.occupation.as_deref(), 100);
        let term = self.term.unwrap_or(0);
        if self.term.is_none() {
            e.add("term", "required");
        } else {
            e.in_range("term", term, 1..=99);
        }
        let phone = e.optional_text("phone", self.phone.as_deref(), 20);
        if phone
            .as_deref()
            .is_some_and(|p| !validate::is_valid_phone(p))
        {
            e.add("phone", "invalid_phone");
        }
        let email = e.optional_text("email", self.email.as_deref(), 254);
        if email
            .as_deref()
            .is_some_and(|m| !validate::is_valid_email(m))
        {
            e.add("email", "invalid_email");
        }
        let address = e.optional_text("address", self.address.as_deref(), 200);
        e.finish()?;
        Ok(MemberForm {
            name,
            gender: gender.unwrap_or(Gender::Male),
            ethnicity,
            birth_year,
            affiliation: affiliation.unwrap_or(Affiliation::None),
            sector_id: self.sector_id,
            special_committee_id: self.special_committee_id,
            occupation,
            term,
            standing: self.standing.unwrap_or(false),
            phone,
            email,
            address,
            active: self.active.unwrap_or(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> MemberInput {
        MemberInput {
            name: "李红梅".into(),
            gender: "female".into(),
            ethnicity: "汉族".into(),
            birth_year: Some(1970),
            affiliation: "jiusan".into(),
            term: Some(13),
            phone: Some("13800000000".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_profile_passes() {
        let f = good().validate(2026).unwrap();
        assert_eq!(f.gender, Gender::Female);
        assert_eq!(f.affiliation, Affiliation::Jiusan);
        assert!(f.active);
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = MemberInput {
            name: " ".into(),
            gender: "x".into(),
            ethnicity: "火星族".into(),
            birth_year: Some(2020),
            affiliation: "".into(),
            term: Some(0),
            phone: Some("abc".into()),
            email: Some("no-at".into()),
            ..Default::default()
        };
        let fields: Vec<_> = bad
            .validate(2026)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "gender",
                "ethnicity",
                "birth_year",
                "affiliation",
                "term",
                "phone",
                "email"
            ]
        );
        let missing = MemberInput {
            birth_year: None,
            term: None,
            ..good()
        };
        let codes: Vec<_> = missing
            .validate(2026)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            vec![("birth_year", "required"), ("term", "required")]
        );
    }

    #[test]
    fn there_are_fifty_six_distinct_ethnicities() {
        let mut v = ETHNICITIES.to_vec();
        v.sort();
        v.dedup();
        assert_eq!(v.len(), 56);
    }
}
