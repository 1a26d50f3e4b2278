"""`iamd gateway s3` in front of moto's S3: boto3 and raw requests through the gateway, decided
by iamd (identity policies, boundaries, bucket policies kept in iamd, cross-account, temporary
credentials), with tampered signatures and bodies refused."""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
from botocore.exceptions import ClientError

from gateway_harness import (chunked_put, cli, creds_file, s3, s3_of, signed, start_gateway, start_moto,
                             upstream_s3)
from iamd_harness import (allow, deny, error_of, iamd_bin, make_principal, make_server, policy_doc, self_signed,
                          unique)


@pytest.fixture(scope="module")
def env(_tmp_root):
    srv = make_server(_tmp_root, "gw").start()
    up = start_moto(_tmp_root)
    gw = start_gateway(srv, _tmp_root, up)
    account = srv.sts.get_caller_identity()["Account"]
    admin = make_principal(srv, unique("admin"), inline={"s3": json.loads(policy_doc(allow("s3:*")))})
    bucket = unique("corp").lower()
    a = s3_of(gw, admin)
    a.create_bucket(Bucket=bucket)
    for k in ["home/joe/a.txt", "home/joe/secret/s.txt", "home/ann/b.txt", "public/p.txt"]:
        a.put_object(Bucket=bucket, Key=k, Body=f"content of {k}".encode())
    yield {"srv": srv, "up": up, "gw": gw, "account": account, "admin": admin, "bucket": bucket,
           "tmp": _tmp_root}
    gw.stop()
    up.stop()
    srv.stop()


def code_of(fn, *a, **kw) -> tuple[str, int]:
    with pytest.raises(ClientError) as ei:
        fn(*a, **kw)
    return error_of(ei.value)


def denied(fn, *a, **kw) -> dict:
    with pytest.raises(ClientError) as ei:
        fn(*a, **kw)
    assert error_of(ei.value) == ("AccessDenied", 403), ei.value.response
    assert ei.value.response["ResponseMetadata"].get("RequestId")
    return ei.value.response


def user(env, **kw):
    return make_principal(env["srv"], unique("u"), **kw)


def doc(*statements):
    return json.loads(policy_doc(*statements))


def test_admin_round_trip_through_the_gateway(env):
    a = s3_of(env["gw"], env["admin"])
    b = env["bucket"]
    assert a.get_object(Bucket=b, Key="public/p.txt")["Body"].read() == b"content of public/p.txt"
    assert a.head_object(Bucket=b, Key="public/p.txt")["ContentLength"] == len(b"content of public/p.txt")
    keys = [o["Key"] for o in a.list_objects_v2(Bucket=b)["Contents"]]
    assert "home/joe/a.txt" in keys and "public/p.txt" in keys
    assert b in [x["Name"] for x in a.list_buckets()["Buckets"]]
    a.put_object(Bucket=b, Key="tmp/x y+z.txt", Body=b"spaces and plus")
    assert a.get_object(Bucket=b, Key="tmp/x y+z.txt")["Body"].read() == b"spaces and plus"
    a.copy_object(Bucket=b, Key="tmp/copy.txt", CopySource={"Bucket": b, "Key": "tmp/x y+z.txt"})
    a.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "tmp/x y+z.txt"}, {"Key": "tmp/copy.txt"}]})
    assert "Contents" not in a.list_objects_v2(Bucket=b, Prefix="tmp/")
    # What moto holds is what went through.
    assert upstream_s3(env["up"]).get_object(Bucket=b, Key="home/ann/b.txt")["Body"].read() == b"content of home/ann/b.txt"


def test_identity_policy_allow_deny_and_explicit_deny(env):
    b = env["bucket"]
    u = user(env, inline={"r": doc(allow("s3:GetObject", f"arn:aws:s3:::{b}/*"),
                                   deny("s3:GetObject", f"arn:aws:s3:::{b}/home/*/secret/*"))})
    c = s3_of(env["gw"], u)
    assert c.get_object(Bucket=b, Key="home/joe/a.txt")["Body"].read() == b"content of home/joe/a.txt"
    denied(c.get_object, Bucket=b, Key="home/joe/secret/s.txt")    # explicit deny
    denied(c.put_object, Bucket=b, Key="home/joe/new.txt", Body=b"x")  # implicit deny
    denied(c.list_objects_v2, Bucket=b)
    denied(c.delete_object, Bucket=b, Key="public/p.txt")
    # Nothing denied reached the store.
    assert "Contents" not in upstream_s3(env["up"]).list_objects_v2(Bucket=b, Prefix="home/joe/new.txt")
    nobody = user(env)
    denied(s3_of(env["gw"], nobody).get_object, Bucket=b, Key="public/p.txt")
    denied(s3_of(env["gw"], nobody).list_buckets)


