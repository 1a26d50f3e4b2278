"""GetCredentialReport's errors as AWS answers them (issue 15).

AWS documents ReportNotPresent (410), ReportExpired (410) and ReportInProgress (404)
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html#API_GetCredentialReport_Errors).
ReportNotPresent comes without a message: botocore then writes "Unknown"
(https://github.com/prowler-cloud/prowler/issues/272) and the Go SDK an empty message with
status 410 (https://github.com/turbot/steampipe-plugin-aws/issues/509).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from iamd_harness import child, local


def test_report_not_present_is_410_without_a_message(server_factory):
    s = server_factory("noreport", extra_args=["--store", "memory"])
    r = s.iam_call("GetCredentialReport")
    assert r.status == 410, r
    root = r.xml()
    assert local(root.tag) == "ErrorResponse"
    err = child(root, "Error")
    assert [local(c.tag) for c in err] == ["Type", "Code"], r.body
    assert r.error()["Code"] == "ReportNotPresent"
    assert r.error()["Type"] == "Sender"
    with pytest.raises(ClientError) as ei:
        s.iam.get_credential_report()
    assert ei.value.response["Error"]["Code"] == "ReportNotPresent"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    assert str(ei.value).endswith(": Unknown"), str(ei.value)
    # Once generated, the report is there.
    for _ in range(50):
        if s.iam.generate_credential_report()["State"] == "COMPLETE":
            break
    assert s.iam.get_credential_report()["ReportFormat"] == "text/csv"


def test_other_errors_keep_their_message(server_factory):
    s = server_factory("withmsg", extra_args=["--store", "memory"])
    r = s.iam_call("GetUser", {"UserName": "nobody"})
    assert r.status == 404
    assert r.error()["Message"], r.body
