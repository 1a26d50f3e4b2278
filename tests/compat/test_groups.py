"""IAM groups and membership with boto3: shapes, errors, DeleteConflict, groups-per-user quota."""

import re

import pytest
from botocore.exceptions import ClientError

from iamd_harness import IAM_NS, ISO8601, expect, local, ns_of, path, recent, text

GROUP_ID = re.compile(r"^AGPA[A-Z0-9]{17}$")


def test_create_group_defaults(iam, account_id, uniq):
    name = uniq("g")
    g = iam.create_group(GroupName=name)["Group"]
    assert g["GroupName"] == name
    assert g["Path"] == "/"
    assert GROUP_ID.match(g["GroupId"]), g["GroupId"]
    assert g["Arn"] == f"arn:aws:iam::{account_id}:group/{name}"
    assert recent(g["CreateDate"])
    r = iam.get_group(GroupName=name)
    assert r["Group"] == g
    assert r["Users"] == []
    assert r["IsTruncated"] is False


def test_create_group_with_path(iam, account_id, uniq):
    name = uniq("g")
    g = iam.create_group(GroupName=name, Path="/division/team/")["Group"]
    assert g["Path"] == "/division/team/"
    assert g["Arn"] == f"arn:aws:iam::{account_id}:group/division/team/{name}"


def test_group_ids_unique_and_distinct_from_users(iam, uniq):
    ids = {iam.create_group(GroupName=uniq("gid"))["Group"]["GroupId"] for _ in range(3)}
    assert len(ids) == 3


def test_create_group_duplicate_any_case(iam, uniq):
    name = uniq("Grp")
    iam.create_group(GroupName=name)
    expect("EntityAlreadyExists", 409, iam.create_group, GroupName=name)
    expect("EntityAlreadyExists", 409, iam.create_group, GroupName=name.upper())


def test_user_and_group_may_share_a_name(iam, uniq):
    # Uniqueness is per entity type: a user and a group can have the same name.
    name = uniq("same")
    iam.create_user(UserName=name)
    iam.create_group(GroupName=name)


def test_create_group_xml_shape(server, account_id, uniq):
    name = uniq("gx")
    r = server.iam_call("CreateGroup", {"GroupName": name})
    assert r.status == 200, r
    root = r.xml()
    assert local(root.tag) == "CreateGroupResponse" and ns_of(root.tag) == IAM_NS
    g = path(root, "CreateGroupResult/Group")
    assert text(g, "Path") == "/"
    assert text(g, "GroupName") == name
    assert GROUP_ID.match(text(g, "GroupId") or "")
    assert text(g, "Arn") == f"arn:aws:iam::{account_id}:group/{name}"
    assert ISO8601.match(text(g, "CreateDate") or "")
    assert text(root, "ResponseMetadata/RequestId") == r.request_id_header


def test_get_group_xml_shape(server, uniq):
    iam = server.iam
    grp, user = uniq("gg"), uniq("gu")
    iam.create_group(GroupName=grp)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=grp, UserName=user)
    r = server.iam_call("GetGroup", {"GroupName": grp})
    assert r.status == 200, r
    root = r.xml()
    assert local(root.tag) == "GetGroupResponse" and ns_of(root.tag) == IAM_NS
    assert text(root, "GetGroupResult/Group/GroupName") == grp
    members = [m for m in path(root, "GetGroupResult/Users") if local(m.tag) == "member"]
    assert [text(m, "UserName") for m in members] == [user]
    assert text(members[0], "UserId").startswith("AIDA")
    assert text(root, "GetGroupResult/IsTruncated") == "false"


def test_get_group_missing(iam, uniq):
    expect("NoSuchEntity", 404, iam.get_group, GroupName=uniq("nogroup"))


# ---- ListGroups -----------------------------------------------------------------------------


