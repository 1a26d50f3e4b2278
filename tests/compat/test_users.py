"""IAM users with boto3: create, get, list, update, delete, tags; AWS's shapes and errors."""

import pytest
from botocore.exceptions import ClientError

from iamd_harness import IAM_NS, ISO8601, USER_ID, error_of, expect, local, ns_of, path, recent, text

# ---- CreateUser / GetUser -------------------------------------------------------------------


def test_create_user_defaults(iam, account_id, uniq):
    name = uniq("u")
    r = iam.create_user(UserName=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    u = r["User"]
    assert u["UserName"] == name
    assert u["Path"] == "/"
    assert USER_ID.match(u["UserId"]), u["UserId"]
    assert u["Arn"] == f"arn:aws:iam::{account_id}:user/{name}"
    assert recent(u["CreateDate"])
    assert "Tags" not in u
    g = iam.get_user(UserName=name)["User"]
    assert {k: g[k] for k in ("UserName", "Path", "UserId", "Arn", "CreateDate")} == \
           {k: u[k] for k in ("UserName", "Path", "UserId", "Arn", "CreateDate")}


def test_create_user_with_path_and_tags(iam, account_id, uniq):
    name = uniq("u")
    tags = [{"Key": "team", "Value": "blue"}, {"Key": "cost-center", "Value": ""}]
    u = iam.create_user(UserName=name, Path="/eng/ops/", Tags=tags)["User"]
    assert u["Path"] == "/eng/ops/"
    assert u["Arn"] == f"arn:aws:iam::{account_id}:user/eng/ops/{name}"
    assert sorted(u["Tags"], key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])
    g = iam.get_user(UserName=name)["User"]
    assert sorted(g["Tags"], key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])


def test_user_ids_are_unique(iam, uniq):
    ids = {iam.create_user(UserName=uniq("uid"))["User"]["UserId"] for _ in range(5)}
    assert len(ids) == 5


def test_name_case_is_kept(iam, uniq):
    name = uniq("MixedCase")
    p = f"/{uniq('case')}/"
    assert iam.create_user(UserName=name, Path=p)["User"]["UserName"] == name
    assert [u["UserName"] for u in iam.list_users(PathPrefix=p)["Users"]] == [name]
    assert iam.get_user(UserName=name)["User"]["UserName"] == name


def test_name_with_all_allowed_punctuation(iam, uniq):
    name = uniq("a_b+c=d,e.f@g")
    assert iam.create_user(UserName=name)["User"]["UserName"] == name
    assert iam.get_user(UserName=name)["User"]["UserName"] == name


def test_create_user_duplicate(iam, uniq):
    name = uniq("dup")
    iam.create_user(UserName=name)
    expect("EntityAlreadyExists", 409, iam.create_user, UserName=name)


def test_create_user_duplicate_other_case(iam, uniq):
    # IAM names are unique case-insensitively: "ADMIN" and "admin" cannot both exist.
    name = uniq("Case")
    iam.create_user(UserName=name)
    expect("EntityAlreadyExists", 409, iam.create_user, UserName=name.upper())
    expect("EntityAlreadyExists", 409, iam.create_user, UserName=name.lower())


def test_create_user_duplicate_in_other_path(iam, uniq):
    name = uniq("dup")
    iam.create_user(UserName=name, Path="/a/")
    expect("EntityAlreadyExists", 409, iam.create_user, UserName=name, Path="/b/")


def test_get_user_without_name_is_caller_root(iam, account_id):
    u = iam.get_user()["User"]
    assert u["UserId"] == account_id
    assert u["Arn"] == f"arn:aws:iam::{account_id}:root"


def test_get_user_missing(iam, uniq):
    expect("NoSuchEntity", 404, iam.get_user, UserName=uniq("nobody"))


