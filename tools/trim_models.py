#!/usr/bin/env python3
"""Write the trimmed botocore models iamd's wire codec is generated from.

Keeps only what the Query protocol needs (operations, shapes, names, constraints, error codes) and
drops AWS's documentation strings. Run after upgrading botocore:
    python3 tools/trim_models.py
"""
import gzip
import json
import os

import botocore

SERVICES = {"iam": "iam/2010-05-08", "sts": "sts/2011-06-15",
            "cloudtrail": "cloudtrail/2013-11-01"}
# Services of which iamd answers only some operations: the rest of their model is left out.
ONLY = {"cloudtrail": {"LookupEvents"}}
KEEP_SHAPE = {"type", "members", "required", "min", "max", "pattern", "enum", "member", "key",
              "value", "flattened", "locationName", "error", "exception", "sensitive"}
KEEP_MEMBER = {"shape", "locationName"}
KEEP_OP = {"name", "input", "output", "errors"}


def reachable(model, ops):
    """The shapes the operations `ops` use, directly or through other shapes."""
    seen, todo = set(), []
    for name in ops:
        op = model["operations"][name]
        todo += [op[k]["shape"] for k in ("input", "output") if k in op]
        todo += [e["shape"] for e in op.get("errors", [])]
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        shape = model["shapes"][s]
        todo += [m["shape"] for m in shape.get("members", {}).values()]
        todo += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
    return seen


def trim(model, only=None):
    meta_keys = ("apiVersion", "endpointPrefix", "xmlNamespace", "serviceId", "targetPrefix",
                 "jsonVersion", "protocol")
    out = {"metadata": {k: model["metadata"][k] for k in meta_keys if k in model["metadata"]},
           "operations": {}, "shapes": {}}
    keep = reachable(model, only) if only else None
    for name, op in sorted(model["operations"].items()):
        if only and name not in only:
            continue
        out["operations"][name] = {k: v for k, v in op.items() if k in KEEP_OP}
    for name, shape in sorted(model["shapes"].items()):
        if keep is not None and name not in keep:
            continue
        s = {k: v for k, v in shape.items() if k in KEEP_SHAPE}
        if "members" in s:
            s["members"] = {m: {k: v for k, v in d.items() if k in KEEP_MEMBER}
                            for m, d in s["members"].items()}
        for k in ("member", "key", "value"):
            if k in s:
                s[k] = {kk: vv for kk, vv in s[k].items() if kk in KEEP_MEMBER}
        out["shapes"][name] = s
    return out


def main():
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    dest = os.path.join(os.path.dirname(__file__), "..", "crates", "wire", "model")
    for svc, rel in SERVICES.items():
        with gzip.open(os.path.join(data, rel, "service-2.json.gz")) as f:
            model = json.load(f)
        with open(os.path.join(dest, svc + ".json"), "w") as f:
            json.dump(trim(model, ONLY.get(svc)), f, indent=1)
            f.write("\n")
        print(svc, botocore.__version__, len(model["operations"]), "operations")


if __name__ == "__main__":
    main()
