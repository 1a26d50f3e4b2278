"""Marker/MaxItems/IsTruncated over 260 users (ListUsers) and a group of 260 members (GetGroup),
with boto3's paginators, by hand, and with the aws CLI's automatic pagination."""

import math

import pytest

from iamd_harness import all_pages, run_parallel, unique, unique_path

N = 260


@pytest.fixture(scope="module")
def population(server):
    iam = server.iam
    prefix = unique_path("pag")
    group = unique("paggrp")
    iam.create_group(GroupName=group)
    names = [f"pag-{i:04d}-{unique('u')}" for i in range(N)]

    def make(name):
        iam.create_user(UserName=name, Path=prefix)
        iam.add_user_to_group(GroupName=group, UserName=name)

    run_parallel(make, names, workers=8)
    return {"prefix": prefix, "group": group, "names": set(names)}


def check_pages(pages, key, max_per_page):
    for i, page in enumerate(pages):
        last = i == len(pages) - 1
        assert len(page[key]) <= max_per_page
        assert page["IsTruncated"] is (not last), (i, page["IsTruncated"])
        if last:
            assert "Marker" not in page
        else:
            assert page["Marker"]
            assert len(page[key]) > 0


def test_list_users_paginator(server, population):
    users, pages = all_pages(server.iam.get_paginator("list_users"), "Users",
                             PathPrefix=population["prefix"], PaginationConfig={"PageSize": 100})
    names = [u["UserName"] for u in users]
    assert len(names) == len(set(names)) == N
    assert set(names) == population["names"]
    assert len(pages) == 3
    check_pages(pages, "Users", 100)


def test_list_users_by_hand_small_pages(server, population):
    iam = server.iam
    seen, marker, pages = [], None, 0
    while True:
        kw = {"PathPrefix": population["prefix"], "MaxItems": 7}
        if marker:
            kw["Marker"] = marker
        r = iam.list_users(**kw)
        pages += 1
        assert 0 < len(r["Users"]) <= 7
        seen += [u["UserName"] for u in r["Users"]]
        if not r["IsTruncated"]:
            assert "Marker" not in r
            break
        marker = r["Marker"]
    assert len(seen) == len(set(seen)) == N
    assert set(seen) == population["names"]
    assert pages == math.ceil(N / 7)


def test_list_users_default_max_items_is_100(server, population):
    r = server.iam.list_users(PathPrefix=population["prefix"])
    assert len(r["Users"]) == 100
    assert r["IsTruncated"] is True
    assert r["Marker"]


def test_list_users_max_items_1000_one_page(server, population):
    r = server.iam.list_users(PathPrefix=population["prefix"], MaxItems=1000)
    assert len(r["Users"]) == N
    assert r["IsTruncated"] is False
    assert "Marker" not in r


def test_list_users_exact_page_boundary(server, population):
    # MaxItems equal to the number of remaining items: the last page is not truncated.
    r = server.iam.list_users(PathPrefix=population["prefix"], MaxItems=N)
    assert len(r["Users"]) == N and r["IsTruncated"] is False


def test_list_users_paginator_max_items(server, population):
    # boto3's MaxItems (client-side total) stops early and hands back a NextToken.
    p = server.iam.get_paginator("list_users")
    result = p.paginate(PathPrefix=population["prefix"],
                        PaginationConfig={"MaxItems": 150, "PageSize": 40}).build_full_result()
    assert len(result["Users"]) == 150
    assert result.get("NextToken")
    rest = p.paginate(PathPrefix=population["prefix"],
                      PaginationConfig={"PageSize": 40, "StartingToken": result["NextToken"]}).build_full_result()
    names = [u["UserName"] for u in result["Users"] + rest["Users"]]
    assert len(names) == len(set(names)) == N


def test_get_group_paginator(server, population):
    users, pages = all_pages(server.iam.get_paginator("get_group"), "Users",
                             GroupName=population["group"], PaginationConfig={"PageSize": 100})
    names = [u["UserName"] for u in users]
    assert len(names) == len(set(names)) == N
    assert set(names) == population["names"]
    check_pages(pages, "Users", 100)
    for page in pages:
        assert page["Group"]["GroupName"] == population["group"]


def test_get_group_by_hand(server, population):
    iam = server.iam
    seen, marker = [], None
    while True:
        kw = {"GroupName": population["group"], "MaxItems": 50}
        if marker:
            kw["Marker"] = marker
        r = iam.get_group(**kw)
        seen += [u["UserName"] for u in r["Users"]]
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert sorted(seen) == sorted(population["names"])


def test_get_group_default_max_items_is_100(server, population):
    r = server.iam.get_group(GroupName=population["group"])
    assert len(r["Users"]) == 100 and r["IsTruncated"] is True and r["Marker"]


def test_cli_list_users_paginates_everything(server, population):
    res = server.cli("iam", "list-users", "--path-prefix", population["prefix"], "--page-size", "60")
    assert res.rc == 0, res
    names = [u["UserName"] for u in res.json["Users"]]
    assert len(names) == len(set(names)) == N
    assert set(names) == population["names"]


def test_cli_get_group_paginates_everything(server, population):
    res = server.cli("iam", "get-group", "--group-name", population["group"])
    assert res.rc == 0, res
    names = [u["UserName"] for u in res.json["Users"]]
    assert sorted(names) == sorted(population["names"])
    assert res.json["Group"]["GroupName"] == population["group"]


def test_cli_max_items_gives_next_token(server, population):
    res = server.cli("iam", "list-users", "--path-prefix", population["prefix"], "--max-items", "10")
    assert res.rc == 0, res
    assert len(res.json["Users"]) == 10
    assert res.json["NextToken"]
