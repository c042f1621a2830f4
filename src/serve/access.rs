//! Who may use the collector: the rules every request passes before a route sees it. Pure
//! functions of the request's headers, so that the HTTP layer only applies them.
//!
//! - **Host.** The `Host` header names the collector: an IP address (any: DNS rebinding needs
//!   a name), `localhost`, or a name given with `--allow-host`. A page served from a name that
//!   resolves to the collector's address cannot use it.
//! - **Origin.** A request a browser sends for a page names the page's origin; it must be the
//!   collector's own (`http://` and the `Host`) or one given with `--allow-origin`. A request
//!   without `Origin` (curl, a widget's server, a page opened from the address bar) passes.
//! - **Token.** When set, every request carries it: `Authorization: Bearer TOKEN`, or
//!   `?token=TOKEN` (for the live page in a browser, whose script carries it along). CORS
//!   preflights carry no credentials and are let through to the CORS layer.
//! - **Content type.** `POST /reset` and `/finish` need `Content-Type: application/json`,
//!   which a cross-site form cannot send.

/// The collector's access rules.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Origins allowed besides the collector's own, as browsers write them
    /// (`http://localhost:3000`, `null` for `file://` pages).
    pub origins: Vec<String>,
    /// Host names allowed besides IP addresses and `localhost`.
    pub hosts: Vec<String>,
    /// The token every request must carry, when set.
    pub token: Option<String>,
}

/// Why a request is refused: the HTTP status and a sentence that says how to allow it.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 400, 401, 403 or 415.
    pub status: u16,
    /// What was wrong, and the option that allows it.
    pub message: String,
}

/// What the rules read of a request.
pub struct Request<'a> {
    /// The method.
    pub method: &'a str,
    /// The path.
    pub path: &'a str,
    /// The query string, if any.
    pub query: Option<&'a str>,
    /// The `Host` header.
    pub host: Option<&'a str>,
    /// The `Origin` header.
    pub origin: Option<&'a str>,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// Whether it is a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`).
    pub preflight: bool,
}

impl Access {
    /// Whether `origin` (an `Origin` header) may use the collector reached as `host`.
    pub fn origin_allowed(&self, origin: &str, host: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        origin.eq_ignore_ascii_case(&format!("http://{host}"))
            || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// Refuses `request`, or lets it through.
    pub fn check(&self, request: &Request<'_>) -> Result<(), Refusal> {
        let refuse = |status, message: String| Err(Refusal { status, message });
        let Some(host) = request.host else {
            return refuse(400, "a request needs a Host header".to_owned());
        };
        if !self.host_allowed(host) {
            return refuse(
                403,
                format!(
                    "Host `{host}` does not name this collector; start it with --allow-host {} \
                     to allow that name",
                    host_name(host)
                ),
            );
        }
        if let Some(origin) = request.origin {
            if !self.origin_allowed(origin, host) {
                return refuse(
                    403,
                    format!(
                        "pages from `{origin}` may not use this collector; start it with \
                         --allow-origin {origin} to allow them"
                    ),
                );
            }
        }
        if let Some(token) = &self.token {
            if !request.preflight && !carries(request, token) {
                return refuse(
                    401,
                    "this collector needs its token: `Authorization: Bearer TOKEN`, or \
                     `?token=TOKEN` in a browser"
                        .to_owned(),
                );
            }
        }
        let changes_state = matches!(request.path, "/reset" | "/finish");
        let json = request
            .content_type
            .is_some_and(|t| t.trim_start().starts_with("application/json"));
        if request.method == "POST" && changes_state && !json {
            return refuse(
                415,
                format!(
                    "POST {} needs `Content-Type: application/json` (so that no web form can \
                     send it)",
                    request.path
                ),
            );
        }
        Ok(())
    }

    fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host);
        name.parse::<std::net::IpAddr>().is_ok()
            || name.eq_ignore_ascii_case("localhost")
            || self.hosts.iter().any(|allowed| {
                allowed.eq_ignore_ascii_case(host) || allowed.eq_ignore_ascii_case(name)
            })
    }
}

