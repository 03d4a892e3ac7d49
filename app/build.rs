//! Compiles the catalogues (`locales/ko.json`, `locales/en.json`) into the
//! module `i18n` (leptos_i18n: one typed accessor per key, so an unknown
//! key or variable does not compile). First it refuses catalogues that
//! disagree: every key of one must be in the other, with the same
//! `{{ variables }}` (leptos_i18n only warns about a missing key and shows
//! the other language's text in its place).

use std::{env, fs, path::Path, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use serde_json::Value;

#[path = "src/locale/parity.rs"]
mod parity;

const LOCALES: [&str; 2] = ["ko", "en"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/locale/parity.rs");
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

/// The rule itself lives in `src/locale/parity.rs`, where it is tested.
fn check_same_keys() {
    let read = |locale: &str| -> Value {
        let path = format!("locales/{locale}.json");
        println!("cargo::rerun-if-changed={path}");
        let text = fs::read_to_string(Path::new(&path))
            .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path} is not JSON: {error}"))
    };
    let (first, second) = (LOCALES[0], LOCALES[1]);
    let problems = parity::differences(first, &read(first), second, &read(second));
    if !problems.is_empty() {
        panic!("the catalogues disagree:\n  {}", problems.join("\n  "));
    }
}
