//! `allowed_outbound_hosts` entries, parsed and checked as Spin does.

use std::{fmt, net::IpAddr, ops::Range};

use crate::template::Template;

/// The domain of Spin's service chaining: `http://<component-id>.spin.internal`.
pub const SERVICE_CHAINING_SUFFIX: &str = ".spin.internal";

/// The component a service-chaining host names (`web.spin.internal` → `web`).
pub fn service_chaining_component(host: &str) -> Option<&str> {
    let host = host.split(':').next().unwrap_or(host);
    host.strip_suffix(SERVICE_CHAINING_SUFFIX)
        .filter(|c| !c.is_empty() && !c.contains('.'))
}

/// The scheme part of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `*://`
    Any,
    /// One scheme, e.g. `https`.
    Named(String),
}

/// The host part of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// `*`
    Any,
    /// `*.example.com`: any subdomain; holds `.example.com`.
    AnySubdomain(String),
    /// `self` (or `self.alt`): relative requests to the app itself.
    ToSelf,
    /// A domain name, lowercased.
    Domain(String),
    /// An IP address.
    Ip(IpAddr),
    /// An IP network, `10.0.0.0/8`.
    Cidr(IpAddr, u8),
}

/// The port part of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    /// `:*`
    Any,
    /// One port (the scheme's well-known port when none was written).
    One(u16),
    /// `:8000..8010` (end excluded, as in Spin).
    Range(Range<u16>),
}

/// One `allowed_outbound_hosts` entry: `<scheme>://<host>[:<port>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    /// The scheme.
    pub scheme: Scheme,
    /// The host.
    pub host: Host,
    /// The port.
    pub port: Port,
    original: String,
}

/// A URL a component wants to reach, reduced to what the check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundUrl {
    /// The scheme, lowercased.
    pub scheme: String,
    /// The host, lowercased, IPv6 without brackets.
    pub host: String,
    /// The explicit port, if any.
    pub port: Option<u16>,
}

impl OutboundUrl {
    /// Parses `scheme://[user@]host[:port][/path...]`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("{url:?} has no scheme"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, tail) = v6
                .split_once(']')
                .ok_or_else(|| format!("bad IPv6 host in {url:?}"))?;
            (h, tail.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(format!("{url:?} has no host"));
        }
        let port = match port {
            None | Some("") => None,
            Some(p) => Some(p.parse().map_err(|_| format!("bad port in {url:?}"))?),
        };
        Ok(Self {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

fn well_known_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "postgres" => 5432,
        "mysql" => 3306,
        "redis" => 6379,
        "mqtt" => 1883,
        "http" => 80,
        "https" => 443,
        _ => return None,
    })
}

const FORMAT_HELP: &str =
    "Hosts must be in the form <scheme>://<host>[:<port>], with '*' wildcards allowed for each.";

