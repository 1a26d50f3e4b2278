"""The aws CLI (v1, botocore underneath) against iamd: the everyday commands and their errors."""

import re

import pytest

from iamd_harness import USER_ID


@pytest.fixture
def cli(server):
    return server.cli


def ok(res):
    assert res.rc == 0, res
    return res.json


def fails_with(res, code):
    assert res.rc != 0, res
    assert f"({code})" in res.stderr, res


def test_cli_user_lifecycle(cli, account_id, uniq):
    name, new = uniq("cli"), uniq("cli-new")
    u = ok(cli("iam", "create-user", "--user-name", name, "--path", "/cli/",
               "--tags", "Key=team,Value=red", "Key=env,Value=test"))["User"]
    assert u["UserName"] == name and u["Path"] == "/cli/"
    assert u["Arn"] == f"arn:aws:iam::{account_id}:user/cli/{name}"
    assert USER_ID.match(u["UserId"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", u["CreateDate"])

    g = ok(cli("iam", "get-user", "--user-name", name))["User"]
    assert g["UserId"] == u["UserId"]
    assert {t["Key"]: t["Value"] for t in g["Tags"]} == {"team": "red", "env": "test"}

    listed = ok(cli("iam", "list-users", "--path-prefix", "/cli/"))["Users"]
    assert name in [x["UserName"] for x in listed]

    assert cli("iam", "update-user", "--user-name", name, "--new-user-name", new,
               "--new-path", "/cli/moved/").rc == 0
    g = ok(cli("iam", "get-user", "--user-name", new))["User"]
    assert g["Arn"] == f"arn:aws:iam::{account_id}:user/cli/moved/{new}"
    fails_with(cli("iam", "get-user", "--user-name", name), "NoSuchEntity")

    assert cli("iam", "delete-user", "--user-name", new).rc == 0
    fails_with(cli("iam", "get-user", "--user-name", new), "NoSuchEntity")


def test_cli_tags(cli, uniq):
    name = uniq("clitag")
    ok(cli("iam", "create-user", "--user-name", name))
    assert cli("iam", "tag-user", "--user-name", name, "--tags", "Key=a,Value=1", "Key=b,Value=2").rc == 0
    tags = ok(cli("iam", "list-user-tags", "--user-name", name))
    assert {t["Key"]: t["Value"] for t in tags["Tags"]} == {"a": "1", "b": "2"}
    assert cli("iam", "untag-user", "--user-name", name, "--tag-keys", "a").rc == 0
    tags = ok(cli("iam", "list-user-tags", "--user-name", name))
    assert tags["Tags"] == [{"Key": "b", "Value": "2"}]


def test_cli_groups(cli, account_id, uniq):
    grp, user, renamed = uniq("clig"), uniq("cliu"), uniq("clig2")
    g = ok(cli("iam", "create-group", "--group-name", grp))["Group"]
    assert g["Arn"] == f"arn:aws:iam::{account_id}:group/{grp}"
    assert g["GroupId"].startswith("AGPA")
    ok(cli("iam", "create-user", "--user-name", user))
    assert cli("iam", "add-user-to-group", "--group-name", grp, "--user-name", user).rc == 0

    got = ok(cli("iam", "get-group", "--group-name", grp))
    assert got["Group"]["GroupName"] == grp
    assert [u["UserName"] for u in got["Users"]] == [user]

    assert grp in [x["GroupName"] for x in ok(cli("iam", "list-groups"))["Groups"]]
    assert [x["GroupName"] for x in ok(cli("iam", "list-groups-for-user", "--user-name", user))["Groups"]] == [grp]

    fails_with(cli("iam", "delete-group", "--group-name", grp), "DeleteConflict")
    fails_with(cli("iam", "delete-user", "--user-name", user), "DeleteConflict")

    assert cli("iam", "update-group", "--group-name", grp, "--new-group-name", renamed).rc == 0
    assert ok(cli("iam", "get-group", "--group-name", renamed))["Users"][0]["UserName"] == user

    assert cli("iam", "remove-user-from-group", "--group-name", renamed, "--user-name", user).rc == 0
    assert ok(cli("iam", "list-groups-for-user", "--user-name", user))["Groups"] == []
    assert cli("iam", "delete-group", "--group-name", renamed).rc == 0
    fails_with(cli("iam", "get-group", "--group-name", renamed), "NoSuchEntity")


def test_cli_errors(cli, uniq):
    name = uniq("clierr")
    ok(cli("iam", "create-user", "--user-name", name))
    fails_with(cli("iam", "create-user", "--user-name", name.upper()), "EntityAlreadyExists")
    fails_with(cli("iam", "get-user", "--user-name", uniq("nobody")), "NoSuchEntity")
    fails_with(cli("iam", "create-user", "--user-name", "bad name"), "ValidationError")


def test_cli_get_user_without_name_is_root(cli, account_id):
    u = ok(cli("iam", "get-user"))["User"]
    assert u["Arn"] == f"arn:aws:iam::{account_id}:root"
    assert u["UserId"] == account_id


def test_cli_text_output(server, account_id):
    res = server.cli("sts", "get-caller-identity", "--query", "Account", "--output", "text")
    assert res.rc == 0, res
    assert res.stdout.strip() == account_id