def test_create_user_xml_shape(server, account_id, uniq):
    name = uniq("xml")
    r = server.iam_call("CreateUser", {"UserName": name, "Path": "/x/"})
    assert r.status == 200, r
    root = r.xml()
    assert local(root.tag) == "CreateUserResponse"
    assert ns_of(root.tag) == IAM_NS
    user = path(root, "CreateUserResult/User")
    assert user is not None, r
    assert ns_of(user.tag) == IAM_NS
    assert text(user, "Path") == "/x/"
    assert text(user, "UserName") == name
    assert USER_ID.match(text(user, "UserId") or "")
    assert text(user, "Arn") == f"arn:aws:iam::{account_id}:user/x/{name}"
    assert ISO8601.match(text(user, "CreateDate") or ""), text(user, "CreateDate")
    rid = text(root, "ResponseMetadata/RequestId")
    assert rid and r.request_id_header == rid


def test_list_users_xml_shape(server, uniq):
    p = f"/{uniq('lx')}/"
    name = uniq("lx")
    server.iam.create_user(UserName=name, Path=p)
    r = server.iam_call("ListUsers", {"PathPrefix": p})
    assert r.status == 200, r
    root = r.xml()
    assert local(root.tag) == "ListUsersResponse" and ns_of(root.tag) == IAM_NS
    users = path(root, "ListUsersResult/Users")
    members = [m for m in users if local(m.tag) == "member"]
    assert [text(m, "UserName") for m in members] == [name]
    assert text(root, "ListUsersResult/IsTruncated") == "false"
    assert path(root, "ListUsersResult/Marker") is None
    assert text(root, "ResponseMetadata/RequestId")


def test_delete_user_xml_shape(server, uniq):
    name = uniq("dx")
    server.iam.create_user(UserName=name)
    r = server.iam_call("DeleteUser", {"UserName": name})
    assert r.status == 200, r
    root = r.xml()
    assert local(root.tag) == "DeleteUserResponse" and ns_of(root.tag) == IAM_NS
    assert text(root, "ResponseMetadata/RequestId") == r.request_id_header


# ---- ListUsers ------------------------------------------------------------------------------


def test_list_users_path_prefix(iam, uniq):
    base = f"/{uniq('lp')}/"
    a = iam.create_user(UserName=uniq("a"), Path=base)["User"]
    b = iam.create_user(UserName=uniq("b"), Path=base + "sub/")["User"]
    c = iam.create_user(UserName=uniq("c"), Path=f"/{uniq('other')}/")["User"]
    got = {u["UserName"] for u in iam.list_users(PathPrefix=base)["Users"]}
    assert got == {a["UserName"], b["UserName"]}
    got = {u["UserName"] for u in iam.list_users(PathPrefix=base + "sub/")["Users"]}
    assert got == {b["UserName"]}
    everyone = {u["UserName"] for u in iam.get_paginator("list_users").paginate().build_full_result()["Users"]}
    assert {a["UserName"], b["UserName"], c["UserName"]} <= everyone


def test_list_users_entries_have_no_tags(iam, uniq):
    # AWS: listing operations return a subset of attributes; ListUsers does not return tags.
    base = f"/{uniq('lt')}/"
    iam.create_user(UserName=uniq("t"), Path=base, Tags=[{"Key": "k", "Value": "v"}])
    (u,) = iam.list_users(PathPrefix=base)["Users"]
    assert "Tags" not in u
    assert set(u) >= {"Path", "UserName", "UserId", "Arn", "CreateDate"}


def test_list_users_empty_prefix_result(iam, uniq):
    r = iam.list_users(PathPrefix=f"/{uniq('empty')}/")
    assert r["Users"] == []
    assert r["IsTruncated"] is False


# ---- UpdateUser -----------------------------------------------------------------------------


def test_update_user_rename(iam, account_id, uniq):
    old, new = uniq("old"), uniq("new")
    u = iam.create_user(UserName=old, Tags=[{"Key": "k", "Value": "v"}])["User"]
    r = iam.update_user(UserName=old, NewUserName=new)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect("NoSuchEntity", 404, iam.get_user, UserName=old)
    g = iam.get_user(UserName=new)["User"]
    assert g["UserId"] == u["UserId"]
    assert g["Arn"] == f"arn:aws:iam::{account_id}:user/{new}"
    assert g["CreateDate"] == u["CreateDate"]
    assert g["Tags"] == [{"Key": "k", "Value": "v"}]


