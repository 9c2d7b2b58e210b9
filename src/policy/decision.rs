//! `Decision`, the answer to one request, and its HTTP and JSON forms.

use std::fmt::Write as _;

use super::model::Policy;
use crate::error::{challenge, Code};
use crate::json::{write_str, write_str_array};

/// The answer to one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allow: bool,
    /// 200, 400, 401 or 403.
    pub status: u16,
    /// The stable code, `None` when allowed.
    pub code: Option<Code>,
    /// The index of the rule that decided, if one matched.
    pub rule: Option<usize>,
    /// Scopes the rule needs that are not effective.
    pub missing_scopes: Vec<String>,
    /// Roles the rule needs that the user does not hold.
    pub missing_roles: Vec<String>,
    /// The constraint that failed.
    pub constraint: Option<&'static str>,
    /// One sentence for a log.
    pub reason: String,
    /// Whether the subject was not verified by tollgate (UI gating only).
    pub unverified: bool,
    /// The effective scopes.
    pub scopes: Vec<String>,
    /// The roles held (policy roles, with inheritance).
    pub roles: Vec<String>,
}

impl Decision {
    /// An allowed request.
    pub(super) fn allowed(reason: String) -> Decision {
        Decision {
            allow: true,
            status: 200,
            code: None,
            rule: None,
            missing_scopes: Vec::new(),
            missing_roles: Vec::new(),
            constraint: None,
            reason,
            unverified: false,
            scopes: Vec::new(),
            roles: Vec::new(),
        }
    }

    /// A refused request, answered as the code table says.
    pub(super) fn refuse(code: Code, reason: String) -> Decision {
        let mut d = Decision::allowed(reason);
        d.deny(code);
        d
    }

    /// Turns this decision into a refusal with `code` (its status from the table).
    pub(super) fn deny(&mut self, code: Code) {
        self.allow = false;
        self.status = code.status().unwrap_or(403);
        self.code = Some(code);
    }

    /// The RFC 6750 §3 `WWW-Authenticate` value for a 400/401/403, `None` when allowed.
    pub fn www_authenticate(&self, realm: Option<&str>) -> Option<String> {
        challenge(self.code?, realm, &self.reason, &self.missing_scopes)
    }

    /// [`Decision::www_authenticate`] in `scheme`, for a refused API key or
    /// Basic credentials ([`crate::error::challenge_for`]: none for Basic's 403).
    pub fn challenge_for(&self, scheme: crate::Scheme, realm: Option<&str>) -> Option<String> {
        crate::error::challenge_for(
            scheme,
            self.code?,
            realm,
            &self.reason,
            &self.missing_scopes,
        )
    }

    /// The decision as JSON text (`rule` from `policy`, realm for the header).
    pub fn to_json(&self, policy: &Policy, realm: Option<&str>) -> String {
        let mut out = String::with_capacity(256);
        let _ = write!(
            out,
            "{{\"allow\":{},\"status\":{},\"code\":",
            self.allow, self.status
        );
        write_opt_str(&mut out, self.code.map(Code::as_str));
        out.push_str(",\"rule\":");
        match self.rule.and_then(|i| policy.rules.get(i).map(|r| (i, r))) {
            Some((i, rule)) => {
                let _ = write!(out, "{{\"index\":{i},\"id\":");
                write_opt_str(&mut out, rule.id.as_deref());
                out.push_str(",\"method\":");
                write_str_array(&mut out, &rule.methods.names());
                out.push_str(",\"path\":");
                write_str(&mut out, &rule.path_text);
                out.push('}');
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"missingScopes\":");
        write_str_array(&mut out, &self.missing_scopes);
        out.push_str(",\"missingRoles\":");
        write_str_array(&mut out, &self.missing_roles);
        out.push_str(",\"constraint\":");
        write_opt_str(&mut out, self.constraint);
        out.push_str(",\"reason\":");
        write_str(&mut out, &self.reason);
        out.push_str(",\"wwwAuthenticate\":");
        write_opt_str(&mut out, self.www_authenticate(realm).as_deref());
        let _ = write!(out, ",\"unverified\":{},\"scopes\":", self.unverified);
        write_str_array(&mut out, &self.scopes);
        out.push_str(",\"roles\":");
        write_str_array(&mut out, &self.roles);
        out.push('}');
        out
    }
}

pub(super) fn write_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}