def test_permissions_boundary_limits_the_identity_policy(env):
    srv, b = env["srv"], env["bucket"]
    boundary = srv.iam.create_policy(PolicyName=unique("bound"), PolicyDocument=policy_doc(
        allow(["s3:GetObject", "s3:ListBucket"], "*")))["Policy"]["Arn"]
    u = user(env, inline={"all": doc(allow("s3:*"))}, boundary=boundary)
    c = s3_of(env["gw"], u)
    assert c.get_object(Bucket=b, Key="public/p.txt")["Body"].read()
    denied(c.put_object, Bucket=b, Key="public/q.txt", Body=b"x")
    denied(c.delete_object, Bucket=b, Key="public/p.txt")


def test_username_prefix_and_s3_prefix_on_list_bucket(env):
    b = env["bucket"]
    policy = doc(
        allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{b}/home/${{aws:username}}/*"),
        allow("s3:ListBucket", f"arn:aws:s3:::{b}",
              Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*", "home/${aws:username}/"]}}),
    )
    name = unique("joe")
    joe = make_principal(env["srv"], name, inline={"home": policy})
    c = s3_of(env["gw"], joe)
    c.put_object(Bucket=b, Key=f"home/{name}/notes.txt", Body=b"mine")
    assert c.get_object(Bucket=b, Key=f"home/{name}/notes.txt")["Body"].read() == b"mine"
    listed = c.list_objects_v2(Bucket=b, Prefix=f"home/{name}/")
    assert [o["Key"] for o in listed["Contents"]] == [f"home/{name}/notes.txt"]
    denied(c.list_objects_v2, Bucket=b, Prefix="home/")
    denied(c.list_objects_v2, Bucket=b)
    denied(c.get_object, Bucket=b, Key="home/ann/b.txt")
    denied(c.put_object, Bucket=b, Key="home/ann/evil.txt", Body=b"x")


def test_bucket_policy_kept_by_iamd_and_used_for_decisions(env):
    gw, b = env["gw"], env["bucket"]
    a = s3_of(gw, env["admin"])
    assert code_of(a.get_bucket_policy, Bucket=b) == ("NoSuchBucketPolicy", 404)
    reader = user(env)  # no identity policy at all
    c = s3_of(gw, reader)
    denied(c.get_object, Bucket=b, Key="public/p.txt")
    policy = policy_doc(
        {"Effect": "Allow", "Principal": {"AWS": reader.arn}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/public/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{b}/public/*"},
    )
    a.put_bucket_policy(Bucket=b, Policy=policy)
    assert json.loads(a.get_bucket_policy(Bucket=b)["Policy"]) == json.loads(policy)
    # Same account: the bucket policy's allow suffices.
    assert c.get_object(Bucket=b, Key="public/p.txt")["Body"].read() == b"content of public/p.txt"
    denied(c.get_object, Bucket=b, Key="home/joe/a.txt")
    # Its explicit deny beats the admin's s3:*.
    denied(a.delete_object, Bucket=b, Key="public/p.txt")
    # Kept in iamd: the record is there.
    rec = gw_record(env, b)
    assert rec["ResourceOwner"] == env["account"] and json.loads(rec["Policy"]) == json.loads(policy)
    assert code_of(a.put_bucket_policy, Bucket=b, Policy="not json") == ("MalformedPolicy", 400)
    a.delete_bucket_policy(Bucket=b)
    assert code_of(a.get_bucket_policy, Bucket=b) == ("NoSuchBucketPolicy", 404)
    denied(c.get_object, Bucket=b, Key="public/p.txt")
    # Who may change the policy is decided too.
    denied(s3_of(gw, reader).put_bucket_policy, Bucket=b, Policy=policy)


def gw_record(env, bucket):
    from test_authorize import authorize  # noqa: F401  (signing helper shape)
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    srv, ident = env["srv"], env["gw"].identity
    data = json.dumps({"ResourceArn": f"arn:aws:s3:::{bucket}"})
    req = AWSRequest(method="POST", url=srv.endpoint + "_iamd/get-resource-policy", data=data,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(ident.access_key, ident.secret_key), "iamd", "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["Resource"]


def test_temporary_credentials(env):
    srv, b = env["srv"], env["bucket"]
    u = user(env, inline={"r": doc(allow("s3:GetObject", f"arn:aws:s3:::{b}/public/*"),
                                   allow("sts:GetFederationToken"))})
    t = u.sts.get_session_token()["Credentials"]
    c = s3(env["gw"], t["AccessKeyId"], t["SecretAccessKey"], t["SessionToken"])
    assert c.get_object(Bucket=b, Key="public/p.txt")["Body"].read()
    denied(c.get_object, Bucket=b, Key="home/joe/a.txt")
    # A federated user: the session policy narrows further.
    f = u.sts.get_federation_token(Name="fed", Policy=policy_doc(
        allow("s3:GetObject", f"arn:aws:s3:::{b}/public/none/*")))["Credentials"]
    fc = s3(env["gw"], f["AccessKeyId"], f["SecretAccessKey"], f["SessionToken"])
    denied(fc.get_object, Bucket=b, Key="public/p.txt")
    # A wrong session token is not the session's.
    bad = s3(env["gw"], t["AccessKeyId"], t["SecretAccessKey"], f["SessionToken"])
    code, status = code_of(bad.get_object, Bucket=b, Key="public/p.txt")
    assert status == 403 and code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied")


def test_cross_account_needs_both_sides(env, _tmp_root):
    srv, gw, b = env["srv"], env["gw"], env["bucket"]
    out = subprocess.run([str(iamd_bin()), "account", "create", "--data-dir", str(srv.data_dir)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = dict(l.split(" = ", 1) for l in out.stdout.splitlines() if " = " in l)
    import boto3
    other_root = boto3.session.Session(aws_access_key_id=lines["aws_access_key_id"],
                                       aws_secret_access_key=lines["aws_secret_access_key"], region_name="us-east-1")
    oiam = other_root.client("iam", endpoint_url=srv.endpoint)
    other_account = other_root.client("sts", endpoint_url=srv.endpoint).get_caller_identity()["Account"]
    assert other_account != env["account"]
    name = unique("ext")
    oiam.create_user(UserName=name)
    oiam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=policy_doc(allow("s3:GetObject")))
    k = oiam.create_access_key(UserName=name)["AccessKey"]
    ext = s3(gw, k["AccessKeyId"], k["SecretAccessKey"])
    # Its own allow is not enough: the bucket belongs to another account.
    denied(ext.get_object, Bucket=b, Key="public/p.txt")
    a = s3_of(gw, env["admin"])
    a.put_bucket_policy(Bucket=b, Policy=policy_doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other_account}:root"}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/public/*"}))
    try:
        assert ext.get_object(Bucket=b, Key="public/p.txt")["Body"].read() == b"content of public/p.txt"
        denied(ext.get_object, Bucket=b, Key="home/joe/a.txt")
        # The bucket policy alone is not enough without the other account's own allow.
        name2 = unique("ext2")
        oiam.create_user(UserName=name2)
        k2 = oiam.create_access_key(UserName=name2)["AccessKey"]
        denied(s3(gw, k2["AccessKeyId"], k2["SecretAccessKey"]).get_object, Bucket=b, Key="public/p.txt")
        # Its root owns a bucket of its own, which the first account cannot read.
        ob = unique("other").lower()
        oc = s3(gw, lines["aws_access_key_id"], lines["aws_secret_access_key"])
        oc.create_bucket(Bucket=ob)
        oc.put_object(Bucket=ob, Key="k", Body=b"theirs")
        denied(a.get_object, Bucket=ob, Key="k")
        assert code_of(a.create_bucket, Bucket=ob) == ("BucketAlreadyExists", 409)
        # Each account lists its own buckets only.
        mine = [x["Name"] for x in a.list_buckets()["Buckets"]]
        theirs = [x["Name"] for x in oc.list_buckets()["Buckets"]]
        assert b in mine and ob not in mine
        assert theirs == [ob]
    finally:
        a.delete_bucket_policy(Bucket=b)


def test_tampered_signature_is_refused(env):
    b, admin = env["bucket"], env["admin"]
    url = f"{env['gw'].endpoint}/{b}/public/p.txt"
    u, h, _ = signed("GET", url, admin.access_key, admin.secret_key)
    assert requests.get(u, headers=h, timeout=10).status_code == 200
    sig = h["Authorization"][-64:]
    h2 = dict(h, Authorization=h["Authorization"][:-64] + ("0" if sig[0] != "0" else "1") + sig[1:])
    r = requests.get(u, headers=h2, timeout=10)
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text and "<RequestId>" in r.text
    # The same signature on another key.
    r = requests.get(f"{env['gw'].endpoint}/{b}/home/joe/a.txt", headers=h, timeout=10)
    assert r.status_code == 403 and "SignatureDoesNotMatch" in r.text
    # An unknown key.
    u3, h3, _ = signed("GET", url, "AKIAUNKNOWNUNKNOWN00", "x" * 40)
    r = requests.get(u3, headers=h3, timeout=10)
    assert r.status_code == 403 and "InvalidAccessKeyId" in r.text
    # No signature at all.
    r = requests.get(url, timeout=10)
    assert r.status_code == 403 and "AccessDenied" in r.text


def test_tampered_body_is_refused_and_never_stored(env):
    b, admin, gw = env["bucket"], env["admin"], env["gw"]
    url = f"{gw.endpoint}/{b}/tampered/body.txt"
    u, h, _ = signed("PUT", url, admin.access_key, admin.secret_key, body=b"the signed body")
    r = requests.put(u, data=b"the other body!", headers=h, timeout=10)
    assert r.status_code == 400 and "XAmzContentSHA256Mismatch" in r.text, r.text
    assert "Contents" not in upstream_s3(env["up"]).list_objects_v2(Bucket=b, Prefix="tampered/")
    r = requests.put(u, data=b"the signed body", headers=h, timeout=10)
    assert r.status_code == 200, r.text


def test_streaming_chunked_upload_is_verified_chunk_by_chunk(env):
    b, admin, gw = env["bucket"], env["admin"], env["gw"]
    data = bytes(range(256)) * 1000  # 256 000 bytes: 4 chunks of 64 KiB
    url = f"{gw.endpoint}/{b}/chunked/ok.bin"
    r = chunked_put(url, admin.access_key, admin.secret_key, data)
    assert r.status_code == 200, r.text
    assert s3_of(gw, admin).get_object(Bucket=b, Key="chunked/ok.bin")["Body"].read() == data
    for i in (0, 2, 3):
        r = chunked_put(f"{gw.endpoint}/{b}/chunked/bad{i}.bin", admin.access_key, admin.secret_key, data, tamper=i)
        assert r.status_code == 403 and "SignatureDoesNotMatch" in r.text, r.text
    keys = [o["Key"] for o in upstream_s3(env["up"]).list_objects_v2(Bucket=b, Prefix="chunked/").get("Contents", [])]
    assert keys == ["chunked/ok.bin"]
    # Temporary credentials stream too (the key is the session's).
    t = admin.sts.get_session_token()["Credentials"]
    r = chunked_put(f"{gw.endpoint}/{b}/chunked/session.bin", t["AccessKeyId"], t["SecretAccessKey"], b"x" * 70000,
                    token=t["SessionToken"])
    assert r.status_code == 200, r.text
    # A reader may not stream a write.
    reader = user(env, inline={"r": doc(allow("s3:GetObject"))})
    r = chunked_put(f"{gw.endpoint}/{b}/chunked/no.bin", reader.access_key, reader.secret_key, b"y" * 100)
    assert r.status_code == 403 and "AccessDenied" in r.text


def _crc32_b64(data: bytes) -> str:
    import base64
    import zlib
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_signed_trailer_checksum_is_verified(env):
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (the Java and .NET SDKs' signed uploads with a
    checksum): the chunks, the trailer's signature and its CRC32 are all checked."""
    b, admin, gw = env["bucket"], env["admin"], env["gw"]
    data = bytes(range(256)) * 700  # 179 200 bytes: 3 chunks
    good = ("x-amz-checksum-crc32", _crc32_b64(data))
    r = chunked_put(f"{gw.endpoint}/{b}/trailer/ok.bin", admin.access_key, admin.secret_key, data, trailer=good)
    assert r.status_code == 200, r.text
    assert s3_of(gw, admin).get_object(Bucket=b, Key="trailer/ok.bin")["Body"].read() == data
    # Signed, but the checksum is not the data's.
    r = chunked_put(f"{gw.endpoint}/{b}/trailer/crc.bin", admin.access_key, admin.secret_key, data,
                    trailer=("x-amz-checksum-crc32", _crc32_b64(b"other")))
    assert r.status_code == 400 and "<Code>BadDigest</Code>" in r.text, r.text
    assert "The CRC32 you specified did not match the calculated checksum." in r.text
    # A chunk changed after signing.
    r = chunked_put(f"{gw.endpoint}/{b}/trailer/chunk.bin", admin.access_key, admin.secret_key, data, trailer=good,
                    tamper=1)
    assert r.status_code == 403 and "SignatureDoesNotMatch" in r.text, r.text
    # A trailer naming no checksum S3 knows.
    r = chunked_put(f"{gw.endpoint}/{b}/trailer/md5.bin", admin.access_key, admin.secret_key, data,
                    trailer=("x-amz-checksum-md5", "AAAA"))
    assert r.status_code == 400 and "InvalidRequest" in r.text, r.text
    keys = [o["Key"] for o in upstream_s3(env["up"]).list_objects_v2(Bucket=b, Prefix="trailer/").get("Contents", [])]
    assert keys == ["trailer/ok.bin"]


@pytest.fixture(scope="module")
def tls_gw(env):
    """A second gateway, over HTTPS, in front of the same iamd and moto."""
    tmp = env["tmp"] / "gw-tls"
    tmp.mkdir(exist_ok=True)
    gw = start_gateway(env["srv"], tmp, env["up"], tls=self_signed(tmp))
    yield gw
    gw.stop()


def test_sdks_over_tls_upload_with_unsigned_payload_trailers(env, tls_gw):
    """Over HTTPS, boto3 and the aws CLI send uploads as STREAMING-UNSIGNED-PAYLOAD-TRAILER with a
    CRC32 trailer: the gateway decodes them and checks the checksum."""
    b, admin = env["bucket"], env["admin"]
    c = s3_of(tls_gw, admin)
    sent = []
    c.meta.events.register("before-send.s3.PutObject",
                           lambda request, **_: sent.append(dict(request.headers)))
    data = b"over TLS, " * 20000
    c.put_object(Bucket=b, Key="tls/boto3.txt", Body=data)
    h = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in sent[-1].items()}
    assert h["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert h["x-amz-trailer"] == "x-amz-checksum-crc32"
    assert upstream_s3(env["up"]).get_object(Bucket=b, Key="tls/boto3.txt")["Body"].read() == data
    # Other algorithms the SDK offers.
    for algorithm in ["SHA1", "SHA256"]:  # CRC32C and CRC64NVME need botocore[crt]; unit-tested in Rust
        c.put_object(Bucket=b, Key=f"tls/{algorithm}.txt", Body=data, ChecksumAlgorithm=algorithm)
        assert c.get_object(Bucket=b, Key=f"tls/{algorithm}.txt")["Body"].read() == data
    # The aws CLI: a multipart upload (each part a trailer upload).
    big = env["tmp"] / "tls-big.bin"
    big.write_bytes(bytes(range(256)) * (17 * 4096))  # 17 MiB
    creds = creds_file(env["tmp"], admin.access_key, admin.secret_key)
    r = cli(tls_gw, creds, "s3", "cp", str(big), f"s3://{b}/tls/big.bin")
    assert r.returncode == 0, r.stderr
    got = upstream_s3(env["up"]).get_object(Bucket=b, Key="tls/big.bin")["Body"].read()
    assert got == big.read_bytes()


def test_unsigned_trailer_with_a_wrong_checksum_is_refused(env, tls_gw):
    b, admin = env["bucket"], env["admin"]
    url = f"{tls_gw.endpoint}/{b}/tls/wrong.txt"
    data = b"hello world"
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-trailer": "x-amz-checksum-crc32"}
    u, h, _ = signed("PUT", url, admin.access_key, admin.secret_key, headers=headers,
                     payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    def body(crc):
        return f"{len(data):x}\r\n".encode() + data + f"\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n".encode()
    r = requests.put(u, data=body(_crc32_b64(b"not it")), headers=h, timeout=10, verify=False)
    assert r.status_code == 400 and "<Code>BadDigest</Code>" in r.text, r.text
    assert "Contents" not in upstream_s3(env["up"]).list_objects_v2(Bucket=b, Prefix="tls/wrong")
    r = requests.put(u, data=body(_crc32_b64(data)), headers=h, timeout=10, verify=False)
    assert r.status_code == 200, r.text


def test_secure_transport_is_true_only_over_tls(env, tls_gw):
    b = env["bucket"]
    p = user(env, inline={"tls": doc(allow("s3:GetObject", f"arn:aws:s3:::{b}/*",
                                           Condition={"Bool": {"aws:SecureTransport": "true"}}))})
    assert s3_of(tls_gw, p).get_object(Bucket=b, Key="public/p.txt")["Body"].read() == b"content of public/p.txt"
    denied(s3_of(env["gw"], p).get_object, Bucket=b, Key="public/p.txt")


def test_presigned_urls(env):
    b, gw = env["bucket"], env["gw"]
    reader = user(env, inline={"r": doc(allow("s3:GetObject", f"arn:aws:s3:::{b}/public/*"))})
    c = s3_of(gw, reader)
    url = c.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "public/p.txt"}, ExpiresIn=300)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == b"content of public/p.txt"
    url = c.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "home/joe/a.txt"}, ExpiresIn=300)
    r = requests.get(url, timeout=10)
    assert r.status_code == 403 and "AccessDenied" in r.text
    # A presigned PUT by someone allowed to write.
    a = s3_of(gw, env["admin"])
    put = a.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "presigned/up.txt"}, ExpiresIn=300)
    assert requests.put(put, data=b"via presigned", timeout=10).status_code == 200
    assert a.get_object(Bucket=b, Key="presigned/up.txt")["Body"].read() == b"via presigned"
    # Changing the URL breaks it.
    good = c.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "public/p.txt"}, ExpiresIn=300)
    r = requests.get(good.replace("public/p.txt", "public/q.txt"), timeout=10)
    assert r.status_code == 403 and "SignatureDoesNotMatch" in r.text


def test_virtual_hosted_style(env):
    b, admin, gw = env["bucket"], env["admin"], env["gw"]
    url = f"http://{b}.s3.gateway.test:{gw.port}/public/p.txt"
    host = f"{b}.s3.gateway.test:{gw.port}"
    _u, h, _ = signed("GET", url, admin.access_key, admin.secret_key)
    r = requests.get(f"{gw.endpoint}/public/p.txt", headers=dict(h, Host=host), timeout=10)
    assert r.status_code == 200 and r.content == b"content of public/p.txt", r.text
    reader = user(env)
    _u, h, _ = signed("GET", url, reader.access_key, reader.secret_key)
    r = requests.get(f"{gw.endpoint}/public/p.txt", headers=dict(h, Host=host), timeout=10)
    assert r.status_code == 403 and "AccessDenied" in r.text


def test_unmapped_operations_are_denied_and_logged(env):
    b, admin, gw = env["bucket"], env["admin"], env["gw"]
    u, h, _ = signed("GET", f"{gw.endpoint}/{b}/public/p.txt?torrent", admin.access_key, admin.secret_key)
    r = requests.get(u, headers=h, timeout=10)
    assert r.status_code == 403 and "AccessDenied" in r.text
    assert "unmapped S3 request refused" in gw.log_text()


def test_delete_objects_is_decided_per_key(env):
    b, gw = env["bucket"], env["gw"]
    a = s3_of(gw, env["admin"])
    a.put_object(Bucket=b, Key="del/ok.txt", Body=b"1")
    a.put_object(Bucket=b, Key="keep/no.txt", Body=b"2")
    u = user(env, inline={"d": doc(allow("s3:DeleteObject", f"arn:aws:s3:::{b}/del/*"))})
    denied(s3_of(gw, u).delete_objects, Bucket=b,
           Delete={"Objects": [{"Key": "del/ok.txt"}, {"Key": "keep/no.txt"}]})
    assert a.get_object(Bucket=b, Key="keep/no.txt")["Body"].read() == b"2"
    s3_of(gw, u).delete_objects(Bucket=b, Delete={"Objects": [{"Key": "del/ok.txt"}]})
    assert code_of(a.get_object, Bucket=b, Key="del/ok.txt")[1] == 404


def test_request_object_tags_condition(env):
    b, gw = env["bucket"], env["gw"]
    u = user(env, inline={"t": doc(allow(["s3:PutObject", "s3:PutObjectTagging"], f"arn:aws:s3:::{b}/tagged/*",
                                         Condition={"StringEquals": {"s3:RequestObjectTag/team": "blue"}}))})
    c = s3_of(gw, u)
    c.put_object(Bucket=b, Key="tagged/a.txt", Body=b"x", Tagging="team=blue")
    denied(c.put_object, Bucket=b, Key="tagged/b.txt", Body=b"x", Tagging="team=red")
    denied(c.put_object, Bucket=b, Key="tagged/c.txt", Body=b"x")
    c.put_object_tagging(Bucket=b, Key="tagged/a.txt", Tagging={"TagSet": [{"Key": "team", "Value": "blue"}]})
    denied(c.put_object_tagging, Bucket=b, Key="tagged/a.txt", Tagging={"TagSet": [{"Key": "team", "Value": "red"}]})


def test_acl_condition_key(env):
    b, gw = env["bucket"], env["gw"]
    u = user(env, inline={"p": doc(allow("s3:PutObject", f"arn:aws:s3:::{b}/acl/*"),
                                   deny("s3:PutObject", f"arn:aws:s3:::{b}/*",
                                        Condition={"StringEquals": {"s3:x-amz-acl": "public-read"}}))})
    c = s3_of(gw, u)
    c.put_object(Bucket=b, Key="acl/private.txt", Body=b"x", ACL="private")
    denied(c.put_object, Bucket=b, Key="acl/public.txt", Body=b"x", ACL="public-read")


def _authorize_as_gateway(env, body):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    srv, ident = env["srv"], env["gw"].identity
    req = AWSRequest(method="POST", url=srv.endpoint + "_iamd/authorize", data=json.dumps(body),
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(ident.access_key, ident.secret_key), "iamd", "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_signing_key_only_for_an_allowed_streaming_upload(env):
    import hashlib
    import hmac as _hmac
    b, admin = env["bucket"], env["admin"]
    url = f"http://s3.test/{b}/k"

    def forwarded(who, payload):
        _u, h, _ = signed("PUT", url, who.access_key, who.secret_key, payload_hash=payload)
        h = {k.lower(): v for k, v in h.items()}
        h["host"] = "s3.test"
        return {"Method": "PUT", "Path": f"/{b}/k", "Headers": h}

    check = [{"Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{b}/k"}]
    out = _authorize_as_gateway(env, {"Request": forwarded(admin, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
                                      "Checks": check, "WantSigningKey": True})
    assert out["Decision"] == "Allow"
    scope = out["SigningKey"]["Scope"]
    date, region, service, _ = scope.split("/")
    k = ("AWS4" + admin.secret_key).encode()
    for part in (date, region, service, "aws4_request"):
        k = _hmac.new(k, part.encode(), hashlib.sha256).digest()
    assert out["SigningKey"]["Key"] == k.hex() and service == "s3"
    # Not for a request that does not stream, nor for a denied one.
    out = _authorize_as_gateway(env, {"Request": forwarded(admin, hashlib.sha256(b"").hexdigest()),
                                      "Checks": check, "WantSigningKey": True})
    assert out["Decision"] == "Allow" and "SigningKey" not in out
    nobody = user(env)
    out = _authorize_as_gateway(env, {"Request": forwarded(nobody, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
                                      "Checks": check, "WantSigningKey": True})
    assert out["Decision"] == "ImplicitDeny" and "SigningKey" not in out


def test_existing_object_tags_condition(env):
    b, gw = env["bucket"], env["gw"]
    a = s3_of(gw, env["admin"])
    a.put_object(Bucket=b, Key="cls/open.txt", Body=b"open", Tagging="classification=public")
    a.put_object(Bucket=b, Key="cls/closed.txt", Body=b"closed", Tagging="classification=secret")
    a.put_object(Bucket=b, Key="cls/none.txt", Body=b"none")
    u = user(env, inline={"t": doc(
        allow("s3:GetObject", f"arn:aws:s3:::{b}/cls/*",
              Condition={"StringEquals": {"s3:ExistingObjectTag/classification": "public"}}))})
    c = s3_of(gw, u)
    assert c.get_object(Bucket=b, Key="cls/open.txt")["Body"].read() == b"open"
    denied(c.get_object, Bucket=b, Key="cls/closed.txt")
    denied(c.get_object, Bucket=b, Key="cls/none.txt")
    # A deny on a tag beats a broad allow.
    v = user(env, inline={"t": doc(
        allow("s3:GetObject", f"arn:aws:s3:::{b}/*"),
        deny("s3:GetObject", f"arn:aws:s3:::{b}/*",
             Condition={"StringEquals": {"s3:ExistingObjectTag/classification": "secret"}}))})
    cv = s3_of(gw, v)
    assert cv.get_object(Bucket=b, Key="cls/none.txt")["Body"].read() == b"none"
    denied(cv.get_object, Bucket=b, Key="cls/closed.txt")
    # Retagging changes the decision on the next request.
    a.put_object_tagging(Bucket=b, Key="cls/closed.txt",
                         Tagging={"TagSet": [{"Key": "classification", "Value": "public"}]})
    assert c.get_object(Bucket=b, Key="cls/closed.txt")["Body"].read() == b"closed"


def _iamd_as_gateway(env, path, body):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    srv, ident = env["srv"], env["gw"].identity
    req = AWSRequest(method="POST", url=srv.endpoint + path, data=json.dumps(body),
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(ident.access_key, ident.secret_key), "iamd", "us-east-1").add_auth(req)
    p = req.prepare()
    return requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=10)


def test_resource_policy_records_first_creator_wins(env):
    arn = f"arn:aws:s3:::{unique('race').lower()}"
    first = _iamd_as_gateway(env, "_iamd/put-resource-policy",
                             {"ResourceArn": arn, "ResourceOwner": "111111111111", "CreateOnly": True})
    assert first.status_code == 200, first.text
    second = _iamd_as_gateway(env, "_iamd/put-resource-policy",
                              {"ResourceArn": arn, "ResourceOwner": "222222222222", "CreateOnly": True})
    assert second.status_code == 409 and second.json()["__type"] == "EntityAlreadyExists", second.text
    got = _iamd_as_gateway(env, "_iamd/get-resource-policy", {"ResourceArn": arn}).json()
    assert got["Resource"]["ResourceOwner"] == "111111111111"
    bad = _iamd_as_gateway(env, "_iamd/put-resource-policy",
                           {"ResourceArn": arn, "ResourceOwner": "111111111111", "Policy": '{"Statement": 5}'})
    assert bad.status_code == 400 and bad.json()["__type"] == "MalformedPolicyDocument", bad.text
    assert _iamd_as_gateway(env, "_iamd/delete-resource-policy", {"ResourceArn": arn}).status_code == 200
    gone = _iamd_as_gateway(env, "_iamd/get-resource-policy", {"ResourceArn": arn})
    assert gone.status_code == 404 and gone.json()["__type"] == "NoSuchEntity"
    # A principal without the iamd permissions may not touch the records.
    u = user(env, inline={"s3": doc(allow("s3:*"))})
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="POST", url=env["srv"].endpoint + "_iamd/put-resource-policy",
                     data=json.dumps({"ResourceArn": arn, "ResourceOwner": "333333333333"}),
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(u.access_key, u.secret_key), "iamd", "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=10)
    assert r.status_code in (400, 403) and "AccessDenied" in r.json()["__type"], r.text


def test_a_gateway_without_iamd_authorize_refuses_everything(env):
    weak = user(env, inline={"s3": doc(allow("s3:*"))})
    gw2 = start_gateway(env["srv"], env["tmp"], env["up"], key=(weak.access_key, weak.secret_key))
    try:
        code, status = code_of(s3_of(gw2, env["admin"]).get_object, Bucket=env["bucket"], Key="public/p.txt")
        assert (code, status) == ("ServiceUnavailable", 503)
        assert "iamd could not decide; refused" in gw2.log_text()
    finally:
        gw2.stop()


def test_anonymous_requests_need_a_bucket_policy_granting_everyone(env):
    from botocore import UNSIGNED
    from botocore.config import Config
    import boto3

    gw = env["gw"]
    a = s3_of(gw, env["admin"])
    b = unique("pub").lower()
    a.create_bucket(Bucket=b)
    for k in ["public/p.txt", "private/q.txt"]:
        a.put_object(Bucket=b, Key=k, Body=f"content of {k}".encode())
    anon = boto3.client("s3", endpoint_url=gw.endpoint, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED, s3={"addressing_style": "path"}))
    # No bucket policy: an unsigned request is denied, whatever it asks.
    denied(anon.get_object, Bucket=b, Key="public/p.txt")
    # A policy granting everyone reads under public/ only.
    a.put_bucket_policy(Bucket=b, Policy=policy_doc(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/public/*"}))
    assert anon.get_object(Bucket=b, Key="public/p.txt")["Body"].read() == b"content of public/p.txt"
    denied(anon.get_object, Bucket=b, Key="private/q.txt")
    denied(anon.put_object, Bucket=b, Key="public/new.txt", Body=b"x")
    denied(anon.list_objects_v2, Bucket=b)
    # A grant to a named principal is not a grant to everyone.
    a.put_bucket_policy(Bucket=b, Policy=policy_doc(
        {"Effect": "Allow", "Principal": {"AWS": env["admin"].arn}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/public/*"}))
    denied(anon.get_object, Bucket=b, Key="public/p.txt")
    # A plain GET with no signature at all, as a browser would send it.
    a.put_bucket_policy(Bucket=b, Policy=policy_doc(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/public/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/public/*",
         "Condition": {"StringEquals": {"aws:UserAgent": "blocked-agent"}}}))
    assert requests.get(f"{gw.endpoint}/{b}/public/p.txt", timeout=10).content == b"content of public/p.txt"
    r = requests.get(f"{gw.endpoint}/{b}/public/p.txt", headers={"User-Agent": "blocked-agent"}, timeout=10)
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text