def test_list_groups_path_prefix(iam, uniq):
    base = f"/{uniq('lg')}/"
    a = iam.create_group(GroupName=uniq("a"), Path=base)["Group"]
    b = iam.create_group(GroupName=uniq("b"), Path=base + "deep/")["Group"]
    iam.create_group(GroupName=uniq("c"), Path=f"/{uniq('elsewhere')}/")
    r = iam.list_groups(PathPrefix=base)
    assert {g["GroupName"] for g in r["Groups"]} == {a["GroupName"], b["GroupName"]}
    assert r["IsTruncated"] is False
    assert {g["GroupName"] for g in iam.list_groups(PathPrefix=base + "deep/")["Groups"]} == {b["GroupName"]}
    for g in r["Groups"]:
        assert set(g) >= {"Path", "GroupName", "GroupId", "Arn", "CreateDate"}


# ---- UpdateGroup ----------------------------------------------------------------------------


def test_update_group_rename_and_move_keeps_members(iam, account_id, uniq):
    old, new, user = uniq("go"), uniq("gn"), uniq("gm")
    g = iam.create_group(GroupName=old)["Group"]
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=old, UserName=user)
    iam.update_group(GroupName=old, NewGroupName=new, NewPath="/renamed/")
    expect("NoSuchEntity", 404, iam.get_group, GroupName=old)
    r = iam.get_group(GroupName=new)
    assert r["Group"]["GroupId"] == g["GroupId"]
    assert r["Group"]["Path"] == "/renamed/"
    assert r["Group"]["Arn"] == f"arn:aws:iam::{account_id}:group/renamed/{new}"
    assert [u["UserName"] for u in r["Users"]] == [user]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName=user)["Groups"]] == [new]


def test_update_group_path_only(iam, uniq):
    name = uniq("gp")
    iam.create_group(GroupName=name)
    iam.update_group(GroupName=name, NewPath="/x/y/")
    assert iam.get_group(GroupName=name)["Group"]["Path"] == "/x/y/"


def test_update_group_to_existing_name(iam, uniq):
    a, b = uniq("ga"), uniq("gb")
    iam.create_group(GroupName=a)
    iam.create_group(GroupName=b)
    expect("EntityAlreadyExists", 409, iam.update_group, GroupName=a, NewGroupName=b.upper())


def test_update_group_missing(iam, uniq):
    expect("NoSuchEntity", 404, iam.update_group, GroupName=uniq("nog"), NewPath="/p/")


# ---- DeleteGroup ----------------------------------------------------------------------------


def test_delete_group(iam, uniq):
    name = uniq("gd")
    iam.create_group(GroupName=name)
    iam.delete_group(GroupName=name)
    expect("NoSuchEntity", 404, iam.get_group, GroupName=name)
    expect("NoSuchEntity", 404, iam.delete_group, GroupName=name)


def test_delete_group_with_members_conflicts(iam, uniq):
    grp, user = uniq("gdc"), uniq("gdu")
    iam.create_group(GroupName=grp)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=grp, UserName=user)
    expect("DeleteConflict", 409, iam.delete_group, GroupName=grp)
    assert [u["UserName"] for u in iam.get_group(GroupName=grp)["Users"]] == [user]
    iam.remove_user_from_group(GroupName=grp, UserName=user)
    iam.delete_group(GroupName=grp)
    assert iam.list_groups_for_user(UserName=user)["Groups"] == []


# ---- membership -----------------------------------------------------------------------------


def test_membership_round_trip(iam, uniq):
    user = uniq("mu")
    groups = [uniq("mg") for _ in range(3)]
    iam.create_user(UserName=user)
    for g in groups:
        iam.create_group(GroupName=g)
        iam.add_user_to_group(GroupName=g, UserName=user)
    r = iam.list_groups_for_user(UserName=user)
    assert {g["GroupName"] for g in r["Groups"]} == set(groups)
    assert r["IsTruncated"] is False
    for g in r["Groups"]:
        assert GROUP_ID.match(g["GroupId"])
    iam.remove_user_from_group(GroupName=groups[1], UserName=user)
    assert {g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]} == {groups[0], groups[2]}
    assert iam.get_group(GroupName=groups[1])["Users"] == []


