//! A browser's view of the operator console for HTTP tests: cookies kept between requests,
//! the sign-in form, CSRF tokens and the flash text of redirects.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use super::{PASSWORD, TestApp};

/// A browser's view of the console: the cookies it holds.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: Vec<(String, String)>,
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
    rest[v..v + end].to_owned()
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

pub async fn admin(app: &TestApp) -> Browser<'_> {
    app.admin_token().await;
    let mut b = Browser::new(app);
    let p = b.sign_in("root@example.pk", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text);
    b
}

/// The name field's value in an edit form.
pub fn hidden_name(html: &str) -> String {
    let at = html.find("name=\"name\"").expect("a name field");
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].replace("&amp;", "&")
}
