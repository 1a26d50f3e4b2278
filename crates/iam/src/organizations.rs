//! The operations that exist only for accounts in an AWS Organizations organization:
//! centralized root access (`ListOrganizationsFeatures`, `Enable…`/`Disable…`
//! `OrganizationsRoot…`) and the Organizations access report.
//!
//! iamd has no Organizations: every account is a standalone account, so these answer what AWS
//! answers such an account. The root-access operations' models list
//! `OrganizationNotFoundException` ("no organization is associated with your account"); the
//! access report is built by Organizations itself, which refuses an account outside an
//! organization with `AWSOrganizationsNotInUseException`; and no report job can exist, so
//! `GetOrganizationsAccessReport` finds none.

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::users::required;
use crate::{Ctx, IamError};

/// AWS's answer to a centralized-root-access operation from an account outside an organization.
pub fn organization_not_found() -> IamError {
    IamError::service(
        "OrganizationNotFoundException",
        400,
        "The request was rejected because no organization is associated with your account.",
    )
}

/// Organizations' answer to an account that is not a member of an organization.
pub fn organizations_not_in_use() -> IamError {
    IamError::service(
        "AWSOrganizationsNotInUseException",
        400,
        "Your account isn't a member of an organization. To make this request, you must use the credentials of an account that belongs to an organization.",
    )
}

pub fn list_organizations_features(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(organization_not_found())
}

pub fn enable_organizations_root_credentials_management(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(organization_not_found())
}

pub fn disable_organizations_root_credentials_management(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(organization_not_found())
}

pub fn enable_organizations_root_sessions(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(organization_not_found())
}

pub fn disable_organizations_root_sessions(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(organization_not_found())
}

pub fn generate_organizations_access_report(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    Err(organizations_not_in_use())
}

/// No report was ever generated, so the job ID names nothing (the model's `NoSuchEntity`).
pub fn get_organizations_access_report(
    _tx: &mut dyn Tx,
    _ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let job = required(p, "JobId")?;
    Err(IamError::no_such_entity(
        crate::EntityKind::AccessReport,
        job,
        format!("Organizations access report with job ID {job} not found."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::World;

    #[test]
    fn root_access_operations_answer_no_organization() {
        let w = World::new();
        for op in [
            list_organizations_features as crate::testing::Op,
            enable_organizations_root_credentials_management,
            disable_organizations_root_credentials_management,
            enable_organizations_root_sessions,
            disable_organizations_root_sessions,
        ] {
            let e = w.call(op, &[]).unwrap_err().to_api();
            assert_eq!(e.code, "OrganizationNotFoundException");
            assert_eq!(e.status, 400);
        }
    }

    #[test]
    fn access_report_needs_an_organization() {
        let w = World::new();
        let e = w
            .call(
                generate_organizations_access_report,
                &[("EntityPath", "o-a1b2c3d4e5/r-f6g7h8i9j0example")],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "AWSOrganizationsNotInUseException");
        let e = w
            .call(
                get_organizations_access_report,
                &[("JobId", "examplea-1234-b567-cde8-90fg123abcd4")],
            )
            .unwrap_err()
            .to_api();
        assert_eq!(e.code, "NoSuchEntity");
        assert_eq!(e.status, 404);
    }
}
