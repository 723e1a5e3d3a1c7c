//! The `Mailer` port over lettre: render, build a multipart message, send.

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use madeinpk_domain::notification::email::{Email, MailError};
use madeinpk_domain::notification::ports::Mailer;

use crate::templates::Templates;
use crate::transport::MailTransport;

/// 128 random bits in hex.
fn random_id() -> String {
    use rand::Rng;
    let bits: u128 = rand::rng().random();
    format!("{bits:032x}")
}

/// Sends domain emails through a lettre transport.
pub struct LettreMailer {
    transport: MailTransport,
    from: Mailbox,
    templates: Templates,
}

impl LettreMailer {
    /// A mailer sending as `from` (e.g. `MadeInPK <no-reply@madeinpk.pk>`), linking to `base_url`.
    pub fn new(transport: MailTransport, from: &str, base_url: &str) -> Result<Self, MailError> {
        let from = from
            .parse()
            .map_err(|e| MailError::Address(format!("{from}: {e}")))?;
        Ok(Self {
            transport,
            from,
            templates: Templates::new(base_url),
        })
    }

    /// The transport (for logs).
    pub fn transport(&self) -> &MailTransport {
        &self.transport
    }
}

impl Mailer for LettreMailer {
    async fn send(&self, email: Email) -> Result<(), MailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| MailError::Address(format!("{}: {e}", email.to)))?;
        let rendered = self.templates.render(&email.message)?;
        let domain = self.from.email.domain().to_owned();
        // A keyed email keeps its identity on every attempt; any other gets a random one. Both
        // are under the sending domain (lettre's own default names this machine instead).
        let local = email.key.clone().unwrap_or_else(random_id);
        let message = Message::builder()
            .message_id(Some(format!("<{local}@{domain}>")))
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| MailError::Template(e.to_string()))?;
        self.transport.send(message, email.key.as_deref()).await
    }
}
