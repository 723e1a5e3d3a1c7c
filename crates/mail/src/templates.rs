//! Email templates, compiled into the binary: `{name}.subject`, `{name}.txt` and `{name}.html`.

#[cfg(test)]
use madeinpk_domain::notification::email::ReceiptLine;
use madeinpk_domain::notification::email::{EmailMessage, MailError};
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

/// `{name}.subject`, `{name}.txt` and `{name}.html` of each kind of email, compiled in.
macro_rules! kinds {
    ($($name:literal),* $(,)?) => {
        &[
            ("base.html", include_str!("../templates/base.html")),
            $(
                (concat!($name, ".subject"), include_str!(concat!("../templates/", $name, ".subject"))),
                (concat!($name, ".txt"), include_str!(concat!("../templates/", $name, ".txt"))),
                (concat!($name, ".html"), include_str!(concat!("../templates/", $name, ".html"))),
            )*
        ]
    };
}

const SOURCES: &[(&str, &str)] = kinds!(
    "welcome",
    "notice",
    "password_changed",
    "password_reset",
    "console_sign_in",
    "verify_email",
    "account_blocked",
    "order_confirmation",
    "new_sale",
    "payment_failed",
    "cart_expiring",
    "refund_issued",
    "outbid",
    "auction_won",
    "auction_ended",
    "payment_reminder",
    "feedback_request",
);

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
            EmailMessage::PasswordChanged {
                username: "ali".into(),
            },
            EmailMessage::VerifyEmail {
                username: "ali".into(),
                link: "http://localhost:5173/verify-email?token=abc".into(),
                hours: 72,
            },
            EmailMessage::ConsoleSignIn {
                username: "root".into(),
                at: "2026-12-07 12:00 UTC".into(),
                ip: "203.0.113.7".into(),
                client: "Firefox/133".into(),
            },
            EmailMessage::PasswordReset {
                username: "ali".into(),
                link: "http://localhost:5173/reset-password?token=abc".into(),
                minutes: 30,
            },
            order_confirmation(),
            new_sale(),
            EmailMessage::PaymentFailed {
                username: "ali".into(),
                order_number: "CART-00000000000A".into(),
                reason: "Your card was declined.".into(),
            },
            EmailMessage::CartExpiring {
                username: "ali".into(),
                products: vec!["Ajrak shawl".into()],
                minutes_left: 5,
            },
            EmailMessage::RefundIssued {
                username: "ali".into(),
                order_number: "CART-00000000000A".into(),
                amount: "1225.00".into(),
                full: false,
            },
            EmailMessage::Outbid {
                username: "ali".into(),
                product: "Brass lamp".into(),
                amount: "1500.00".into(),
                auction_id: 4,
            },
            auction_won(false),
            // Sold: the winner, price and order are shown (the outcome text is for no sale).
            EmailMessage::AuctionEnded {
                username: "potter".into(),
                product: "Brass lamp".into(),
                winner: Some("sana".into()),
                final_price: "1250.50".into(),
                order_number: Some("AUC-00000000000B".into()),
                outcome: String::new(),
            },
            EmailMessage::PaymentReminder {
                username: "ali".into(),
                order_number: "AUC-00000000000A".into(),
                amount: "1500.00".into(),
                deadline: "2026-11-26 10:00 PKT".into(),
                payment_url: "https://pay.example/x".into(),
            },
            EmailMessage::FeedbackRequest {
                username: "ali".into(),
                order_number: "AUC-00000000000A".into(),
                order_id: 9,
                seller: "potter".into(),
            },
        ];
        for m in messages {
            let r = t.render(&m).unwrap();
            let who = serde_json::to_value(&m).unwrap()["username"]
                .as_str()
                .unwrap()
                .to_owned();
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'));
            assert!(r.text.contains(&who), "{who} in {}", r.text);
            assert!(r.html.contains("<html") && r.html.contains(&who));
            // Every text and number the message carries (order numbers, amounts, products,
            // reasons, deadlines, links) reaches both parts, or the subject.
            let fields = serde_json::to_value(&m).unwrap();
            for (key, value) in fields
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "template")
            {
                let shown = match value {
                    serde_json::Value::String(v) => v.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                let in_subject = r.subject.contains(&shown);
                assert!(
                    in_subject || r.text.contains(&shown),
                    "{key} = {shown} in the text of {}",
                    r.subject
                );
                // As the HTML templates escape it.
                let escaped = shown
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
                    .replace('\'', "&#x27;")
                    .replace('/', "&#x2f;");
                assert!(
                    in_subject || r.html.contains(&escaped),
                    "{key} = {shown} in the HTML of {}",
                    r.subject
                );
            }
        }
    }

    fn auction_won(has_address: bool) -> EmailMessage {
        EmailMessage::AuctionWon {
            username: "ali".into(),
            product: "Brass lamp".into(),
            amount: "1500.00".into(),
            order_number: "AUC-00000000000A".into(),
            payment_url: "https://pay.example/x".into(),
            deadline: "2026-11-26 10:00 PKT".into(),
            has_address,
        }
    }

    #[test]
    fn auction_emails_carry_the_product_amount_order_and_links() {
        let t = Templates::new("http://x.pk");
        let r = t.render(&auction_won(false)).unwrap();
        assert_eq!(r.subject, "You won the auction for Brass lamp");
        for needle in [
            "AUC-00000000000A",
            "1500.00",
            "https://pay.example/x",
            "/profile",
        ] {
            assert!(r.text.contains(needle), "{needle} missing from {}", r.text);
        }
        // HTML escapes the slashes of links (`&#x2f;`), which browsers read back as `/`.
        for needle in ["AUC-00000000000A", "1500.00", "pay.example", "profile"] {
            assert!(r.html.contains(needle), "{needle} missing from {}", r.html);
        }
        let r = t.render(&auction_won(true)).unwrap();
        assert!(
            !r.text.contains("/profile"),
            "no address request when one exists"
        );
        let r = t
            .render(&EmailMessage::Outbid {
                username: "ali".into(),
                product: "Brass lamp".into(),
                amount: "1500.00".into(),
                auction_id: 4,
            })
            .unwrap();
        assert_eq!(r.subject, "You have been outbid on Brass lamp");
        assert!(r.text.contains("Rs. 1500.00") && r.text.contains("http://x.pk/auctions/4"));
        let r = t
            .render(&EmailMessage::FeedbackRequest {
                username: "ali".into(),
                order_number: "AUC-00000000000A".into(),
                order_id: 9,
                seller: "potter".into(),
            })
            .unwrap();
        assert_eq!(
            r.subject,
            "Please provide feedback - Order AUC-00000000000A"
        );
    }

    fn line(name: &str, qty: i32, unit: &str, subtotal: &str) -> ReceiptLine {
        ReceiptLine {
            name: name.into(),
            quantity: qty,
            unit_price: unit.into(),
            subtotal: subtotal.into(),
        }
    }

    fn order_confirmation() -> EmailMessage {
        EmailMessage::OrderConfirmation {
            username: "ali".into(),
            order_number: "CART-0000000000AB".into(),
            lines: vec![
                line("Ajrak shawl", 2, "1500.00", "3000.00"),
                line("Blue pottery vase", 1, "1225.50", "1225.50"),
            ],
            total: "4225.50".into(),
            paid_at: "2026-11-25T10:00:00+05:00".into(),
        }
    }

    fn new_sale() -> EmailMessage {
        EmailMessage::NewSale {
            username: "potter".into(),
            order_number: "CART-0000000000AB".into(),
            lines: vec![line("Blue pottery vase", 1, "1225.50", "1225.50")],
            subtotal: "1225.50".into(),
            platform_fee: "24.51".into(),
            seller_amount: "1200.99".into(),
        }
    }

    #[test]
    fn receipts_carry_the_order_number_lines_and_amounts() {
        let t = Templates::new("http://x.pk");
        let r = t.render(&order_confirmation()).unwrap();
        assert_eq!(r.subject, "Payment Successful - Order CART-0000000000AB");
        for part in [&r.text, &r.html] {
            for needle in [
                "CART-0000000000AB",
                "Ajrak shawl",
                "3000.00",
                "1225.50",
                "4225.50",
            ] {
                assert!(part.contains(needle), "{needle} missing from {part}");
            }
        }
        let r = t.render(&new_sale()).unwrap();
        assert_eq!(r.subject, "New Sale - Order CART-0000000000AB");
        for part in [&r.text, &r.html] {
            for needle in ["Blue pottery vase", "1225.50", "24.51", "1200.99"] {
                assert!(part.contains(needle), "{needle} missing from {part}");
            }
            assert!(!part.contains("Ajrak"), "another seller's line leaked");
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