impl AllowedHost {
    /// Parses one literal entry with Spin's rules (a `{{ var }}` template is a
    /// [`HostEntry::Template`], resolved once the application variables are known).
    pub fn parse(entry: &str) -> Result<Self, String> {
        let url = entry.trim();
        if url == "insecure:allow-all" {
            return Err("'insecure:allow-all' is not allowed - use '*://*:*' instead if you really want to allow all outbound traffic'".into());
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(match url {
                "*" | ":" | "" | "?" => {
                    format!("{url:?} is not an allowed outbound host format.\n{FORMAT_HELP}")
                }
                _ => format!("{url:?} does not contain a scheme (e.g., 'http://' or '*://')"),
            });
        };
        let (host, port) = match rest.rsplit_once(':') {
            None => (rest, ""),
            Some((h, "")) => (h, ""),
            Some((h, tail)) if parse_host(rest).is_err() => {
                let port = match tail.split_once('/') {
                    Some((_, path)) if !path.is_empty() => {
                        return Err(format!("{url:?} has a path but is not allowed to"));
                    }
                    Some((port, _)) => port,
                    None => tail,
                };
                (h, port)
            }
            Some(_) => (rest, ""),
        };
        let port = parse_port(port, scheme)
            .map_err(|e| format!("Invalid allowed host port {port:?}: {e}"))?;
        let scheme = match scheme {
            "*" => Scheme::Any,
            s if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()) => {
                Scheme::Named(s.to_ascii_lowercase())
            }
            s => {
                return Err(format!(
                    "Invalid allowed host scheme {s:?}: only alphabetic characters are allowed"
                ));
            }
        };
        let host = parse_host(host).map_err(|e| format!("Invalid allowed host {host:?}: {e}"))?;
        Ok(Self {
            scheme,
            host,
            port,
            original: entry.to_owned(),
        })
    }

    /// Whether a request to `url` is allowed by this entry.
    pub fn allows(&self, url: &OutboundUrl) -> bool {
        let scheme_ok = match &self.scheme {
            Scheme::Any => true,
            Scheme::Named(s) => *s == url.scheme,
        };
        let port_ok = match &self.port {
            Port::Any => true,
            port => match url.port.or_else(|| well_known_port(&url.scheme)) {
                None => false,
                Some(p) => match port {
                    Port::One(one) => *one == p,
                    Port::Range(r) => r.contains(&p),
                    Port::Any => true,
                },
            },
        };
        scheme_ok && port_ok && self.allows_host(&url.host)
    }

    fn allows_host(&self, host: &str) -> bool {
        let ip = host.parse::<IpAddr>().ok();
        match (&self.host, ip) {
            (Host::Any, _) => true,
            (Host::AnySubdomain(suffix), None) => host.ends_with(suffix.as_str()),
            (Host::Domain(d), None) => d == host,
            (Host::Ip(a), Some(b)) => *a == b,
            (Host::Cidr(net, bits), Some(b)) => in_network(*net, *bits, b),
            _ => false,
        }
    }

    /// Whether relative requests (to the app itself) with one of `schemes` are allowed.
    pub fn allows_relative(&self, schemes: &[&str]) -> bool {
        let scheme_ok = match &self.scheme {
            Scheme::Any => true,
            Scheme::Named(s) => schemes.contains(&s.as_str()),
        };
        scheme_ok && matches!(self.host, Host::Any | Host::ToSelf)
    }

    /// Whether this entry is for service chaining (`*.spin.internal` or
    /// `<component>.spin.internal`).
    pub fn is_for_service_chaining(&self) -> bool {
        match &self.host {
            Host::Domain(d) => d.ends_with(SERVICE_CHAINING_SUFFIX),
            Host::AnySubdomain(s) => s == SERVICE_CHAINING_SUFFIX,
            _ => false,
        }
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// One `allowed_outbound_hosts` entry as written in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEntry {
    /// A literal entry, parsed when the manifest is loaded.
    Exact(AllowedHost),
    /// An entry with `{{ variable }}` templates over application variables
    /// (`"{{ mail_api_origin }}"`, `"postgres://{{ db_host }}:5432"`), parsed once
    /// the variables are resolved, as Spin does.
    Template(Template),
}

impl HostEntry {
    /// Parses an entry: a template when it holds `{{ }}`, else a literal entry.
    pub fn parse(entry: &str) -> Result<Self, String> {
        let template = Template::parse(entry.trim()).map_err(|e| format!("{entry:?}: {e}"))?;
        if template.is_literal() {
            AllowedHost::parse(entry).map(Self::Exact)
        } else {
            Ok(Self::Template(template))
        }
    }

    /// The literal entry, if this is not a template.
    pub fn exact(&self) -> Option<&AllowedHost> {
        match self {
            Self::Exact(host) => Some(host),
            Self::Template(_) => None,
        }
    }

    /// The template, if this is one.
    pub fn template(&self) -> Option<&Template> {
        match self {
            Self::Exact(_) => None,
            Self::Template(template) => Some(template),
        }
    }

    /// The entry with its variables given by `resolve`. As in Spin, a template
    /// that resolves to nothing (`""`, `"http://"`, `"https://"`) allows nothing
    /// (`Ok(None)`): an optional endpoint left unset.
    pub fn resolve(
        &self,
        resolve: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<AllowedHost>, String> {
        let template = match self {
            Self::Exact(host) => return Ok(Some(host.clone())),
            Self::Template(template) => template,
        };
        let resolved = template.render(resolve).map_err(|e| e.to_string())?;
        if matches!(resolved.trim(), "" | "http://" | "https://") {
            return Ok(None);
        }
        AllowedHost::parse(&resolved).map(Some).map_err(|e| {
            format!(
                "the template {:?} resolves to {resolved:?}: {e}",
                template.to_string()
            )
        })
    }

    /// Whether this is a literal service-chaining entry (templates are not
    /// known until resolved; Spin's load-time checks skip them too).
    pub fn is_for_service_chaining(&self) -> bool {
        self.exact()
            .is_some_and(AllowedHost::is_for_service_chaining)
    }
}

impl fmt::Display for HostEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(host) => host.fmt(f),
            Self::Template(template) => template.fmt(f),
        }
    }
}

