//! The message catalogue: every visible string, in zh-CN (the default) and
//! English. Catalogues are plain `key = value` files compiled into the binary.

use std::collections::HashMap;
use std::sync::LazyLock;

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    /// Every language, default first.
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag, as used in `lang` attributes and settings.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a tag (`zh-CN`, `zh`, `en`, `en-US` ...).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::ZhCn)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The best language for an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// The catalogue's hash: a word at a time, rotate, xor and multiply (as
/// rustc's FxHash does). A page looks up a hundred or so short keys
/// (`state.closed`, `nav.home` …), and the standard SipHash, made to resist
/// keys chosen by an attacker, cost several per cent of a list page; these
/// keys are our own.
#[derive(Default)]
pub struct KeyHash(u64);

impl KeyHash {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl std::hash::Hasher for KeyHash {
    fn finish(&self) -> u64 {
        // A product's low bits depend on its factors' low bits only; the
        // table takes its bucket from the low bits, so bring up the middle.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
}

/// A catalogue: message key to text.
pub type Catalogue = HashMap<&'static str, &'static str, std::hash::BuildHasherDefault<KeyHash>>;

fn parse_catalogue(text: &'static str) -> Catalogue {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim(), v.trim())))
        .collect()
}

static ZH: LazyLock<Catalogue> =
    LazyLock::new(|| parse_catalogue(include_str!("../locales/zh-CN.txt")));
static EN: LazyLock<Catalogue> =
    LazyLock::new(|| parse_catalogue(include_str!("../locales/en.txt")));

/// The catalogue of a language.
pub fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

/// A catalogue by prefix and code: `state.closed` under `("state",
/// "closed")`, a key with several dots under each way of cutting it. Lists
/// ask for a code's message once a cell, and joining the two into one key
/// first (a copy and a UTF-8 check) cost more than the lookup.
type CodeCatalogue =
    HashMap<(&'static str, &'static str), &'static str, std::hash::BuildHasherDefault<KeyHash>>;

fn by_code(catalogue: &'static Catalogue) -> CodeCatalogue {
    let mut codes = CodeCatalogue::default();
    for (key, message) in catalogue {
        for (dot, _) in key.match_indices('.') {
            codes.insert((&key[..dot], &key[dot + 1..]), message);
        }
    }
    codes
}

static ZH_CODES: LazyLock<CodeCatalogue> = LazyLock::new(|| by_code(&ZH));
static EN_CODES: LazyLock<CodeCatalogue> = LazyLock::new(|| by_code(&EN));

/// `msg` with `{0}`, `{1}` ... replaced by `args`, in one pass: an argument's
/// own text is never searched for placeholders, and a placeholder without an
/// argument stays as it is.
fn fill(msg: &str, args: &[&dyn std::fmt::Display]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(msg.len() + 16 * args.len());
    let mut rest = msg;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let arg = (digits > 0 && after.as_bytes().get(digits) == Some(&b'}'))
            .then(|| after[..digits].parse::<usize>().ok())
            .flatten()
            .and_then(|i| args.get(i));
        match arg {
            Some(a) => {
                let _ = write!(out, "{a}");
                rest = &after[digits + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Translator handed to every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// The message for `key`; the key itself when missing (and a test keeps
    /// every key used by templates and code present in both catalogues).
    pub fn s(&self, key: &'static str) -> &'static str {
        match catalogue(self.lang).get(key) {
            Some(v) => v,
            None => {
                tracing::warn!(key, lang = self.lang.tag(), "missing message");
                key
            }
        }
    }

    /// The message for `key` with `{0}`, `{1}` ... replaced by `args`.
    pub fn f(&self, key: &'static str, args: &[&dyn std::fmt::Display]) -> String {
        fill(self.s(key), args)
    }

    /// [`Tr::f`] with one argument (for templates).
    pub fn f1(&self, key: &'static str, a: impl std::fmt::Display) -> String {
        self.f(key, &[&a])
    }

    /// [`Tr::f`] with two arguments (for templates).
    pub fn f2(
        &self,
        key: &'static str,
        a: impl std::fmt::Display,
        b: impl std::fmt::Display,
    ) -> String {
        self.f(key, &[&a, &b])
    }

    /// A message for a code under a prefix (`role.admin`, `error.required` ...),
    /// falling back to the code itself.
    pub fn code(&self, prefix: &str, code: &str) -> String {
        self.code_label(prefix, code).into_owned()
    }

    /// [`Tr::code`] borrowed from the catalogue when the message exists, so
    /// that lists and option lists, which ask for one per row, copy nothing.
    pub fn code_label(&self, prefix: &str, code: &str) -> std::borrow::Cow<'static, str> {
        let codes: &'static CodeCatalogue = match self.lang {
            Lang::ZhCn => &ZH_CODES,
            Lang::En => &EN_CODES,
        };
        // The map's keys are covariant: a map of `'static` pairs answers
        // pairs borrowed for less.
        let codes: &HashMap<(&str, &str), &'static str, _> = codes;
        match codes.get(&(prefix, code)) {
            Some(v) => (*v).into(),
            None => code.to_string().into(),
        }
    }

    /// The BCP 47 tag of the language.
    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_looked_up_under_their_prefix_and_fall_back_to_themselves() {
        let zh = Tr { lang: Lang::ZhCn };
        assert_eq!(
            zh.code("state", "closed"),
            *ZH.get("state.closed").expect("key")
        );
        assert_eq!(zh.code("state", "no-such-state"), "no-such-state");
        assert_eq!(zh.code("", "closed"), "closed");
        assert_eq!(zh.code("state", ""), "");
        // Every key of both catalogues, cut at each of its dots.
        for lang in Lang::ALL {
            let t = Tr { lang };
            for (key, message) in catalogue(lang) {
                for (dot, _) in key.match_indices('.') {
                    assert_eq!(
                        t.code_label(&key[..dot], &key[dot + 1..]),
                        *message,
                        "{key}"
                    );
                }
                if !key.contains('.') {
                    assert_eq!(
                        t.code_label("", key),
                        *key,
                        "a key without a dot is no code"
                    );
                }
            }
        }
    }

    #[test]
    fn placeholders_are_filled_in_one_pass() {
        assert_eq!(
            fill("第 {0} 页，共 {1} 页", &[&2, &15]),
            "第 2 页，共 15 页"
        );
        assert_eq!(fill("{1} before {0}", &[&"a", &"b"]), "b before a");
        // An argument's own braces are its text, not placeholders.
        assert_eq!(fill("{0}/{1}", &[&"{1}", &"x"]), "{1}/x");
        // Placeholders without an argument, and other braces, stay.
        assert_eq!(fill("{0} {2} {x} {", &[&1]), "1 {2} {x} {");
        assert_eq!(fill("{{0}}", &[&7]), "{7}");
        assert_eq!(fill("", &[&7]), "");
        let zh = Tr { lang: Lang::ZhCn };
        assert_eq!(zh.f2("list.page_of", 1, 5), "第 1 页，共 5 页");
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let mut zh: Vec<_> = ZH.keys().collect();
        let mut en: Vec<_> = EN.keys().collect();
        zh.sort();
        en.sort();
        let only_zh: Vec<_> = zh.iter().filter(|k| !EN.contains_key(**k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !ZH.contains_key(**k)).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh only: {only_zh:?}; en only: {only_en:?}"
        );
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in [
            "templates",
            "src",
            "src/platform",
            "src/members",
            "src/proposals",
            "src/opinions",
            "src/citizens",
            "src/consultations",
            "src/deliberations",
            "src/notifications",
        ] {
            for e in std::fs::read_dir(format!("{root}/{dir}"))
                .expect("dir")
                .flatten()
            {
                if e.path().is_file() {
                    files.push(e.path());
                }
            }
        }
        for path in files {
            let text = std::fs::read_to_string(&path).expect("read");
            for pat in [".s(\"", ".f(\"", ".f1(\"", ".f2(\""] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    if !key.is_empty() && !ZH.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:#?}");
    }

    #[test]
    fn accept_language_is_honoured() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.5, zh-CN;q=0.8"),
            Some(Lang::ZhCn)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
    }
}
