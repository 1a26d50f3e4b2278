"""Fixtures for the iamd client compatibility suite.

`server`      one `iamd serve` for the whole session (random account, root credentials from the
              data dir). Tests share it, so each test names its users/groups uniquely (`uniq`).
`dev_server`  one `iamd serve --dev` for the session.
`server_factory`  start extra servers (own data dirs) for tests that need a pristine account, a
              restart, or that fill an account-wide quota; they are stopped at the end.

The binary is `$IAMD_BIN`, else `<repo>/target/debug/iamd`; the suite never builds it.
"""

from __future__ import annotations

import pytest

from iamd_harness import IamdServer, make_server, unique, unique_path


@pytest.fixture(scope="session")
def _tmp_root(tmp_path_factory):
    return tmp_path_factory.mktemp("iamd")


@pytest.fixture(scope="session")
def server(_tmp_root) -> IamdServer:
    s = make_server(_tmp_root, "main").start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def dev_server(_tmp_root) -> IamdServer:
    s = make_server(_tmp_root, "dev", dev=True).start()
    yield s
    s.stop()


@pytest.fixture
def server_factory(_tmp_root):
    started: list[IamdServer] = []

    def start(name: str = "extra", **kw) -> IamdServer:
        s = make_server(_tmp_root, name, **kw).start()
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def iam(server):
    return server.iam


@pytest.fixture
def sts(server):
    return server.sts


@pytest.fixture(scope="session")
def account_id(server) -> str:
    return server.sts.get_caller_identity()["Account"]


@pytest.fixture
def uniq():
    return unique


@pytest.fixture
def upath():
    return unique_path


@pytest.fixture
def principal(server):
    """make_principal(...) on the session server: a non-root user with its own boto3 session."""
    from iamd_harness import make_principal

    def make(name=None, **kw):
        return make_principal(server, name, **kw)

    return make
