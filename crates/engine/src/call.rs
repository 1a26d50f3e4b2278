//! `Engine::call`: validate → authorize → operate (one transaction) → audit.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use time::OffsetDateTime;

use iamd_iam::{Ctx, IamError, Principal};
use iamd_store::{StoreError, Tx};
use iamd_wire::{ApiError, Operation, Params, QueryParams, Value};

use crate::Engine;
use crate::audit::Draft;
use crate::authorize::{Authz, Verdict, authorize};
use crate::table::{self, Entry, Handler};

/// Which front end a call came through (recorded in the audit trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontEnd {
    /// The IAM and STS Query API.
    Api,
    /// CloudTrail's JSON API (`LookupEvents`).
    CloudTrail,
    /// The web console.
    Console,
    /// Another service asking for a decision.
    Authorize,
    /// A metadata agent asking for an instance profile's role credentials.
    Instance,
    /// The `iamd` command on the server's store, acting as an account's root.
    Cli,
}

impl FrontEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            FrontEnd::Api => "api",
            FrontEnd::CloudTrail => "cloudtrail",
            FrontEnd::Console => "console",
            FrontEnd::Authorize => "authorize",
            FrontEnd::Instance => "instance",
            FrontEnd::Cli => "cli",
        }
    }
}

/// What the request tells about itself, for the `aws:` global condition keys and the audit
/// trail.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub request_id: String,
    pub front_end: FrontEnd,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub secure_transport: bool,
    /// The region the request was signed for.
    pub region: Option<String>,
}

impl RequestFacts {
    pub fn new(request_id: impl Into<String>, front_end: FrontEnd) -> RequestFacts {
        RequestFacts {
            request_id: request_id.into(),
            front_end,
            source_ip: None,
            user_agent: None,
            secure_transport: false,
            region: None,
        }
    }
}

/// An operation's input, as the front end has it. Either way it is validated against the
/// model with AWS's messages.
#[derive(Debug, Clone)]
pub enum Input {
    /// Query-protocol parameters (`UserName=…&Tags.member.1.Key=…`).
    Query(QueryParams),
    /// A typed tree (from JSON, an HTML form, or code).
    Typed(Params),
}

/// One call.
#[derive(Debug, Clone)]
pub struct Call {
    /// `None`: an unsigned request, accepted only by the operations AWS accepts unsigned.
    pub caller: Option<Principal>,
    /// The operation's name (`CreateUser`, `AssumeRole`, `LookupEvents`, …).
    pub operation: String,
    /// `Authorize` only: the principal a decision is asked about, as the front end
    /// authenticated it from the forwarded request (else the input's `PrincipalArn`).
    pub subject: Option<Principal>,
    pub input: Input,
    pub facts: RequestFacts,
}

/// A call's answer, with the audit event that recorded it.
#[derive(Debug)]
pub struct Answer {
    pub result: Result<Value, IamError>,
    pub event_id: Option<String>,
    /// The authorization decision, when one was evaluated.
    pub verdict: Option<Verdict>,
}

/// Marks the store access of a cache-only attempt.
const CACHE_MISS: &str = "iamd: not in the caches";

/// A transaction that has nothing: any read is a cache miss.
struct CacheOnly;

impl Tx for CacheOnly {
    fn get(&mut self, _: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Err(StoreError::Backend(CACHE_MISS.into()))
    }
    fn put(&mut self, _: &[u8], _: &[u8]) -> Result<(), StoreError> {
        Err(StoreError::Backend(CACHE_MISS.into()))
    }
    fn delete(&mut self, _: &[u8]) -> Result<bool, StoreError> {
        Err(StoreError::Backend(CACHE_MISS.into()))
    }
    fn scan(
        &mut self,
        _: &[u8],
        _: Option<&[u8]>,
        _: usize,
    ) -> Result<Vec<iamd_store::Pair>, StoreError> {
        Err(StoreError::Backend(CACHE_MISS.into()))
    }
}

/// The operation's name as a metric label: names outside the table share one label, so a
/// caller cannot grow the metrics without bound.
fn metric_name(operation: &str) -> &'static str {
    table::entry(operation).map_or("unknown", |e| e.name)
}

fn unknown_operation(name: &str) -> IamError {
    ApiError::new(
        "InvalidAction",
        400,
        format!("Could not find operation {name}"),
    )
    .into()
}

fn not_implemented(name: &str) -> IamError {
    ApiError::new(
        "NotImplemented",
        501,
        format!("iamd does not implement {name} yet."),
    )
    .into()
}

fn missing_authentication() -> IamError {
    ApiError::new(
        "MissingAuthenticationToken",
        403,
        "Request is missing Authentication Token",
    )
    .into()
}

/// A validated call, ready to run.
struct Prepared {
    entry: &'static Entry,
    op: Operation,
    caller: Option<Principal>,
    subject: Option<Principal>,
    params: Params,
    facts: RequestFacts,
    draft: Draft,
    /// The caches' epochs (policies, resources), taken before any transaction opens (see
    /// `cache`).
    epochs: (u64, u64),
}

