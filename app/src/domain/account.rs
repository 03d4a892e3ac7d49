//! Who can hold an account, checked the same way in the browser (instant
//! feedback) and on the server (the truth). The database repeats the
//! username and email checks as constraints.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::problem::{FieldErrors, Problem};

pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longer passwords only cost hashing time; 128 is beyond any passphrase.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Backers back projects; publishers publish them. Never both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Backer,
    Publisher,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Backer => "backer",
            Role::Publisher => "publisher",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "backer" => Some(Role::Backer),
            "publisher" => Some(Role::Publisher),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sign-up request that passed every rule.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
}

impl fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl NewAccount {
    /// Every broken rule is reported at once, by field.
    pub fn parse(
        username: &str,
        email: &str,
        password: &str,
        role: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = username.trim();
        if let Err(problem) = check_username(username) {
            errors.insert("username".into(), problem);
        }
        let email = email.trim();
        if let Err(problem) = check_email(email) {
            errors.insert("email".into(), problem);
        }
        if let Err(problem) = check_password(password) {
            errors.insert("password".into(), problem);
        }
        let role = Role::parse(role);
        if role.is_none() {
            errors.insert("role".into(), Problem::RoleMissing);
        }
        match role {
            Some(role) if errors.is_empty() => Ok(NewAccount {
                username: username.to_owned(),
                email: email.to_owned(),
                password: password.to_owned(),
                role,
            }),
            _ => Err(errors),
        }
    }
}

/// The name someone logs in with: a username's shape, compared without
/// regard to case. Usernames are ASCII by rule and by constraint, so ASCII
/// lower-casing here and PostgreSQL's `lower()` always agree; anything else
/// (`İvan`, a megabyte of text) is refused before a counter or a hash is
/// spent on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LoginName(String);

impl LoginName {
    pub fn parse(raw: &str) -> Result<Self, FieldErrors> {
        let trimmed = raw.trim();
        check_username(trimmed).map_err(|problem| problem.on("username"))?;
        Ok(LoginName(trimmed.to_ascii_lowercase()))
    }

    /// Lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A log-in request that is worth checking: a [`LoginName`] and a password
/// that could be one (a password longer than any sign-up allows can never
/// be right, and is not hashed).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    name: LoginName,
    password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    pub fn parse(username: &str, password: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = LoginName::parse(username)
            .map_err(|name_errors| errors.extend(name_errors))
            .ok();
        let length = password.chars().count();
        if length == 0 {
            errors.insert("password".into(), Problem::PasswordMissing);
        } else if length > PASSWORD_MAX_CHARS {
            errors.insert(
                "password".into(),
                Problem::PasswordTooLong {
                    max: PASSWORD_MAX_CHARS,
                },
            );
        }
        match name {
            Some(name) if errors.is_empty() => Ok(Credentials {
                name,
                password: password.to_owned(),
            }),
            _ => Err(errors),
        }
    }

    pub fn name(&self) -> &LoginName {
        &self.name
    }

    pub fn into_password(self) -> String {
        self.password
    }
}

pub fn check_username(username: &str) -> Result<(), Problem> {
    let length = username.chars().count();
    if !(3..=30).contains(&length) {
        return Err(Problem::UsernameLength { min: 3, max: 30 });
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(Problem::UsernameCharacters);
    }
    Ok(())
}

pub fn check_email(email: &str) -> Result<(), Problem> {
    let Some((local, domain)) = email.split_once('@') else {
        return Err(Problem::EmailFormat);
    };
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.len() <= 254;
    if plausible {
        Ok(())
    } else {
        Err(Problem::EmailFormat)
    }
}