fn parse_port(port: &str, scheme: &str) -> Result<Port, String> {
    if port.is_empty() {
        return well_known_port(scheme).map(Port::One).ok_or_else(|| {
            format!("no port was provided and the scheme {scheme:?} does not have a known default port number")
        });
    }
    if port == "*" {
        return Ok(Port::Any);
    }
    if port.starts_with('{') {
        return Err("port lists are not yet supported".into());
    }
    if let Some((a, b)) = port.split_once("..") {
        let num = |s: &str| {
            s.parse::<u16>()
                .map_err(|_| format!("port range {port:?} contains non-number"))
        };
        return Ok(Port::Range(num(a)?..num(b)?));
    }
    port.parse()
        .map(Port::One)
        .map_err(|_| format!("port {port:?} is not a number"))
}

fn parse_host(host: &str) -> Result<Host, String> {
    let host = host.trim();
    match host {
        "*" => return Ok(Host::Any),
        "self" | "self.alt" => return Ok(Host::ToSelf),
        _ => {}
    }
    if host.starts_with('{') {
        return Err("host lists are not yet supported".into());
    }
    if let Some((net, bits)) = host.split_once('/')
        && let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u8>())
    {
        let max = if net.is_ipv4() { 32 } else { 128 };
        if bits > max {
            return Err(format!("invalid network prefix length {bits}"));
        }
        return Ok(Host::Cidr(net, bits));
    }
    let host = host.strip_suffix('/').unwrap_or(host);
    if host.contains('/') {
        return Err("must not include a path".into());
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6
            .parse()
            .map(Host::Ip)
            .map_err(|_| "invalid IPv6 address".into());
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    if let Some(domain) = host.strip_prefix("*.") {
        if domain.contains('*') {
            return Err("wildcards are allowed only as prefixes".into());
        }
        check_domain(domain)?;
        return Ok(Host::AnySubdomain(format!(
            ".{}",
            domain.to_ascii_lowercase()
        )));
    }
    if host.contains('*') {
        return Err("wildcards are allowed only as subdomains".into());
    }
    check_domain(host)?;
    Ok(Host::Domain(host.to_ascii_lowercase()))
}

fn check_domain(d: &str) -> Result<(), String> {
    let ok = !d.is_empty()
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(format!("invalid domain {d:?}"))
    }
}