def test_update_user_new_path(iam, account_id, uniq):
    name = uniq("mv")
    u = iam.create_user(UserName=name, Path="/a/")["User"]
    iam.update_user(UserName=name, NewPath="/b/c/")
    g = iam.get_user(UserName=name)["User"]
    assert g["Path"] == "/b/c/"
    assert g["Arn"] == f"arn:aws:iam::{account_id}:user/b/c/{name}"
    assert g["UserId"] == u["UserId"]


def test_update_user_rename_and_move(iam, account_id, uniq):
    old, new = uniq("rm"), uniq("rm")
    iam.create_user(UserName=old)
    iam.update_user(UserName=old, NewUserName=new, NewPath="/moved/")
    g = iam.get_user(UserName=new)["User"]
    assert (g["Path"], g["Arn"]) == ("/moved/", f"arn:aws:iam::{account_id}:user/moved/{new}")


def test_update_user_rename_keeps_groups(iam, uniq):
    old, new, grp = uniq("ug"), uniq("ug"), uniq("g")
    iam.create_user(UserName=old)
    iam.create_group(GroupName=grp)
    iam.add_user_to_group(GroupName=grp, UserName=old)
    iam.update_user(UserName=old, NewUserName=new)
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=new)["Groups"]] == [grp]
    assert [u["UserName"] for u in iam.get_group(GroupName=grp)["Users"]] == [new]


def test_update_user_to_existing_name(iam, uniq):
    a, b = uniq("ea"), uniq("eb")
    iam.create_user(UserName=a)
    iam.create_user(UserName=b)
    expect("EntityAlreadyExists", 409, iam.update_user, UserName=a, NewUserName=b)
    expect("EntityAlreadyExists", 409, iam.update_user, UserName=a, NewUserName=b.upper())
    assert iam.get_user(UserName=a)["User"]["UserName"] == a


def test_update_user_missing(iam, uniq):
    expect("NoSuchEntity", 404, iam.update_user, UserName=uniq("missing"), NewUserName=uniq("x"))


# ---- DeleteUser -----------------------------------------------------------------------------


def test_delete_user(iam, uniq):
    name = uniq("del")
    iam.create_user(UserName=name)
    assert iam.delete_user(UserName=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect("NoSuchEntity", 404, iam.get_user, UserName=name)
    expect("NoSuchEntity", 404, iam.delete_user, UserName=name)
    # The name is free again.
    iam.create_user(UserName=name)


def test_delete_user_missing(iam, uniq):
    expect("NoSuchEntity", 404, iam.delete_user, UserName=uniq("never"))


def test_delete_user_in_group_conflicts(iam, uniq):
    name, grp = uniq("dc"), uniq("dcg")
    iam.create_user(UserName=name)
    iam.create_group(GroupName=grp)
    iam.add_user_to_group(GroupName=grp, UserName=name)
    expect("DeleteConflict", 409, iam.delete_user, UserName=name)
    assert iam.get_user(UserName=name)["User"]["UserName"] == name
    iam.remove_user_from_group(GroupName=grp, UserName=name)
    iam.delete_user(UserName=name)


def test_delete_user_with_tags_allowed(iam, uniq):
    # Tags are not among the things that block DeleteUser.
    name = uniq("dt")
    iam.create_user(UserName=name, Tags=[{"Key": "a", "Value": "1"}])
    iam.delete_user(UserName=name)
    expect("NoSuchEntity", 404, iam.get_user, UserName=name)


def test_recreated_user_gets_new_id(iam, uniq):
    name = uniq("re")
    first = iam.create_user(UserName=name)["User"]["UserId"]
    iam.delete_user(UserName=name)
    second = iam.create_user(UserName=name)["User"]["UserId"]
    assert first != second


# ---- Tags -----------------------------------------------------------------------------------


def tags_of(iam, name):
    return {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=name)["Tags"]}