impl Engine {
    /// Runs one call through the engine.
    pub async fn call(self: &Arc<Engine>, call: Call) -> Result<Value, IamError> {
        self.call_detailed(call).await.result
    }

    /// Runs one call through the engine, with its audit event id and decision.
    pub async fn call_detailed(self: &Arc<Engine>, call: Call) -> Answer {
        let started = Instant::now();
        let name = metric_name(&call.operation);
        let answer = match self.prepare(call) {
            Err(a) => *a,
            Ok(p) if matches!(p.entry.handler, Handler::Authorize) => {
                match self.authorize_from_caches(p) {
                    Ok(a) => a,
                    Err(p) => {
                        let engine = self.clone();
                        match tokio::task::spawn_blocking(move || engine.execute(*p)).await {
                            Ok(a) => a,
                            Err(_) => Answer {
                                result: Err(IamError::from(ApiError::service_failure())),
                                event_id: None,
                                verdict: None,
                            },
                        }
                    }
                }
            }
            Ok(p) if p.entry.handler.needs_store() => {
                let engine = self.clone();
                match tokio::task::spawn_blocking(move || engine.execute(p)).await {
                    Ok(a) => a,
                    Err(_) => Answer {
                        result: Err(IamError::from(ApiError::service_failure())),
                        event_id: None,
                        verdict: None,
                    },
                }
            }
            Ok(p) => self.execute(p),
        };
        self.metrics.observe_call(name, &answer, started.elapsed());
        answer
    }

    /// [`Engine::call`] on the current thread (tools and tests; never on an async thread).
    pub fn call_blocking(&self, call: Call) -> Answer {
        let started = Instant::now();
        let name = metric_name(&call.operation);
        let answer = match self.prepare(call) {
            Err(a) => *a,
            Ok(p) => self.execute(p),
        };
        self.metrics.observe_call(name, &answer, started.elapsed());
        answer
    }

    /// Validation: the operation exists, the caller may call it unsigned if unsigned, and the
    /// input satisfies the model.
    fn prepare(&self, call: Call) -> Result<Prepared, Box<Answer>> {
        let Call {
            caller,
            operation,
            subject,
            input,
            facts,
        } = call;
        let (Some(entry), Some(op)) = (
            table::entry(&operation),
            self.model.operation(table::model_operation(&operation)),
        ) else {
            return Err(Box::new(Answer {
                result: Err(unknown_operation(&operation)),
                event_id: None,
                verdict: None,
            }));
        };
        let mut draft = Draft::new(entry, caller.as_ref(), &facts, &self.config.region);
        let validated = match (&caller, input) {
            (None, _) if !entry.unsigned => Err(missing_authentication()),
            (_, Input::Query(q)) => {
                iamd_wire::decode_input(&self.model, op, &q).map_err(IamError::from)
            }
            (_, Input::Typed(p)) => {
                iamd_wire::decode_typed(&self.model, op, &p).map_err(IamError::from)
            }
        };
        let params = match validated {
            Ok(p) => p,
            Err(e) => {
                let event_id = self.audit.record_later(&draft, Err(&e));
                return Err(Box::new(Answer {
                    result: Err(e),
                    event_id,
                    verdict: None,
                }));
            }
        };
        draft.set_params(&params, &self.model, op);
        Ok(Prepared {
            entry,
            op: op.clone(),
            caller,
            subject,
            params,
            facts,
            draft,
            epochs: (self.policies.epoch(), self.resources.epoch()),
        })
    }

    fn execute(&self, p: Prepared) -> Answer {
        let Prepared {
            entry,
            op,
            caller,
            subject,
            params,
            facts,
            mut draft,
            epochs,
        } = p;
        let now = OffsetDateTime::now_utc();
        let result = match (&entry.handler, &caller) {
            (Handler::NotImplemented, _) => Err(not_implemented(entry.name)),
            (Handler::WebIdentity, _) => {
                crate::web_identity::assume_role_with_web_identity(self, &params, &mut draft, now)
            }
            (Handler::Saml, _) => {
                crate::saml::assume_role_with_saml(self, &params, &mut draft, now)
            }
            (_, None) => Err(missing_authentication()),
            (Handler::Caller(f), Some(c)) => Ok(f(c)),
            (Handler::InstanceCredentials, Some(c)) => {
                crate::instance::credentials(self, c, &op, &params, &facts, &draft, now)
            }
            (Handler::Authorize, Some(c)) => {
                let mut body = |tx: &mut dyn Tx| {
                    self.authorize_in(
                        tx,
                        c,
                        subject.as_ref(),
                        entry,
                        &op,
                        &params,
                        &facts,
                        &mut draft,
                        now,
                        epochs,
                    )
                };
                iamd_store::read(self.store.as_ref(), &mut body)
            }
            (Handler::Read(f) | Handler::Write(f), Some(c)) => {
                let writing = matches!(entry.handler, Handler::Write(_));
                let ring = self.sealing_ring();
                let account = c.account.clone();
                let ctx = Ctx {
                    caller: c,
                    account: &account,
                    now,
                    limits: &self.config.limits,
                    master: &self.master,
                    ring: &ring,
                };
                let mut body = |tx: &mut dyn Tx| -> Result<Value, IamError> {
                    let a = Authz {
                        caller: c,
                        entry,
                        op: &op,
                        params: &params,
                        facts: &facts,
                        now,
                        policy_epoch: epochs.0,
                        resource_epoch: epochs.1,
                    };
                    let mut v = authorize(self, tx, &a)?;
                    let denied = v.error.take();
                    draft.set_decision(v);
                    if let Some(e) = denied {
                        return Err(e.into());
                    }
                    f(tx, &ctx, &params)
                };
                if writing {
                    self.transact_write(&draft, &mut body)
                } else {
                    iamd_store::read(self.store.as_ref(), &mut body)
                }
            }
        };
        // A successful write's event committed with it; everything else is recorded now.
        let event_id = match (&result, entry.handler.writes()) {
            (Ok(_), true) => Some(draft.event_id.clone()),
            _ => self.audit.record_later(&draft, result.as_ref()),
        };
        if let Err(e) = &result
            && e.is_server_fault()
        {
            tracing::error!(request_id = %facts.request_id, error = %e, "server fault");
        }
        Answer {
            result,
            event_id,
            verdict: draft.take_decision(),
        }
    }

