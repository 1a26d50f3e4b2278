#!/usr/bin/env python3
"""Checks and normalizes crates/iam/data/service_linked_roles.tsv, the table of service-linked
roles iamd creates (role name, managed policy, whether a custom suffix is allowed, description),
transcribed from AWS's pages "AWS services that work with IAM" and each service's
"Using service-linked roles" page.

Every managed policy must be in iamd's AWS managed-policy data with the path /aws-service-role/
(crates/managed-policies/data/policies.rs, made by tools/managed_policies.py); rows are sorted by
service principal and must be unique by service and by role name. With --write the file is
rewritten sorted; otherwise the script exits non-zero when the file is not as it would write it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "crates/iam/data/service_linked_roles.tsv"
POLICIES = ROOT / "crates/managed-policies/data/policies.rs"


def main() -> int:
    slr_policies = set(re.findall(r'p\("([^"]+)", "/aws-service-role/"', POLICIES.read_text()))
    lines = TABLE.read_text().splitlines()
    header = [l for l in lines if l.startswith("#")]
    rows = [l.split("\t") for l in lines if l and not l.startswith("#")]
    errors = []
    services, names = set(), set()
    for r in rows:
        if len(r) != 5:
            errors.append(f"not 5 columns: {r}")
            continue
        service, name, policy, suffix, _desc = r
        if not re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com", service):
            errors.append(f"bad service principal {service}")
        if not name.startswith("AWSServiceRoleFor") or len(name) > 64:
            errors.append(f"bad role name {name}")
        if policy not in slr_policies:
            errors.append(f"{service}: {policy} is not an AWS managed policy under /aws-service-role/")
        if suffix not in ("yes", "no"):
            errors.append(f"{service}: suffix column must be yes or no")
        if service in services or name.lower() in names:
            errors.append(f"duplicate {service} / {name}")
        services.add(service)
        names.add(name.lower())
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    out = "\n".join(header + ["\t".join(r) for r in sorted(rows)]) + "\n"
    if "--write" in sys.argv:
        TABLE.write_text(out)
    elif out != TABLE.read_text():
        print("not sorted: run with --write", file=sys.stderr)
        return 1
    print(f"{len(rows)} service-linked roles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
