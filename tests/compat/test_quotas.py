"""Account-wide quotas (AWS defaults: 300 groups, 5000 users) and ListGroups pagination over
260 groups. These fill an account, so each runs on a server of its own."""

import pytest
from botocore.exceptions import ClientError

from iamd_harness import FastSigner, all_pages, error_of, expect, make_server, run_parallel, unique

GROUPS_QUOTA = 300
USERS_QUOTA = 5000


@pytest.fixture(scope="module")
def groups_server(_tmp_root):
    s = make_server(_tmp_root, "groups").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def many_groups(groups_server):
    prefix = "/many/"
    names = [f"grp-{i:04d}-{unique('g')}" for i in range(260)]
    fast = FastSigner(groups_server)

    def make(name):
        status, body = fast.call("CreateGroup", {"GroupName": name, "Path": prefix})
        assert status == 200, body

    run_parallel(make, names, workers=8)
    return {"prefix": prefix, "names": set(names)}


def test_list_groups_paginator(groups_server, many_groups):
    groups, pages = all_pages(groups_server.iam.get_paginator("list_groups"), "Groups",
                              PathPrefix=many_groups["prefix"], PaginationConfig={"PageSize": 100})
    names = [g["GroupName"] for g in groups]
    assert len(names) == len(set(names)) == 260
    assert set(names) == many_groups["names"]
    assert len(pages) == 3
    for i, page in enumerate(pages):
        last = i == len(pages) - 1
        assert page["IsTruncated"] is (not last)
        assert ("Marker" in page) is (not last)


def test_list_groups_default_page_and_unfiltered(groups_server, many_groups):
    iam = groups_server.iam
    r = iam.list_groups()
    assert len(r["Groups"]) == 100 and r["IsTruncated"] is True and r["Marker"]
    every = iam.get_paginator("list_groups").paginate(PaginationConfig={"PageSize": 33}).build_full_result()
    names = [g["GroupName"] for g in every["Groups"]]
    assert len(names) == len(set(names))
    assert many_groups["names"] <= set(names)


def test_list_groups_cli(groups_server, many_groups):
    res = groups_server.cli("iam", "list-groups", "--path-prefix", many_groups["prefix"])
    assert res.rc == 0, res
    assert {g["GroupName"] for g in res.json["Groups"]} == many_groups["names"]


def test_groups_quota_300(groups_server, many_groups):
    iam = groups_server.iam
    existing = len(iam.get_paginator("list_groups").paginate().build_full_result()["Groups"])
    assert existing <= GROUPS_QUOTA
    fast = FastSigner(groups_server)

    def make(name):
        status, body = fast.call("CreateGroup", {"GroupName": name})
        assert status == 200, body

    run_parallel(make, [unique("fill") for _ in range(GROUPS_QUOTA - existing)], workers=8)
    over = unique("over")
    expect("LimitExceeded", 409, iam.create_group, GroupName=over)
    expect("NoSuchEntity", 404, iam.get_group, GroupName=over)
    total = len(iam.get_paginator("list_groups").paginate().build_full_result()["Groups"])
    assert total == GROUPS_QUOTA
    # Deleting one frees a slot.
    victim = sorted(many_groups["names"])[0]
    iam.delete_group(GroupName=victim)
    many_groups["names"].discard(victim)
    iam.create_group(GroupName=over)


@pytest.mark.slow
def test_users_quota_5000(_tmp_root):
    s = make_server(_tmp_root, "users").start()
    try:
        fast = FastSigner(s)

        def make(i):
            status, body = fast.call("CreateUser", {"UserName": f"q{i:05d}"})
            if status == 409 and b"EntityAlreadyExists" in body:
                return  # a retried request after a dropped keep-alive connection
            assert status == 200, body

        run_parallel(make, range(USERS_QUOTA), workers=8)
        with pytest.raises(ClientError) as ei:
            s.iam.create_user(UserName="one-too-many")
        assert error_of(ei.value) == ("LimitExceeded", 409)
        r = s.iam.list_users(MaxItems=1000)
        assert r["IsTruncated"] is True
        s.iam.delete_user(UserName="q00000")
        s.iam.create_user(UserName="one-too-many")
    finally:
        s.stop()