pub fn check_password(password: &str) -> Result<(), Problem> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(Problem::PasswordTooShort {
            min: PASSWORD_MIN_CHARS,
        });
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(Problem::PasswordTooLong {
            max: PASSWORD_MAX_CHARS,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_sign_up() {
        let account = NewAccount::parse(" kim_01 ", "kim@example.com", "correct horse", "backer");
        let account = account.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(account.username, "kim_01");
        assert_eq!(account.role, Role::Backer);
    }

    #[test]
    fn reports_every_bad_field() {
        let errors = NewAccount::parse("a!", "not-an-email", "short", "admin")
            .err()
            .unwrap_or_default();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["email", "password", "role", "username"]
        );
    }

    #[test]
    fn username_bounds() {
        assert!(check_username("abc").is_ok());
        assert!(check_username(&"a".repeat(30)).is_ok());
        assert!(check_username("ab").is_err());
        assert!(check_username(&"a".repeat(31)).is_err());
        assert!(check_username("한글이름").is_err());
        assert!(check_username("with space").is_err());
    }

    #[test]
    fn password_bounds_count_characters_not_bytes() {
        assert!(check_password("123456789").is_err());
        assert!(check_password("1234567890").is_ok());
        assert!(check_password("비밀번호비밀번호비밀번").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "kim.lee+moa@example.co.kr"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.co",
            "a@.co",
            "a@b.co.",
            "a b@c.de",
            "a@b@c.de",
            // PostgreSQL cannot store a NUL (this was a 500).
            "a\u{0}b@c.de",
            "a@b.co\u{7f}",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn log_in_names_are_usernames_in_ascii_lower_case() {
        assert_eq!(
            LoginName::parse(" Kim_01 ").map(|n| n.0),
            Ok("kim_01".to_owned())
        );
        for bad in ["İvan", "ıvan", "kim lee", "ab", "", "ivan\u{0}"] {
            assert!(LoginName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(LoginName::parse(&"a".repeat(1_000_000)).is_err());
    }

    #[test]
    fn credentials_refuse_impossible_passwords_without_hashing() {
        assert!(Credentials::parse("kim_01", "anything at all").is_ok());
        let errors = Credentials::parse("kim_01", "").err().unwrap_or_default();
        assert!(errors.contains_key("password"));
        let errors = Credentials::parse("İvan", &"x".repeat(129))
            .err()
            .unwrap_or_default();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["password", "username"]);
        let shown = format!("{:?}", Credentials::parse("kim_01", "hunter22hunter"));
        assert!(!shown.contains("hunter22"));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let account = NewAccount::parse("kim_01", "kim@example.com", "correct horse", "backer");
        let shown = format!("{account:?}");
        assert!(!shown.contains("correct horse"));
    }
}

/// Where to send someone after they log in or sign up: the page they came
/// from (`?next=/pocket`) if it is a path on this site, else the home page.
/// Anything that could leave the site (`//evil.example`, `/\evil.example`,
/// `https://…`) or carry control characters goes home instead.
pub fn return_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 2048
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Like [`return_path`], but a form that sent no `next` (or an empty one)
/// goes to `default`, the page the form belongs to.
pub fn return_path_or(next: Option<&str>, default: &str) -> String {
    match next.filter(|next| !next.is_empty()) {
        Some(next) => return_path(Some(next)),
        None => default.to_owned(),
    }
}

#[cfg(test)]
mod return_path_tests {
    use super::{return_path, return_path_or};

    #[test]
    fn forms_without_a_next_go_to_their_own_page() {
        assert_eq!(return_path_or(None, "/pocket"), "/pocket");
        assert_eq!(return_path_or(Some(""), "/pocket"), "/pocket");
        assert_eq!(return_path_or(Some("/posts/7"), "/pocket"), "/posts/7");
        assert_eq!(return_path_or(Some("//evil.example"), "/pocket"), "/");
    }

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(return_path(Some("/pocket")), "/pocket");
        assert_eq!(return_path(Some("/?q=캠핑&page=2")), "/?q=캠핑&page=2");
        assert_eq!(return_path(None), "/");
    }

    #[test]
    fn anything_leaving_the_site_goes_home() {
        for next in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "pocket",
            "",
            "/pocket\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(return_path(Some(next)), "/", "{next:?}");
        }
    }
}
