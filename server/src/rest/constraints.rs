//! The domain's rules, written into the document's schemas from the
//! domain's own constants (so they cannot drift apart): lengths, bounds,
//! patterns, the lists a value comes from, and the fields a request needs.
//! Requests are still parsed by the domain, which names the field it
//! refuses; this tells clients (and schemathesis, whose generated requests
//! then get past the first check) what it will accept.

use app::domain::{
    Bank, Role,
    account::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
    listing::{MAX_PAGE, MAX_PER_PAGE, MAX_SEARCH_CHARS, ProjectSort},
    pocket::{CASH_OUT_MIN, DEPOSIT_MAX, DEPOSIT_MIN},
    post::{
        CONTENT_MAX_CHARS, PRICE_MIN, PUBLISHER_NAME_MAX_CHARS, TARGET_MAX, TARGET_MIN,
        TITLE_MAX_CHARS,
    },
};
use utoipa::{
    Modify, Number,
    openapi::{
        OpenApi, RefOr, Schema,
        path::Operation,
        schema::{Object, SchemaType, Type},
    },
};

const USERNAME_PATTERN: &str = "^[A-Za-z0-9_]{3,30}$";
/// Something, `@`, and a domain with a dot inside it; no spaces or
/// control characters.
const EMAIL_PATTERN: &str = concat!(
    r"^[^@\s\x00-\x1F\x7F-\x9F]+",
    r"@[^@\s.\x00-\x1F\x7F-\x9F][^@\s\x00-\x1F\x7F-\x9F]*",
    r"\.[^@\s\x00-\x1F\x7F-\x9F]*[^@\s.\x00-\x1F\x7F-\x9F]$"
);
/// 10–14 digits, hyphens and spaces anywhere.
const ACCOUNT_NUMBER_PATTERN: &str = "^[ -]*([0-9][ -]*){10,14}$";
/// 1–200 visible ASCII characters.
const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,200}$";

pub struct Constraints;

impl Modify for Constraints {
    fn modify(&self, openapi: &mut OpenApi) {
        bodies(openapi);
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                parameters(operation);
            }
        }
    }
}

/// A request schema's name, the rules of its fields, and the fields it needs.
type BodyRules = (
    &'static str,
    Vec<(&'static str, Rule)>,
    &'static [&'static str],
);

/// A rule for one value.
#[derive(Default)]
struct Rule {
    min_length: Option<usize>,
    max_length: Option<usize>,
    minimum: Option<i64>,
    maximum: Option<i64>,
    pattern: Option<&'static str>,
    one_of: Option<Vec<&'static str>>,
}

impl Rule {
    fn text(min: usize, max: usize) -> Self {
        Rule {
            min_length: Some(min),
            max_length: Some(max),
            ..Rule::default()
        }
    }

    fn between(min: i64, max: i64) -> Self {
        Rule {
            minimum: Some(min),
            maximum: Some(max),
            ..Rule::default()
        }
    }

    fn pattern(pattern: &'static str) -> Self {
        Rule {
            pattern: Some(pattern),
            ..Rule::default()
        }
    }

    fn one_of(values: Vec<&'static str>) -> Self {
        Rule {
            one_of: Some(values),
            ..Rule::default()
        }
    }

    fn apply(self, object: &mut Object) {
        let number = |value: i64| isize::try_from(value).ok().map(Number::Int);
        object.min_length = self.min_length.or(object.min_length);
        object.max_length = self.max_length.or(object.max_length);
        object.minimum = self.minimum.and_then(number).or(object.minimum.take());
        object.maximum = self.maximum.and_then(number).or(object.maximum.take());
        if let Some(pattern) = self.pattern {
            object.pattern = Some(pattern.to_owned());
        }
        if let Some(values) = self.one_of {
            object.enum_values = Some(values.into_iter().map(Into::into).collect());
        }
    }
}