    /// `Authorize`: the caller's `iamd:Authorize`, then the decision about the subject.
    #[allow(clippy::too_many_arguments)]
    fn authorize_in(
        &self,
        tx: &mut dyn Tx,
        caller: &Principal,
        subject: Option<&Principal>,
        entry: &'static Entry,
        op: &Operation,
        params: &Params,
        facts: &RequestFacts,
        draft: &mut Draft,
        now: OffsetDateTime,
        epochs: (u64, u64),
    ) -> Result<Value, IamError> {
        let a = Authz {
            caller,
            entry,
            op,
            params,
            facts,
            now,
            policy_epoch: epochs.0,
            resource_epoch: epochs.1,
        };
        let v = authorize(self, tx, &a)?;
        if let Some(e) = v.error.clone() {
            draft.set_decision(v);
            return Err(e.into());
        }
        let anonymous = params.bool("Anonymous") == Some(true);
        let given = [
            params.get("Request").is_some(),
            params.get("PrincipalArn").is_some(),
            anonymous,
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(ApiError::invalid_input(
                "Give exactly one of the forwarded Request, a PrincipalArn, or Anonymous.",
            )
            .into());
        }
        let (out, decision, statements) = if anonymous {
            draft.set_anonymous_subject();
            crate::decide::decide_anonymous(params, facts, now)?
        } else {
            let subject = match (subject, params.str("PrincipalArn")) {
                (Some(s), _) => s.clone(),
                (None, Some(arn)) => crate::decide::principal_by_arn(tx, arn)?,
                (None, None) => {
                    return Err(ApiError::invalid_input(
                        "Give the forwarded Request or a PrincipalArn.",
                    )
                    .into());
                }
            };
            draft.set_subject(&subject);
            crate::decide::decide(self, tx, &subject, params, facts, now, epochs.0)?
        };
        draft.set_decision(Verdict {
            allowed: decision == "Allow",
            decision,
            statements,
            error: None,
        });
        Ok(out)
    }

    /// `Authorize` from the caches alone, on the calling thread: no transaction and no
    /// blocking-pool round trip when every policy set it needs is cached. `Err` gives the call
    /// back for the store path.
    fn authorize_from_caches(&self, mut p: Prepared) -> Result<Answer, Box<Prepared>> {
        let Some(caller) = p.caller.clone() else {
            return Err(Box::new(p));
        };
        let now = OffsetDateTime::now_utc();
        let mut tx = CacheOnly;
        let result = self.authorize_in(
            &mut tx,
            &caller,
            p.subject.as_ref(),
            p.entry,
            &p.op,
            &p.params,
            &p.facts,
            &mut p.draft,
            now,
            p.epochs,
        );
        if let Err(IamError::Store(StoreError::Backend(m))) = &result
            && m == CACHE_MISS
        {
            return Err(Box::new(p));
        }
        let event_id = self.audit.record_later(&p.draft, result.as_ref());
        Ok(Answer {
            result,
            event_id,
            verdict: p.draft.take_decision(),
        })
    }

    /// Runs `body` in a write transaction and, when it succeeds, appends the call's audit event
    /// in the same transaction: no change without its record.
    pub(crate) fn transact_write(
        &self,
        draft: &Draft,
        body: &mut dyn FnMut(&mut dyn Tx) -> Result<Value, IamError>,
    ) -> Result<Value, IamError> {
        let audit = self.config.audit;
        let written = iamd_store::write(self.store.as_ref(), |tx| {
            let v = body(tx)?;
            if audit {
                self.audit.append_in(tx, draft, Ok(&v))?;
            }
            Ok::<_, IamError>(v)
        });
        if written.is_ok() && audit {
            self.metrics.audit_written(1);
        }
        written
    }
}
