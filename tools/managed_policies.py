#!/usr/bin/env python3
"""Regenerate crates/managed-policies/data/ (AWS managed policies) from a public data package.

Source: the PyPI package `moto` ships every AWS managed policy that AWS's ListPolicies(Scope=AWS)
returns, with its path, default version id, create and update dates and the default version's
document (moto/iam/aws_managed_policies.py, refreshed from AWS by moto's maintainers). It does not
carry policy ids or descriptions; those come from data/known.tsv, kept by hand, for the few
policies where iamd has them.

    python3 tools/managed_policies.py                  # the version pinned below
    python3 tools/managed_policies.py --version 5.2.6  # another moto release
    python3 tools/managed_policies.py --wheel moto-5.2.5-py3-none-any.whl   # offline

Writes, deterministically (same input, same bytes):
    crates/managed-policies/data/policies.rs      metadata table (Rust, included by the crate)
    crates/managed-policies/data/documents.jsonl  one compact JSON document per line, name order
                                                  (top-level and statement keys in AWS's order)
The package is fetched with `pip download --no-deps` and read as a zip: moto is never imported.
"""
import argparse
import ast
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "moto"
VERSION = "5.2.5"
LICENSE = "Apache-2.0"
MEMBER = "moto/iam/aws_managed_policies.py"

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "crates", "managed-policies", "data")

NAME = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)
PATH = re.compile(r"^/([\x21-\x7e]+/)?$")
VERSION_ID = re.compile(r"^v[1-9][0-9]*$")
POLICY_ID = re.compile(r"^ANPA[A-Z0-9]{17}$")


def download(version):
    tmp = tempfile.mkdtemp(prefix="managed-policies-")
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", f"{PACKAGE}=={version}", "-d", tmp], check=True)
    wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
    if len(wheels) != 1:
        sys.exit(f"expected one wheel in {tmp}, found {wheels}")
    return os.path.join(tmp, wheels[0])


def read_policies(wheel):
    """The `aws_managed_policies_data` string of moto's module, parsed without running it."""
    with zipfile.ZipFile(wheel) as z:
        src = z.read(MEMBER).decode("utf-8")
    for node in ast.parse(src).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == "aws_managed_policies_data"):
            return json.loads(ast.literal_eval(node.value))
    sys.exit(f"{MEMBER}: no aws_managed_policies_data")


def unix(date):
    d = datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
    if d.tzinfo is None:
        sys.exit(f"date without a time zone: {date}")
    return int(d.timestamp())


# moto writes its data with sort_keys=True, so AWS's key order is lost. Put the top-level and
# statement keys back in the order AWS's own documents use (Version first, then Sid, Effect, ...);
# keys inside Condition stay in the package's order. Meaning is unchanged.
TOP_KEYS = ["Version", "Id", "Statement"]
STATEMENT_KEYS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                  "NotResource", "Condition"]


def ordered(obj, keys):
    out = {k: obj[k] for k in keys if k in obj}
    out.update((k, v) for k, v in obj.items() if k not in out)
    return out


def canonical(doc):
    doc = ordered(doc, TOP_KEYS)
    st = doc.get("Statement")
    if isinstance(st, list):
        doc["Statement"] = [ordered(s, STATEMENT_KEYS) if isinstance(s, dict) else s for s in st]
    elif isinstance(st, dict):
        doc["Statement"] = ordered(st, STATEMENT_KEYS)
    return doc


def read_known():
    known = {}
    with open(os.path.join(DATA, "known.tsv"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, pid, desc = line.split("\t")
            if pid and not POLICY_ID.match(pid):
                sys.exit(f"known.tsv:{n}: bad policy id {pid}")
            known[name] = (pid or None, desc or None)
    return known


def rust_str(s):
    # Without control characters, JSON's escapes (\\ and \") are Rust's too.
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in s):
        sys.exit(f"control character in {s!r}")
    return json.dumps(s, ensure_ascii=False)


def rust_opt(s):
    return "None" if s is None else f"Some({rust_str(s)})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--version", default=VERSION, help=f"moto version (default {VERSION})")
    ap.add_argument("--wheel", help="use this moto wheel instead of downloading one")
    args = ap.parse_args()

    wheel = args.wheel or download(args.version)
    m = re.match(r"moto-([^-]+)-", os.path.basename(wheel))
    version = m.group(1) if m else args.version
    with open(wheel, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    data = read_policies(wheel)
    known = read_known()

    rows, docs, offset, problems = [], [], 0, []
    seen = set()
    for name in sorted(data):  # code-point order == Rust's byte order for ASCII names
        p = data[name]
        if not NAME.match(name):
            problems.append(f"{name}: bad name")
        if name.lower() in seen:
            problems.append(f"{name}: duplicate name (case-insensitive)")
        seen.add(name.lower())
        if not PATH.match(p["Path"]):
            problems.append(f"{name}: bad path {p['Path']}")
        if not VERSION_ID.match(p["DefaultVersionId"]):
            problems.append(f"{name}: bad version {p['DefaultVersionId']}")
        doc = json.dumps(canonical(p["Document"]), separators=(",", ":"), ensure_ascii=False)
        if "\n" in doc:
            problems.append(f"{name}: newline in document")
        if p["Document"].get("Version") != "2012-10-17":
            print(f"note: {name}: Version {p['Document'].get('Version')!r}", file=sys.stderr)
        size = len(doc.encode("utf-8"))
        pid, desc = known.get(name, (None, None))
        rows.append((name, p["Path"], p["DefaultVersionId"], unix(p["CreateDate"]),
                     unix(p["UpdateDate"]), pid, desc, offset, size))
        docs.append(doc)
        offset += size + 1
    for name in sorted(set(known) - set(data)):
        problems.append(f"known.tsv: {name} is not in {PACKAGE} {version}")
    if offset >= 2**32:
        problems.append("documents exceed 4 GiB")
    if problems:
        sys.exit("\n".join(problems))

    with open(os.path.join(DATA, "documents.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(docs))
        f.write("\n")

    out = [
        f"// @generated by tools/managed_policies.py from {PACKAGE} {version} (PyPI, {LICENSE}),",
        f"// wheel sha256 {sha256}.",
        "// Do not edit: change known.tsv or the script, and rerun it.",
        "",
        "/// Where the data comes from.",
        "pub const SOURCE: Source = Source {",
        f"    package: {rust_str(PACKAGE)},",
        '    registry: "PyPI",',
        f"    version: {rust_str(version)},",
        f"    license: {rust_str(LICENSE)},",
        f"    sha256: {rust_str(sha256)},",
        "};",
        "",
        "/// name, path, default version, created, updated (unix s), policy id, description,",
        "/// document offset and length in documents.jsonl.",
        f"static POLICIES: [ManagedPolicy; {len(rows)}] = [",
    ]
    for name, path, ver, created, updated, pid, desc, off, size in rows:
        out.append(f"    p({rust_str(name)}, {rust_str(path)}, {rust_str(ver)}, {created}, {updated}, "
                   f"{rust_opt(pid)}, {rust_opt(desc)}, {off}, {size}),")
    out.append("];")
    with open(os.path.join(DATA, "policies.rs"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")

    paths = {}
    for r in rows:
        paths[r[1]] = paths.get(r[1], 0) + 1
    print(f"{PACKAGE} {version}: {len(rows)} policies, {offset} bytes of documents, "
          f"{sum(1 for r in rows if r[5])} known ids, paths {dict(sorted(paths.items()))}")


if __name__ == "__main__":
    main()
