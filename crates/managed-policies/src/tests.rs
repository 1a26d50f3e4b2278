use std::collections::HashSet;

use serde_json::Value;

use super::*;

fn get(name: &str) -> &'static ManagedPolicy {
    by_name(name).unwrap_or_else(|| panic!("{name} missing"))
}

fn json(p: &ManagedPolicy) -> Value {
    serde_json::from_str(p.document()).unwrap_or_else(|e| panic!("{}: {e}", p.name))
}

fn version_number(p: &ManagedPolicy) -> u32 {
    p.default_version_id[1..].parse().unwrap()
}

/// Every `Action`/`NotAction` string of a document.
fn actions(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let statements = match &doc["Statement"] {
        Value::Array(v) => v.clone(),
        s => vec![s.clone()],
    };
    for s in statements {
        for key in ["Action", "NotAction"] {
            match &s[key] {
                Value::String(a) => out.push(a.clone()),
                Value::Array(v) => {
                    out.extend(v.iter().filter_map(|a| a.as_str().map(String::from)))
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn count_is_in_the_expected_range() {
    let n = all().len();
    assert!((1_300..=2_500).contains(&n), "{n} policies");
}

#[test]
fn sorted_by_name_and_names_unique_ignoring_case() {
    assert!(all().windows(2).all(|w| w[0].name < w[1].name));
    let lower: HashSet<String> = all().iter().map(|p| p.name.to_lowercase()).collect();
    assert_eq!(lower.len(), all().len());
}

#[test]
fn paths_and_version_ids_are_well_formed() {
    let paths: HashSet<&str> = all().iter().map(|p| p.path).collect();
    let expected: HashSet<&str> = [
        "/",
        "/service-role/",
        "/aws-service-role/",
        "/job-function/",
        "/root-task/",
    ]
    .into();
    assert_eq!(paths, expected);
    for p in all() {
        assert!(
            p.default_version_id.starts_with('v') && version_number(p) >= 1,
            "{}",
            p.name
        );
    }
}

#[test]
fn dates_are_plausible() {
    let jan_2014 = 1_388_534_400;
    let jan_2100 = 4_102_444_800;
    for p in all() {
        assert!(jan_2014 <= p.create_date, "{}", p.name);
        assert!(p.create_date <= p.update_date, "{}", p.name);
        assert!(p.update_date < jan_2100, "{}", p.name);
    }
}

#[test]
fn every_document_is_a_2012_10_17_policy() {
    let mut exceptions = Vec::new();
    for p in all() {
        let d = p.document();
        assert!(d.starts_with(r#"{"Version":"#), "{}", p.name);
        assert!(d.ends_with('}') && !d.contains('\n'), "{}", p.name);
        let v = json(p);
        if v["Version"] != "2012-10-17" || v["Statement"].is_null() {
            exceptions.push(p.name);
        }
    }
    assert_eq!(exceptions, Vec::<&str>::new());
}

#[test]
fn documents_tile_the_blob() {
    let mut end = 0;
    for p in all() {
        assert_eq!(p.doc_offset as usize, end, "{}", p.name);
        end += p.doc_len as usize + 1;
    }
    assert_eq!(end, DOCUMENTS.len());
}

#[test]
fn administrator_access() {
    let p = get("AdministratorAccess");
    assert_eq!(p.path, "/");
    assert_eq!(p.default_version_id, "v1");
    assert_eq!(p.arn(), "arn:aws:iam::aws:policy/AdministratorAccess");
    assert_eq!(p.policy_id(), "ANPAIWMBCKSKIEE64ZLYK");
    assert!(p.has_aws_id());
    assert_eq!(
        p.description,
        Some("Provides full access to AWS services and resources.")
    );
    assert_eq!(p.create_date, 1_423_247_986); // 2015-02-06T18:39:46Z
    // Byte for byte what iamd served before, keys in AWS's order.
    assert_eq!(
        p.document(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
    );
}

#[test]
fn read_only_access_is_complete() {
    let p = get("ReadOnlyAccess");
    assert_eq!(p.path, "/");
    assert_eq!(p.policy_id(), "ANPAILL3HVNFSB6DCOWYQ");
    assert!(version_number(p) >= 190, "{}", p.default_version_id);
    assert!(p.document().len() > 50_000);
    let acts = actions(&json(p));
    let services: HashSet<&str> = acts.iter().filter_map(|a| a.split(':').next()).collect();
    assert!(services.len() > 300, "{} services", services.len());
    for a in [
        "iam:Get*",
        "s3:Get*",
        "ec2:Describe*",
        "dynamodb:Scan",
        "sts:GetCallerIdentity",
    ] {
        assert!(acts.iter().any(|x| x == a), "{a}");
    }
}

#[test]
fn lambda_policies() {
    let basic = get("AWSLambdaBasicExecutionRole");
    assert_eq!(basic.path, "/service-role/");
    assert_eq!(basic.default_version_id, "v1");
    assert_eq!(
        basic.arn(),
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    );
    let acts = actions(&json(basic));
    for a in [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ] {
        assert!(acts.iter().any(|x| x == a), "{a}");
    }
    let execute = get("AWSLambdaExecute");
    assert_eq!(execute.path, "/");
    assert_eq!(execute.default_version_id, "v1");
    assert!(actions(&json(execute)).iter().any(|a| a == "s3:GetObject"));
}

#[test]
fn job_function_service_role_and_root_task_policies() {
    for name in [
        "ViewOnlyAccess",
        "Billing",
        "DatabaseAdministrator",
        "SystemAdministrator",
    ] {
        assert_eq!(get(name).path, "/job-function/", "{name}");
    }
    assert_eq!(
        get("ViewOnlyAccess").arn(),
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    );
    assert_eq!(
        get("AWSSupportServiceRolePolicy").path,
        "/aws-service-role/"
    );
    assert_eq!(get("IAMDeleteRootUserCredentials").path, "/root-task/");
}

#[test]
fn the_policies_iamd_shipped_before_keep_their_ids() {
    for (name, id) in [
        ("AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK"),
        ("PowerUserAccess", "ANPAJYRXTHIB4FOVS3ZXS"),
        ("IAMFullAccess", "ANPAI7XKCFMBPM3QQRRVQ"),
        ("IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ"),
        ("IAMUserChangePassword", "ANPAJ4L4MM2A7QIEB56MS"),
        (
            "IAMSelfManageServiceSpecificCredentials",
            "ANPAI4VT74EMXK2PMQJM2",
        ),
        ("ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ"),
        ("AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE"),
        ("AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M"),
    ] {
        let p = get(name);
        assert_eq!((p.path, p.policy_id().as_ref()), ("/", id));
        assert!(p.description.is_some());
    }
}

#[test]
fn policy_ids_are_well_formed_unique_and_stable() {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut seen = HashSet::new();
    for p in all() {
        let id = p.policy_id();
        assert_eq!(id.len(), 21, "{}", p.name);
        assert!(id.starts_with("ANPA"), "{}", p.name);
        assert!(
            id[4..]
                .chars()
                .all(|c| alphabet.contains(c) || c.is_ascii_digit())
        );
        assert!(seen.insert(id.into_owned()), "{}: duplicate id", p.name);
        assert_eq!(p.policy_id(), p.policy_id());
    }
    // A derived id must never change: servers and clients may have stored it.
    assert!(!get("AWSLambdaExecute").has_aws_id());
    assert_eq!(
        get("AWSLambdaExecute").policy_id(),
        GOLDEN_LAMBDA_EXECUTE_ID
    );
}

const GOLDEN_LAMBDA_EXECUTE_ID: &str = "ANPAY653EDKKO3ENDFGNW";

#[test]
fn lookups_by_name_and_arn() {
    for p in all() {
        assert!(std::ptr::eq(by_name(p.name).unwrap(), p));
        assert!(std::ptr::eq(by_arn(&p.arn()).unwrap(), p));
    }
    assert!(by_name("NoSuchPolicy").is_none());
    assert!(by_name("readonlyaccess").is_none());
    assert!(by_arn("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
    // The path is part of the ARN.
    assert!(by_arn("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole").is_none());
    assert!(by_arn("arn:aws:iam::aws:policy/job-function/ReadOnlyAccess").is_none());
    assert!(by_arn("arn:aws:iam::123456789012:policy/ReadOnlyAccess").is_none());
    assert!(by_arn("arn:aws:iam::aws:policyReadOnlyAccess").is_none());
    assert!(by_arn("arn:aws:iam::aws:policy/").is_none());
    assert!(by_arn("").is_none());
}

#[test]
fn source_is_recorded() {
    assert_eq!(SOURCE.package, "moto");
    assert_eq!(SOURCE.registry, "PyPI");
    assert!(!SOURCE.version.is_empty());
    assert_eq!(SOURCE.sha256.len(), 64);
}
