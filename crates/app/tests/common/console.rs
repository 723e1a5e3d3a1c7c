//! A browser's view of the operator console for HTTP tests: cookies kept between requests,
//! the sign-in form, CSRF tokens and the flash text of redirects.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use madeinpk_app::one_time_codes::code_at;

use super::{PASSWORD, TestApp};

/// A browser's view of the console: the cookies it holds.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: Vec<(String, String)>,
    /// The authenticator app's secret, once this browser enrolled its admin.
    pub secret: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: Vec::new(),
            secret: String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn take(&mut self, res: reqwest::Response) -> Page {
        for c in res.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        Page {
            status: res.status(),
            location: res
                .headers()
                .get(LOCATION)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            headers: res.headers().clone(),
            text: res.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let res = self
            .app
            .client
            .get(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.take(res).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let res = self
            .app
            .client
            .post(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.take(res).await
    }

    /// Signs in through the form; the response to the form's POST.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/admin/login/").await;
        let csrf = hidden(&form.text, "csrf_token");
        self.post(
            "/admin/login/",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &csrf),
                ("next", "/admin/users/"),
            ],
        )
        .await
    }

    /// Sends `code` on the code page `page` (the answer to a right password).
    pub async fn enter_code(&mut self, page: &Page, code: &str) -> Page {
        let form = [
            ("csrf_token", hidden(&page.text, "csrf_token")),
            ("challenge", hidden(&page.text, "challenge")),
            ("next", hidden(&page.text, "next")),
            ("code", code.to_owned()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post("/admin/login/code/", &form).await
    }

    /// Signs in an admin who is enrolled (by this browser's `secret`) with the app's code
    /// `shift` seconds from now; the code step's response.
    pub async fn sign_in_with_code(&mut self, email: &str, shift: i64) -> Page {
        let page = self.sign_in(email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let code = code_at(
            &self.secret,
            chrono::Utc::now() + chrono::Duration::seconds(shift),
        );
        self.enter_code(&page, &code).await
    }

    /// The CSRF token of the signed-in session (from any console page's sign-out form).
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/admin/users/").await;
        hidden(&page.text, "csrf_token")
    }
}

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name} in the page"));
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    let end = rest[v..].find('"').unwrap();
    // As a browser reads it: the template escapes `/` and `&`.
    rest[v..v + end]
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The flash text a redirect carries (`?done=` / `?refused=`), decoded.
pub fn flash(location: &str) -> String {
    let q = location.split_once('?').map_or("", |(_, q)| q);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap();
    pairs
        .into_iter()
        .filter(|(k, _)| k == "done" || k == "refused")
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A browser signed in as the admin `root@example.pk`, enrolled in two-factor sign-in at this
/// first sign-in (its `secret` makes later codes).
pub async fn admin(app: &TestApp) -> Browser<'_> {
    app.admin_token().await;
    let mut b = Browser::new(app);
    let p = b.sign_in("root@example.pk", PASSWORD).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    if !p.text.contains("totp-secret") {
        // Enrolled by an earlier sign-in of this test.
        let done = b.enter_code(&p, &app.admin_recovery_code()).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        b.secret = app.admin_factor.lock().unwrap().as_ref().unwrap().0.clone();
        return b;
    }
    b.secret = secret_shown(&p.text);
    let done = b
        .enter_code(&p, &code_at(&b.secret, chrono::Utc::now()))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    *app.admin_factor.lock().unwrap() = Some((b.secret.clone(), recovery_codes_shown(&done.text)));
    b
}

/// The TOTP secret an enrolment page shows.
pub fn secret_shown(html: &str) -> String {
    let at = html
        .find("id=\"totp-secret\">")
        .unwrap_or_else(|| panic!("no secret in the page: {html}"));
    let rest = &html[at + "id=\"totp-secret\">".len()..];
    rest[..rest.find('<').unwrap()].to_owned()
}

/// The recovery codes a page shows.
pub fn recovery_codes_shown(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect()
}

/// The name field's value in an edit form.
pub fn hidden_name(html: &str) -> String {
    let at = html.find("name=\"name\"").expect("a name field");
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].replace("&amp;", "&")
}