def test_tag_untag_list(iam, uniq):
    name = uniq("tag")
    iam.create_user(UserName=name)
    r = iam.list_user_tags(UserName=name)
    assert r["Tags"] == [] and r["IsTruncated"] is False
    iam.tag_user(UserName=name, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "ann"}])
    assert tags_of(iam, name) == {"env": "prod", "owner": "ann"}
    # Tagging an existing key replaces its value.
    iam.tag_user(UserName=name, Tags=[{"Key": "env", "Value": "dev"}])
    assert tags_of(iam, name) == {"env": "dev", "owner": "ann"}
    iam.untag_user(UserName=name, TagKeys=["env"])
    assert tags_of(iam, name) == {"owner": "ann"}
    got = iam.get_user(UserName=name)["User"]["Tags"]
    assert got == [{"Key": "owner", "Value": "ann"}]


def test_tag_values_keep_unicode_and_allowed_symbols(iam, uniq):
    name = uniq("tagu")
    iam.create_user(UserName=name)
    tags = {"Dépt": "Café Ünïcode", "a_b.c:d/e=f+g-h@i": "x y", "empty": ""}
    iam.tag_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    assert tags_of(iam, name) == tags


def test_list_user_tags_pagination(iam, uniq):
    name = uniq("tagp")
    iam.create_user(UserName=name)
    want = {f"k{i:02d}": str(i) for i in range(7)}
    iam.tag_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in want.items()])
    got, marker, pages = {}, None, 0
    while True:
        kw = {"UserName": name, "MaxItems": 3}
        if marker:
            kw["Marker"] = marker
        r = iam.list_user_tags(**kw)
        pages += 1
        assert len(r["Tags"]) <= 3
        for t in r["Tags"]:
            assert t["Key"] not in got
            got[t["Key"]] = t["Value"]
        if not r["IsTruncated"]:
            assert "Marker" not in r
            break
        assert r["Marker"]
        marker = r["Marker"]
    assert got == want and pages == 3


def test_tags_on_missing_user(iam, uniq):
    missing = uniq("nouser")
    expect("NoSuchEntity", 404, iam.tag_user, UserName=missing, Tags=[{"Key": "a", "Value": "b"}])
    expect("NoSuchEntity", 404, iam.untag_user, UserName=missing, TagKeys=["a"])
    expect("NoSuchEntity", 404, iam.list_user_tags, UserName=missing)


def test_tag_limit_50_per_user(iam, uniq):
    name = uniq("tl")
    iam.create_user(UserName=name)
    iam.tag_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(30)])
    iam.tag_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(30, 50)])
    assert len(tags_of(iam, name)) == 50
    # Replacing the value of an existing key does not add a tag.
    iam.tag_user(UserName=name, Tags=[{"Key": "k0", "Value": "new"}])
    expect("LimitExceeded", 409, iam.tag_user, UserName=name, Tags=[{"Key": "k50", "Value": "v"}])
    t = tags_of(iam, name)
    assert len(t) == 50 and "k50" not in t and t["k0"] == "new"


def test_tag_limit_is_atomic(iam, uniq):
    # A TagUser call that would exceed the quota writes none of its tags.
    name = uniq("ta")
    iam.create_user(UserName=name)
    iam.tag_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(45)])
    expect("LimitExceeded", 409, iam.tag_user, UserName=name,
           Tags=[{"Key": f"n{i}", "Value": "v"} for i in range(10)])
    assert len(tags_of(iam, name)) == 45


def test_create_user_with_too_many_tags(iam, uniq):
    name = uniq("tm")
    with pytest.raises(ClientError) as ei:
        iam.create_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert error_of(ei.value) in {("ValidationError", 400), ("LimitExceeded", 409)}
    expect("NoSuchEntity", 404, iam.get_user, UserName=name)
