//! Email adapter: lettre transports (SMTP, a directory of `.eml` files, in-memory for tests)
//! and minijinja templates with an HTML and a text part per kind of email.

pub mod mailer;
pub mod templates;
pub mod transport;

pub use mailer::LettreMailer;
pub use templates::{Rendered, Templates};
pub use transport::{MailTransport, MemoryOutbox, SentEmail};
