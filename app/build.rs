//! Compiles the catalogues (`locales/ko.json`, `locales/en.json`) into the
//! module `i18n` (leptos_i18n: one typed accessor per key, so an unknown
//! key or variable does not compile). First it refuses catalogues that
//! disagree: every key of one must be in the other, with the same
//! `{{ variables }}` (leptos_i18n only warns about a missing key and shows
//! the other language's text in its place).

use std::{collections::BTreeMap, env, fs, path::Path, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use serde_json::Value;

const LOCALES: [&str; 2] = ["ko", "en"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    check_same_keys();

    // Korean first: the default locale is the one the others are checked
    // against. (Which locale a request gets is `locale::negotiate`'s rule.)
    let config = Config::new(LOCALES[0])?
        .add_locale(LOCALES[1])?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    translations.generate_i18n_module(out_dir.join("i18n"))?;
    Ok(())
}

fn check_same_keys() {
    let catalogues: Vec<(&str, BTreeMap<String, Vec<String>>)> = LOCALES
        .iter()
        .map(|locale| {
            let path = format!("locales/{locale}.json");
            println!("cargo::rerun-if-changed={path}");
            let text = fs::read_to_string(Path::new(&path))
                .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
            let json: Value = serde_json::from_str(&text)
                .unwrap_or_else(|error| panic!("{path} is not JSON: {error}"));
            let mut keys = BTreeMap::new();
            flatten("", &json, &mut keys);
            (*locale, keys)
        })
        .collect();

    let mut problems = Vec::new();
    let (first, first_keys) = &catalogues[0];
    for (other, other_keys) in &catalogues[1..] {
        for (key, variables) in first_keys {
            match other_keys.get(key) {
                None => problems.push(format!("`{key}` is in {first} but not in {other}")),
                Some(theirs) if theirs != variables => problems.push(format!(
                    "`{key}` uses {variables:?} in {first} but {theirs:?} in {other}"
                )),
                Some(_) => {}
            }
        }
        for key in other_keys
            .keys()
            .filter(|key| !first_keys.contains_key(*key))
        {
            problems.push(format!("`{key}` is in {other} but not in {first}"));
        }
    }
    if !problems.is_empty() {
        panic!("the catalogues disagree:\n  {}", problems.join("\n  "));
    }
}

/// `{"a": {"b": "x {{ n }}"}}` → `a.b` → `["n"]`.
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
        other => panic!("`{prefix}` must be text or an object, not {other}"),
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
