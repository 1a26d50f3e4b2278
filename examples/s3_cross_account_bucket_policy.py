#!/usr/bin/env python3
"""A cross-account bucket policy through `iamd gateway s3`: account A's bucket policy grants
account B read access to its reports; B's own administrator decides which of B's users get it.
Access needs both sides: A's bucket policy and the B user's identity policy.

    IAMD_BIN=target/debug/iamd python3 examples/s3_cross_account_bucket_policy.py
"""

import json

from s3_stack import Stack, expect_allowed, expect_denied

BUCKET = "shared-reports"


def main():
    with Stack() as s:
        # Account A: owns the bucket.
        owner = s.s3_client(*s.root)
        owner.create_bucket(Bucket=BUCKET)
        owner.put_object(Bucket=BUCKET, Key="reports/2026-q3.csv", Body=b"revenue,42\n")
        owner.put_object(Bucket=BUCKET, Key="internal/payroll.csv", Body=b"secret\n")

        # Account B: another account in the same iamd, with an analyst and an intern.
        b_root = s.session(*s.new_account())
        b_account = b_root.client("sts", endpoint_url=s.iamd).get_caller_identity()["Account"]
        b_iam = b_root.client("iam", endpoint_url=s.iamd)
        users = {}
        for name in ["analyst", "intern"]:
            b_iam.create_user(UserName=name)
            k = b_iam.create_access_key(UserName=name)["AccessKey"]
            users[name] = s.s3_client(k["AccessKeyId"], k["SecretAccessKey"])
        b_iam.put_user_policy(UserName="analyst", PolicyName="reports", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
        analyst, intern = users["analyst"], users["intern"]

        expect_denied("B's analyst reads A's report before A's bucket policy", analyst.get_object,
                      Bucket=BUCKET, Key="reports/2026-q3.csv")

        owner.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Sid": "ReportsForB", "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{b_account}:root"},
                "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/reports/*"}]}))
        print(f"policy  : {BUCKET} grants account {b_account} s3:GetObject on reports/*")

        body = expect_allowed("B's analyst reads A's report", analyst.get_object,
                              Bucket=BUCKET, Key="reports/2026-q3.csv")["Body"].read()
        assert body == b"revenue,42\n"
        expect_denied("B's analyst reads outside reports/", analyst.get_object,
                      Bucket=BUCKET, Key="internal/payroll.csv")
        expect_denied("B's intern (no identity policy) reads the report", intern.get_object,
                      Bucket=BUCKET, Key="reports/2026-q3.csv")
        expect_denied("B's analyst writes a report", analyst.put_object, Bucket=BUCKET,
                      Key="reports/fake.csv", Body=b"x")
        expect_denied("B's analyst changes A's bucket policy", analyst.put_bucket_policy, Bucket=BUCKET,
                      Policy=json.dumps({"Version": "2012-10-17", "Statement": []}))

        owner.delete_bucket_policy(Bucket=BUCKET)
        print("policy  : deleted by A")
        expect_denied("B's analyst reads A's report after the policy is gone", analyst.get_object,
                      Bucket=BUCKET, Key="reports/2026-q3.csv")
        print("OK")


if __name__ == "__main__":
    main()
