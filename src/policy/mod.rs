//! Policy as code: a versioned JSON document of scopes, roles and route
//! rules, compiled once ([`Policy::from_json`]) and evaluated per request
//! ([`Policy::evaluate`]) into an HTTP-ready [`Decision`].
//!
//! The model: a scope tags a permission delegated to a client (it rides in
//! the token); a role is a collection of permissions the user holds. A rule
//! names the scopes and roles a route needs. A scope that the policy lets
//! some role grant is honoured only when one of the user's roles grants it,
//! so an admin scope minted into a non-admin's token is refused. Scopes imply
//! other scopes and roles inherit roles, transitively; both closures are
//! computed at load. Constraints (networks, environments, UTC time windows,
//! token lifetime) bind to a scope or a rule.
//!
//! Evaluation never fails: every request gets a decision with a status, a
//! stable code and a reason written for a log line.

mod bits;
mod carried;
mod constraints;
mod cover;
mod decide;
mod decision;
mod describe;
mod load;
mod model;
mod read;

pub use carried::Carried;
pub use constraints::{Kind, KINDS};
pub use cover::{Cover, Shadowed};
pub use decide::{AlreadyRead, Request, Subject};
pub use decision::Decision;
pub use load::VERSION;
pub use model::Policy;
