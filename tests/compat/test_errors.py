"""Errors sent as raw signed requests (boto3 would validate some of these client-side):
ValidationError from the model's patterns and lengths, InvalidAction, and malformed bodies that
must never produce a 5xx or a partial write."""

import hashlib

import pytest

from iamd_harness import IAM_VERSION, STS_VERSION, RawResponse, text


def assert_error(r: RawResponse, status: int, code: str | None = None) -> dict:
    assert r.status == status, r
    err = r.error()
    if code:
        assert err["Code"] == code, err
    assert err["Type"] == "Sender", err
    assert err["Message"], err
    assert err["RequestId"] and r.request_id_header == err["RequestId"], (err, dict(r.headers))
    return err


def user_exists(server, name: str) -> bool:
    r = server.iam_call("GetUser", {"UserName": name})
    assert r.status in (200, 404), r
    return r.status == 200


# ---- ValidationError ------------------------------------------------------------------------

BAD_CREATE_USER = {
    "name-with-space": {"UserName": "bad name"},
    "name-with-slash": {"UserName": "bad/name"},
    "name-with-colon": {"UserName": "bad:name"},
    "name-65-chars": {"UserName": "u" * 65},
    "name-empty": {"UserName": ""},
    "name-missing": {},
    "path-without-slashes": {"UserName": "ok-path-user", "Path": "noslash"},
    "path-without-trailing-slash": {"UserName": "ok-path-user", "Path": "/a"},
    "path-with-space": {"UserName": "ok-path-user", "Path": "/a b/"},
    "path-513-chars": {"UserName": "ok-path-user", "Path": "/" + "p" * 511 + "/"},
    "tag-key-129-chars": {"UserName": "ok-tag-user", "Tags.member.1.Key": "k" * 129,
                          "Tags.member.1.Value": "v"},
    "tag-value-257-chars": {"UserName": "ok-tag-user", "Tags.member.1.Key": "k",
                            "Tags.member.1.Value": "v" * 257},
    "tag-key-bad-char": {"UserName": "ok-tag-user", "Tags.member.1.Key": "bad!key",
                         "Tags.member.1.Value": "v"},
    "tag-key-empty": {"UserName": "ok-tag-user", "Tags.member.1.Key": "", "Tags.member.1.Value": "v"},
}


@pytest.mark.parametrize("case", sorted(BAD_CREATE_USER))
def test_create_user_validation_error(server, uniq, case):
    params = dict(BAD_CREATE_USER[case])
    if params.get("UserName", "").startswith("ok-"):
        params["UserName"] = uniq(params["UserName"])
    r = server.iam_call("CreateUser", params)
    err = assert_error(r, 400, "ValidationError")
    # AWS (IAM names no value since about 2024): "1 validation error detected: Value at
    # 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern:
    # [\w+=,.@-]+"
    assert "failed to satisfy constraint" in err["Message"], err
    if params.get("UserName", "").startswith("ok-"):
        assert not user_exists(server, params["UserName"])


def test_validation_message_names_the_member(server):
    err = assert_error(server.iam_call("CreateUser", {"UserName": "bad name"}), 400, "ValidationError")
    assert "userName" in err["Message"], err


def test_boundary_lengths_accepted(server, uniq):
    name64 = uniq("b").ljust(64, "x")
    r = server.iam_call("CreateUser", {"UserName": name64, "Path": "/" + "p" * 510 + "/"})
    assert r.status == 200, r
    assert text(r.xml(), "CreateUserResult/User/UserName") == name64
    group128 = uniq("g").ljust(128, "y")
    r = server.iam_call("CreateGroup", {"GroupName": group128})
    assert r.status == 200, r
    r = server.iam_call("TagUser", {"UserName": name64, "Tags.member.1.Key": "k" * 128,
                                    "Tags.member.1.Value": "v" * 256})
    assert r.status == 200, r


BAD_OTHER = {
    "CreateGroup name-129": ("CreateGroup", {"GroupName": "g" * 129}),
    "CreateGroup name-space": ("CreateGroup", {"GroupName": "has space"}),
    "CreateGroup path-noslash": ("CreateGroup", {"GroupName": "ok", "Path": "x"}),
    "ListUsers MaxItems-0": ("ListUsers", {"MaxItems": "0"}),
    "ListUsers MaxItems-1001": ("ListUsers", {"MaxItems": "1001"}),
    "ListUsers PathPrefix-noslash": ("ListUsers", {"PathPrefix": "noslash"}),
    "ListGroups MaxItems-0": ("ListGroups", {"MaxItems": "0"}),
    "GetGroup MaxItems-1001": ("GetGroup", {"GroupName": "whatever", "MaxItems": "1001"}),
    "GetGroup name-missing": ("GetGroup", {}),
    "UpdateUser NewUserName-space": ("UpdateUser", {"UserName": "someone", "NewUserName": "a b"}),
    "UpdateUser NewPath-noslash": ("UpdateUser", {"UserName": "someone", "NewPath": "p"}),
    "UpdateGroup NewGroupName-129": ("UpdateGroup", {"GroupName": "g", "NewGroupName": "g" * 129}),
    "AddUserToGroup user-missing": ("AddUserToGroup", {"GroupName": "g"}),
    "TagUser tags-missing": ("TagUser", {"UserName": "someone"}),
    "UntagUser key-129": ("UntagUser", {"UserName": "someone", "TagKeys.member.1": "k" * 129}),
    "TagUser 51-tags": ("TagUser", {"UserName": "someone",
                                    **{f"Tags.member.{i}.Key": f"k{i}" for i in range(1, 52)},
                                    **{f"Tags.member.{i}.Value": "v" for i in range(1, 52)}}),
    "ListGroupsForUser name-space": ("ListGroupsForUser", {"UserName": "a b"}),
    # DeleteUser takes an existingUserNameType: up to 128 characters.
    "DeleteUser name-129": ("DeleteUser", {"UserName": "u" * 129}),
}