fn in_network(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(entry: &str, url: &str) -> bool {
        AllowedHost::parse(entry)
            .unwrap()
            .allows(&OutboundUrl::parse(url).unwrap())
    }

    #[test]
    fn forms() {
        let h = AllowedHost::parse("https://example.com").unwrap();
        assert_eq!(h.scheme, Scheme::Named("https".into()));
        assert_eq!(h.host, Host::Domain("example.com".into()));
        assert_eq!(h.port, Port::One(443));
        let h = AllowedHost::parse("*://example.com:*").unwrap();
        assert_eq!((h.scheme, h.port), (Scheme::Any, Port::Any));
        assert_eq!(
            AllowedHost::parse("http://self").unwrap().host,
            Host::ToSelf
        );
        assert_eq!(
            AllowedHost::parse("http://*.spin.internal").unwrap().host,
            Host::AnySubdomain(".spin.internal".into())
        );
        assert_eq!(
            AllowedHost::parse("tcp://10.0.0.0/8:5432").unwrap().host,
            Host::Cidr("10.0.0.0".parse().unwrap(), 8)
        );
        assert_eq!(
            AllowedHost::parse("http://localhost:3000..3010")
                .unwrap()
                .port,
            Port::Range(3000..3010)
        );
        assert_eq!(
            AllowedHost::parse("http://[::1]:80").unwrap().host,
            Host::Ip("::1".parse().unwrap())
        );
    }

    #[test]
    fn refusals() {
        for bad in [
            "example.com",
            "*",
            "",
            "https://{{ host }}",
            "insecure:allow-all",
            "http://exa*mple.com",
            "http://*.*.com",
            "ftp://example.com",
            "http://example.com/path",
            "ht-tp://example.com",
            "http://example.com:x",
        ] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad}");
        }
        assert!(
            AllowedHost::parse("example.com")
                .unwrap_err()
                .contains("does not contain a scheme")
        );
    }

    #[test]
    fn templates() {
        let entry = HostEntry::parse("{{ mail_api_origin }}").unwrap();
        assert_eq!(entry.to_string(), "{{ mail_api_origin }}");
        assert!(entry.exact().is_none() && !entry.is_for_service_chaining());
        let vars =
            |value: &'static str| move |n: &str| (n == "mail_api_origin").then(|| value.to_owned());
        let host = entry
            .resolve(vars("http://127.0.0.1:3025"))
            .unwrap()
            .unwrap();
        assert!(host.allows(&OutboundUrl::parse("http://127.0.0.1:3025/messages").unwrap()));
        assert!(!host.allows(&OutboundUrl::parse("http://127.0.0.1:3026/messages").unwrap()));
        assert_eq!(host.to_string(), "http://127.0.0.1:3025");
        // An empty value is an optional endpoint left unset: nothing allowed.
        assert_eq!(entry.resolve(vars("")).unwrap(), None);
        assert_eq!(entry.resolve(vars("https://")).unwrap(), None);
        let err = entry.resolve(vars("mail.example.org")).unwrap_err();
        assert!(err.contains("resolves to \"mail.example.org\""), "{err}");
        assert!(err.contains("does not contain a scheme"), "{err}");
        assert_eq!(
            entry.resolve(|_| None).unwrap_err(),
            "no value for variable \"mail_api_origin\""
        );
        let pg = HostEntry::parse("postgres://{{ db_host }}:5432").unwrap();
        let host = pg
            .resolve(|_| Some("db.internal".to_owned()))
            .unwrap()
            .unwrap();
        assert_eq!(host.port, Port::One(5432));
        assert_eq!(host.host, Host::Domain("db.internal".into()));
        // Literal entries stay literal and are checked at once.
        assert!(
            HostEntry::parse("http://*.spin.internal")
                .unwrap()
                .is_for_service_chaining()
        );
        assert!(HostEntry::parse("example.com").is_err());
        assert!(
            HostEntry::parse("https://{{ host")
                .unwrap_err()
                .contains("unmatched")
        );
    }

    #[test]
    fn matching() {
        assert!(allows("https://example.com", "https://example.com/a?b"));
        assert!(allows("https://example.com", "https://EXAMPLE.com:443/"));
        assert!(!allows("https://example.com", "http://example.com/"));
        assert!(!allows("https://example.com", "https://example.com:8443/"));
        assert!(!allows("https://example.com", "https://api.example.com/"));
        assert!(allows("https://*.example.com", "https://api.example.com/"));
        assert!(!allows("https://*.example.com", "https://example.com/"));
        assert!(allows("*://example.com:*", "redis://example.com:1234"));
        assert!(allows(
            "http://localhost:3000..3010",
            "http://localhost:3009"
        ));
        assert!(!allows(
            "http://localhost:3000..3010",
            "http://localhost:3010"
        ));
        assert!(allows("*://10.0.0.0/8:*", "postgres://10.1.2.3:5432"));
        assert!(!allows("*://10.0.0.0/8:*", "postgres://11.1.2.3:5432"));
        assert!(!allows("http://self", "http://self/"));
        assert!(
            AllowedHost::parse("http://self")
                .unwrap()
                .allows_relative(&["http"])
        );
        assert!(
            !AllowedHost::parse("https://example.com")
                .unwrap()
                .allows_relative(&["https"])
        );
    }

    #[test]
    fn service_chaining() {
        assert!(allows(
            "http://*.spin.internal",
            "http://policy.spin.internal/decide"
        ));
        assert!(allows(
            "http://policy.spin.internal",
            "http://policy.spin.internal/x"
        ));
        assert!(!allows(
            "http://policy.spin.internal",
            "http://web.spin.internal/x"
        ));
        assert!(
            AllowedHost::parse("http://*.spin.internal")
                .unwrap()
                .is_for_service_chaining()
        );
        assert!(
            !AllowedHost::parse("http://example.com")
                .unwrap()
                .is_for_service_chaining()
        );
        assert_eq!(
            service_chaining_component("policy.spin.internal"),
            Some("policy")
        );
        assert_eq!(
            service_chaining_component("policy.spin.internal:80"),
            Some("policy")
        );
        assert_eq!(service_chaining_component("example.com"), None);
    }
}
