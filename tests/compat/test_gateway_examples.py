"""The seeds' S3 examples in `examples/` (Joe's corporate-bucket path, the identity broker with
revocation, a cross-account bucket policy), each run as its own program against its own stack
(iamd, moto's S3, the gateway). Each exits non-zero when an expectation fails."""

import os
import subprocess
import sys

import pytest

from iamd_harness import REPO, iamd_bin


@pytest.mark.parametrize("example", [
    "s3_joe_corporate_bucket.py",
    "s3_identity_broker.py",
    "s3_cross_account_bucket_policy.py",
])
def test_example_runs(example):
    env = dict(os.environ, IAMD_BIN=str(iamd_bin()))
    p = subprocess.run([sys.executable, str(REPO / "examples" / example)], env=env, capture_output=True,
                       text=True, timeout=300, cwd=str(REPO / "examples"))
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.strip().splitlines()
    assert lines[-1] == "OK", p.stdout
    assert any(l.startswith("denied") for l in lines) and any(l.startswith("allowed") for l in lines)