fn bodies(openapi: &mut OpenApi) {
    let project_text = || {
        [
            ("title", Rule::text(1, TITLE_MAX_CHARS)),
            ("publisher_name", Rule::text(1, PUBLISHER_NAME_MAX_CHARS)),
            ("content", Rule::text(0, CONTENT_MAX_CHARS)),
            (
                "price",
                Rule::between(PRICE_MIN.as_won(), TARGET_MAX.as_won()),
            ),
        ]
    };
    let roles = vec![Role::Backer.as_str(), Role::Publisher.as_str()];
    let banks = Bank::ALL.iter().map(|bank| bank.code()).collect();
    let rules: Vec<BodyRules> = vec![
        (
            "SignUpRequest",
            vec![
                ("username", Rule::pattern(USERNAME_PATTERN)),
                (
                    "email",
                    Rule {
                        pattern: Some(EMAIL_PATTERN),
                        ..Rule::text(5, 254)
                    },
                ),
                (
                    "password",
                    Rule::text(PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS),
                ),
                ("role", Rule::one_of(roles)),
            ],
            &["username", "email", "password", "role"],
        ),
        (
            "TokenRequest",
            vec![
                ("username", Rule::pattern(USERNAME_PATTERN)),
                ("password", Rule::text(1, PASSWORD_MAX_CHARS)),
            ],
            &["username", "password"],
        ),
        (
            "PocketRequest",
            vec![
                ("bank", Rule::one_of(banks)),
                ("account_number", Rule::pattern(ACCOUNT_NUMBER_PATTERN)),
            ],
            &["bank", "account_number"],
        ),
        (
            "DepositRequest",
            vec![(
                "amount",
                Rule::between(DEPOSIT_MIN.as_won(), DEPOSIT_MAX.as_won()),
            )],
            &[],
        ),
        (
            "CashOutRequest",
            vec![(
                "amount",
                Rule {
                    minimum: Some(CASH_OUT_MIN.as_won()),
                    ..Rule::default()
                },
            )],
            &[],
        ),
        (
            "CreatePostRequest",
            project_text()
                .into_iter()
                .chain([(
                    "target_amount",
                    Rule::between(TARGET_MIN.as_won(), TARGET_MAX.as_won()),
                )])
                .collect(),
            &[
                "title",
                "publisher_name",
                "target_amount",
                "price",
                "final_date",
            ],
        ),
        ("EditPostRequest", project_text().into_iter().collect(), &[]),
    ];
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for (name, fields, required) in rules {
        let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get_mut(name) else {
            tracing::warn!(name, "the API document has no such schema to constrain");
            continue;
        };
        for (field, rule) in fields {
            if let Some(RefOr::T(Schema::Object(property))) = schema.properties.get_mut(field) {
                rule.apply(property);
            }
        }
        for field in required {
            if !schema.required.iter().any(|r| r == field) {
                schema.required.push((*field).to_owned());
            }
        }
    }
}

fn parameters(operation: &mut Operation) {
    let sorts = vec![
        ProjectSort::Total.as_query(),
        ProjectSort::Created.as_query(),
    ];
    for parameter in operation.parameters.iter_mut().flatten() {
        let (rule, integer) = match parameter.name.as_str() {
            "id" => (
                Rule {
                    minimum: Some(1),
                    ..Rule::default()
                },
                false,
            ),
            "page" => (Rule::between(1, i64::from(MAX_PAGE)), true),
            "per_page" => (Rule::between(1, i64::from(MAX_PER_PAGE)), true),
            "search" => (Rule::text(0, MAX_SEARCH_CHARS), false),
            "sort" => (Rule::one_of(sorts.clone()), false),
            "Idempotency-Key" => (Rule::pattern(IDEMPOTENCY_KEY_PATTERN), false),
            _ => continue,
        };
        if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
            // Read as text so a bad one is named in the error, but only
            // whole numbers are accepted.
            if integer {
                schema.schema_type = SchemaType::Type(Type::Integer);
            }
            rule.apply(schema);
        }
    }
}
