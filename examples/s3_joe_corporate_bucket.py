#!/usr/bin/env python3
"""The seeds' first example: "Allow Joe to read S3 objects from the corporate bucket as long as
the objects are under some path" — enforced by iamd through `iamd gateway s3` in front of an
S3-compatible store (here moto's).

    IAMD_BIN=target/debug/iamd python3 examples/s3_joe_corporate_bucket.py

Joe's policy allows `s3:GetObject` on `corp/home/joe/*` and listing the bucket under that
prefix only; everything else is refused by the gateway with S3's AccessDenied."""

import json

from s3_stack import Stack, expect_allowed, expect_denied

JOE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::corp/home/joe/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::corp",
         "Condition": {"StringLike": {"s3:prefix": ["home/joe/*", "home/joe/"]}}},
    ],
}


def main():
    with Stack() as s:
        # The account's root creates the corporate bucket (through the gateway) and fills it.
        admin = s.s3_client(*s.root)
        admin.create_bucket(Bucket="corp")
        for key in ["home/joe/plan.txt", "home/joe/notes/today.txt", "home/ann/salary.txt", "finance/q3.xlsx"]:
            admin.put_object(Bucket="corp", Key=key, Body=f"contents of {key}".encode())

        s.iam.create_user(UserName="joe")
        s.iam.put_user_policy(UserName="joe", PolicyName="corp-home", PolicyDocument=json.dumps(JOE_POLICY))
        k = s.iam.create_access_key(UserName="joe")["AccessKey"]
        joe = s.s3_client(k["AccessKeyId"], k["SecretAccessKey"])

        body = expect_allowed("joe reads corp/home/joe/plan.txt",
                              joe.get_object, Bucket="corp", Key="home/joe/plan.txt")["Body"].read()
        assert body == b"contents of home/joe/plan.txt"
        expect_allowed("joe reads corp/home/joe/notes/today.txt",
                       joe.get_object, Bucket="corp", Key="home/joe/notes/today.txt")
        listed = expect_allowed("joe lists corp under home/joe/",
                                joe.list_objects_v2, Bucket="corp", Prefix="home/joe/")
        assert sorted(o["Key"] for o in listed["Contents"]) == ["home/joe/notes/today.txt", "home/joe/plan.txt"]
        expect_denied("joe reads corp/home/ann/salary.txt", joe.get_object, Bucket="corp", Key="home/ann/salary.txt")
        expect_denied("joe reads corp/finance/q3.xlsx", joe.get_object, Bucket="corp", Key="finance/q3.xlsx")
        expect_denied("joe lists the whole bucket", joe.list_objects_v2, Bucket="corp")
        expect_denied("joe writes under his own path (read only)",
                      joe.put_object, Bucket="corp", Key="home/joe/new.txt", Body=b"x")
        print("OK")


if __name__ == "__main__":
    main()
