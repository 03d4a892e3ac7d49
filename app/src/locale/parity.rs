//! Whether two catalogues say the same things: the same keys, each with
//! the same `{{ variables }}`. `build.rs` refuses to build when they do not
//! (this file is included there too), and the tests below check the rule.

use std::collections::BTreeMap;

use serde_json::Value;

/// Every difference between catalogue `a` and catalogue `b`, in words;
/// empty when they agree.
pub fn differences(a_name: &str, a: &Value, b_name: &str, b: &Value) -> Vec<String> {
    let (a_keys, b_keys) = (keys(a), keys(b));
    let mut found = Vec::new();
    for (key, variables) in &a_keys {
        match b_keys.get(key) {
            None => found.push(format!("`{key}` is in {a_name} but not in {b_name}")),
            Some(theirs) if theirs != variables => found.push(format!(
                "`{key}` uses {variables:?} in {a_name} but {theirs:?} in {b_name}"
            )),
            Some(_) => {}
        }
    }
    for key in b_keys.keys().filter(|key| !a_keys.contains_key(*key)) {
        found.push(format!("`{key}` is in {b_name} but not in {a_name}"));
    }
    found
}

/// `{"a": {"b": "x {{ n }}"}}` → `{"a.b": ["n"]}`; anything but text or an
/// object is reported as a key with the variable `<not text>`.
fn keys(catalogue: &Value) -> BTreeMap<String, Vec<String>> {
    let mut keys = BTreeMap::new();
    flatten("", catalogue, &mut keys);
    keys
}

fn flatten(prefix: &str, value: &Value, keys: &mut BTreeMap<String, Vec<String>>) {
    match value {
        Value::Object(entries) => {
            for (name, value) in entries {
                let key = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&key, value, keys);
            }
        }
        Value::String(text) => {
            keys.insert(prefix.to_owned(), variables(text));
        }
        _ => {
            keys.insert(prefix.to_owned(), vec!["<not text>".to_owned()]);
        }
    }
}

fn variables(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::differences;

    #[test]
    fn moa_s_catalogues_agree() {
        let read = |text: &str| serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        let korean = read(include_str!("../../locales/ko.json"));
        let english = read(include_str!("../../locales/en.json"));
        assert_eq!(
            differences("ko", &korean, "en", &english),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_key_missing_from_either_side_is_reported() {
        let ko = json!({"home": {"title": "둘러보기", "only_ko": "하나"}});
        let en = json!({"home": {"title": "Discover", "only_en": "one"}});
        assert_eq!(
            differences("ko", &ko, "en", &en),
            [
                "`home.only_ko` is in ko but not in en",
                "`home.only_en` is in en but not in ko"
            ]
        );
    }

    #[test]
    fn variables_must_match() {
        let ko = json!({"count": "후원자 {{ count }}명"});
        let en = json!({"count": "{{ number }} backers"});
        assert_eq!(differences("ko", &ko, "en", &en).len(), 1);
        let en = json!({"count": "{{count}} backers"});
        assert!(differences("ko", &ko, "en", &en).is_empty());
    }
}
