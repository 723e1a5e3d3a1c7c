//! Email templates, compiled into the binary: `{name}.subject`, `{name}.txt` and `{name}.html`.

use madeinpk_domain::email::{EmailMessage, MailError};
use minijinja::Environment;

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
}

const SOURCES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    (
        "welcome.subject",
        include_str!("../templates/welcome.subject"),
    ),
    ("welcome.txt", include_str!("../templates/welcome.txt")),
    ("welcome.html", include_str!("../templates/welcome.html")),
    (
        "notice.subject",
        include_str!("../templates/notice.subject"),
    ),
    ("notice.txt", include_str!("../templates/notice.txt")),
    ("notice.html", include_str!("../templates/notice.html")),
    (
        "account_blocked.subject",
        include_str!("../templates/account_blocked.subject"),
    ),
    (
        "account_blocked.txt",
        include_str!("../templates/account_blocked.txt"),
    ),
    (
        "account_blocked.html",
        include_str!("../templates/account_blocked.html"),
    ),
];

/// The template set plus values every email may use.
pub struct Templates {
    env: Environment<'static>,
    base_url: String,
}

impl Templates {
    /// Loads every template; `base_url` is the public site address used in links.
    pub fn new(base_url: &str) -> Self {
        let mut env = Environment::new();
        for (name, source) in SOURCES {
            // The sources are compiled in and covered by tests, so a failure here is a build bug.
            env.add_template(name, source)
                .expect("email template parses");
        }
        Self {
            env,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Renders one email's three parts.
    pub fn render(&self, message: &EmailMessage) -> Result<Rendered, MailError> {
        let mut ctx =
            serde_json::to_value(message).map_err(|e| MailError::Template(e.to_string()))?;
        if let Some(map) = ctx.as_object_mut() {
            map.insert("base_url".into(), self.base_url.clone().into());
        }
        let name = message.template();
        let part = |suffix: &str| -> Result<String, MailError> {
            self.env
                .get_template(&format!("{name}.{suffix}"))
                .and_then(|t| t.render(&ctx))
                .map_err(|e| MailError::Template(e.to_string()))
        };
        Ok(Rendered {
            subject: part("subject")?.trim().to_owned(),
            text: part("txt")?,
            html: part("html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_renders_all_parts() {
        let t = Templates::new("http://localhost:8000/");
        let messages = [
            EmailMessage::Notice {
                username: "ali".into(),
                title: "Hello".into(),
                message: "Body".into(),
            },
            EmailMessage::Welcome {
                username: "ali".into(),
            },
            EmailMessage::AccountBlocked {
                username: "ali".into(),
                reason: "3 unpaid auctions".into(),
            },
        ];
        for m in messages {
            let r = t.render(&m).unwrap();
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'));
            assert!(r.text.contains("ali"));
            assert!(r.html.contains("<html") && r.html.contains("ali"));
        }
    }

    #[test]
    fn subjects_match_the_catalogue_and_html_is_escaped() {
        let t = Templates::new("http://x.pk");
        let r = t
            .render(&EmailMessage::AccountBlocked {
                username: "<b>x</b>".into(),
                reason: "r".into(),
            })
            .unwrap();
        assert_eq!(r.subject, "MadeInPK Account Blocked");
        assert!(r.html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;") && !r.html.contains("<b>x"));
        assert!(r.text.contains("<b>x</b>"));
        let r = t
            .render(&EmailMessage::Welcome {
                username: "sana".into(),
            })
            .unwrap();
        assert_eq!(r.subject, "Welcome to MadeInPK, sana!");
        assert!(r.text.contains("http://x.pk"));
    }
}