/// The name of a `Host` header, without its port (and an IPv6 address without brackets).
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// Whether the request carries `token`, compared in time independent of where it differs.
fn carries(request: &Request<'_>, token: &str) -> bool {
    let bearer = (request.authorization)
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let query =
        (request.query.unwrap_or_default().split('&')).find_map(|pair| pair.strip_prefix("token="));
    [bearer, query]
        .into_iter()
        .flatten()
        .any(|given| same(given.as_bytes(), token.as_bytes()))
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(method: &'a str, path: &'a str) -> Request<'a> {
        Request {
            method,
            path,
            query: None,
            host: Some("127.0.0.1:8421"),
            origin: None,
            authorization: None,
            content_type: None,
            preflight: false,
        }
    }

    fn status(access: &Access, request: &Request<'_>) -> u16 {
        access.check(request).err().map_or(200, |r| r.status)
    }

    #[test]
    fn hosts_are_addresses_localhost_or_names_given() {
        let access = Access {
            hosts: vec!["collector.test".to_owned()],
            ..Access::default()
        };
        for (host, expected) in [
            ("127.0.0.1:8421", 200),
            ("[::1]:8421", 200),
            ("localhost:8421", 200),
            ("collector.test:8421", 200),
            ("evil.example:8421", 403),
            ("127.0.0.1.evil.example", 403),
        ] {
            let mut asked = request("GET", "/report");
            asked.host = Some(host);
            assert_eq!(status(&access, &asked), expected, "{host}");
        }
        let mut without = request("GET", "/");
        without.host = None;
        assert_eq!(status(&access, &without), 400);
    }

    #[test]
    fn only_the_own_origin_and_origins_given_pass() {
        let access = Access {
            origins: vec!["http://localhost:3000".to_owned()],
            ..Access::default()
        };
        for (origin, expected) in [
            ("http://127.0.0.1:8421", 200),
            ("http://localhost:3000", 200),
            ("https://evil.example", 403),
            ("null", 403),
        ] {
            let mut asked = request("POST", "/events");
            asked.origin = Some(origin);
            assert_eq!(status(&access, &asked), expected, "{origin}");
        }
        let refusal = {
            let mut asked = request("POST", "/events");
            asked.origin = Some("https://evil.example");
            access.check(&asked).expect_err("refused")
        };
        assert!(refusal
            .message
            .contains("--allow-origin https://evil.example"));
    }

    #[test]
    fn a_token_is_required_everywhere_but_in_preflights() {
        let access = Access {
            token: Some("s3cret".to_owned()),
            ..Access::default()
        };
        assert_eq!(status(&access, &request("GET", "/report")), 401);
        let mut bearer = request("GET", "/report");
        bearer.authorization = Some("Bearer s3cret");
        assert_eq!(status(&access, &bearer), 200);
        let mut wrong = request("GET", "/report");
        wrong.authorization = Some("Bearer s3creT");
        assert_eq!(status(&access, &wrong), 401);
        let mut query = request("GET", "/updates");
        query.query = Some("x=1&token=s3cret");
        assert_eq!(status(&access, &query), 200);
        let mut preflight = request("OPTIONS", "/events");
        preflight.preflight = true;
        assert_eq!(status(&access, &preflight), 200);
    }

    #[test]
    fn reset_and_finish_need_json() {
        let access = Access::default();
        assert_eq!(status(&access, &request("POST", "/reset")), 415);
        let mut form = request("POST", "/finish");
        form.content_type = Some("application/x-www-form-urlencoded");
        assert_eq!(status(&access, &form), 415);
        let mut json = request("POST", "/reset");
        json.content_type = Some("application/json; charset=utf-8");
        assert_eq!(status(&access, &json), 200);
        assert_eq!(status(&access, &request("POST", "/events")), 200);
    }
}