@pytest.mark.parametrize("case", sorted(BAD_OTHER))
def test_other_validation_errors(server, case):
    action, params = BAD_OTHER[case]
    err = assert_error(server.iam_call(action, params), 400, "ValidationError")
    assert "failed to satisfy constraint" in err["Message"], err


def test_validation_runs_before_lookup(server, uniq):
    # A malformed name is a ValidationError (400), not a NoSuchEntity (404).
    assert_error(server.iam_call("GetUser", {"UserName": "no such user!"}), 400, "ValidationError")


def test_non_integer_max_items(server):
    r = server.iam_call("ListUsers", {"MaxItems": "many"})
    assert_error(r, 400)


def test_garbage_marker(server):
    r = server.iam_call("ListUsers", {"Marker": "not-a-marker-we-issued", "MaxItems": "5"})
    assert r.status < 500, r
    if r.status != 200:
        assert_error(r, 400)


# ---- InvalidAction --------------------------------------------------------------------------


def test_unknown_action(server):
    err = assert_error(server.iam_call("FlyToTheMoon"), 400, "InvalidAction")
    assert "FlyToTheMoon" in err["Message"], err


def test_unknown_sts_action(server):
    assert_error(server.sts_call("GetCallerIdentities"), 400, "InvalidAction")


def test_action_of_the_other_api_version(server):
    # IAM's CreateUser under STS's Version, and STS's GetCallerIdentity under IAM's.
    r = server.signed_request({"Action": "CreateUser", "Version": STS_VERSION, "UserName": "vv"},
                              service="sts")
    assert_error(r, 400, "InvalidAction")
    r = server.signed_request({"Action": "GetCallerIdentity", "Version": IAM_VERSION}, service="iam")
    assert_error(r, 400, "InvalidAction")


def test_missing_action(server):
    r = server.signed_request({"Version": IAM_VERSION})
    assert_error(r, 400)


def test_empty_body(server):
    assert_error(server.signed_request(body=b""), 400)


# ---- malformed bodies: never a 5xx, never a partial write ------------------------------------


def test_non_utf8_percent_encoded_value(server):
    body = f"Action=CreateUser&Version={IAM_VERSION}&UserName=abc%FF%FEdef".encode()
    r = server.signed_request(body=body)
    assert_error(r, 400)
    assert not user_exists(server, "abcdef")


def test_non_utf8_raw_bytes(server):
    body = b"Action=CreateUser&Version=" + IAM_VERSION.encode() + b"&UserName=raw\xff\xfebytes"
    r = server.signed_request(body=body)
    assert_error(r, 400)
    assert not user_exists(server, "rawbytes")


def test_bad_percent_escape(server):
    body = f"Action=ListUsers&Version={IAM_VERSION}&PathPrefix=%ZZ".encode()
    r = server.signed_request(body=body)
    assert r.status < 500, r
    if r.status != 200:
        assert_error(r, 400)


def test_duplicate_parameters(server, uniq):
    a, b = uniq("dupa"), uniq("dupb")
    r = server.signed_request([("Action", "CreateUser"), ("Version", IAM_VERSION),
                               ("UserName", a), ("UserName", b)])
    assert r.status < 500, r
    created = [n for n in (a, b) if user_exists(server, n)]
    if r.status == 200:
        assert len(created) == 1, created
    else:
        assert_error(r, 400)
        assert created == []


def test_duplicate_action(server):
    r = server.signed_request([("Action", "ListUsers"), ("Action", "DeleteUser"), ("Version", IAM_VERSION)])
    assert r.status < 500, r
    if r.status != 200:
        assert_error(r, 400)


def test_many_parameters(server):
    params = [("Action", "ListUsers"), ("Version", IAM_VERSION)] + [(f"Junk{i}", "x") for i in range(5000)]
    r = server.signed_request(params)
    assert r.status < 500, r
    assert r.request_id_header


def test_absurd_list_index(server, uniq):
    name = uniq("idx")
    server.iam.create_user(UserName=name)
    r = server.iam_call("TagUser", {"UserName": name, "Tags.member.99999999999999999999.Key": "k",
                                    "Tags.member.99999999999999999999.Value": "v"})
    assert r.status < 500, r


def test_json_content_type(server):
    r = server.signed_request(body=b'{"Action": "ListUsers"}', headers={"Content-Type": "application/json"})
    assert r.status < 500, r
    assert r.status >= 400
    assert r.request_id_header


def test_oversized_body_refused(server):
    # 8 MiB: far larger than any IAM request can legitimately be.
    filler = b"x" * (8 * 1024 * 1024)
    body = b"Action=CreateUser&Version=" + IAM_VERSION.encode() + b"&UserName=huge-body&Junk=" + filler
    head = (
        "POST / HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Amz-Content-Sha256: {hashlib.sha256(body).hexdigest()}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    status, headers, _ = server.raw_http(head, body)
    assert 400 <= status < 500, status
    assert "x-amzn-requestid" in headers, headers
    assert not user_exists(server, "huge-body")


def test_request_id_on_every_error(server):
    for r in (
        server.iam_call("GetUser", {"UserName": "missing-user-for-rid"}),
        server.iam_call("Nope"),
        server.iam_call("ListUsers", sign=False),
    ):
        assert r.status >= 400
        assert r.request_id_header
        assert r.error()["RequestId"] == r.request_id_header