def test_list_groups_for_user_pagination(iam, uniq):
    user = uniq("lpu")
    iam.create_user(UserName=user)
    groups = {uniq("lpg") for _ in range(5)}
    for g in groups:
        iam.create_group(GroupName=g)
        iam.add_user_to_group(GroupName=g, UserName=user)
    r = iam.list_groups_for_user(UserName=user, MaxItems=2)
    assert len(r["Groups"]) == 2 and r["IsTruncated"] is True and r["Marker"]
    seen, pages = [], iam.get_paginator("list_groups_for_user").paginate(
        UserName=user, PaginationConfig={"PageSize": 2})
    for page in pages:
        seen += [g["GroupName"] for g in page["Groups"]]
    assert sorted(seen) == sorted(groups)


def test_add_user_to_group_twice_keeps_one_membership(iam, uniq):
    grp, user = uniq("tw"), uniq("twu")
    iam.create_group(GroupName=grp)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=grp, UserName=user)
    try:
        iam.add_user_to_group(GroupName=grp, UserName=user)
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] < 500
    assert [u["UserName"] for u in iam.get_group(GroupName=grp)["Users"]] == [user]
    assert len(iam.list_groups_for_user(UserName=user)["Groups"]) == 1


def test_membership_missing_entities(iam, uniq):
    grp, user = uniq("mx"), uniq("mxu")
    iam.create_group(GroupName=grp)
    iam.create_user(UserName=user)
    expect("NoSuchEntity", 404, iam.add_user_to_group, GroupName=grp, UserName=uniq("ghost"))
    expect("NoSuchEntity", 404, iam.add_user_to_group, GroupName=uniq("ghostg"), UserName=user)
    expect("NoSuchEntity", 404, iam.remove_user_from_group, GroupName=uniq("ghostg"), UserName=user)
    expect("NoSuchEntity", 404, iam.remove_user_from_group, GroupName=grp, UserName=uniq("ghost"))
    expect("NoSuchEntity", 404, iam.list_groups_for_user, UserName=uniq("ghost"))


def test_groups_per_user_limit_is_10(iam, uniq):
    user = uniq("lim")
    iam.create_user(UserName=user)
    groups = [uniq("lg") for _ in range(11)]
    for g in groups:
        iam.create_group(GroupName=g)
    for g in groups[:10]:
        iam.add_user_to_group(GroupName=g, UserName=user)
    expect("LimitExceeded", 409, iam.add_user_to_group, GroupName=groups[10], UserName=user)
    assert len(iam.list_groups_for_user(UserName=user)["Groups"]) == 10
    assert iam.get_group(GroupName=groups[10])["Users"] == []
    # Leaving one group makes room again.
    iam.remove_user_from_group(GroupName=groups[0], UserName=user)
    iam.add_user_to_group(GroupName=groups[10], UserName=user)


def test_deleting_user_after_leaving_groups(iam, uniq):
    grp, user = uniq("dl"), uniq("dlu")
    iam.create_group(GroupName=grp)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=grp, UserName=user)
    iam.remove_user_from_group(GroupName=grp, UserName=user)
    iam.delete_user(UserName=user)
    assert iam.get_group(GroupName=grp)["Users"] == []


@pytest.mark.parametrize("op", ["get_group", "delete_group"])
def test_group_lookup_error_document(server, op, uniq):
    action = {"get_group": "GetGroup", "delete_group": "DeleteGroup"}[op]
    r = server.iam_call(action, {"GroupName": uniq("none")})
    assert r.status == 404, r
    err = r.error()
    assert (err["Type"], err["Code"]) == ("Sender", "NoSuchEntity")
    assert err["RequestId"] == r.request_id_header
