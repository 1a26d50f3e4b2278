#!/usr/bin/env python3
"""The S3 gateway's added latency on a 1 KiB GetObject, against the upstream (moto's S3)
directly in the same run, and the CPU the gateway (and iamd, which decides every request) spend
per request. Uses wrk on presigned URLs (the gateway checks the presigned signature through iamd
on every request).

    cargo build --release -p iamd
    IAMD_BIN=target/release/iamd tests/compat/.venv/bin/python bench/gateway_getobject.py \
        [seconds] [connections] [gateway flags, e.g. --no-existing-object-tags]
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from s3_stack import Stack  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * unit[m.group(2)]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "non_2xx": int(errors.group(1)) if errors else 0}


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with Stack(gateway_args=sys.argv[3:]) as s:
        iamd_pid, _moto, gw_pid = (p.pid for p in s.procs)
        admin = s.s3_client(*s.root)
        admin.create_bucket(Bucket="bench")
        admin.put_object(Bucket="bench", Key="1k.bin", Body=os.urandom(1024))
        s.iam.create_user(UserName="reader")
        s.iam.put_user_policy(UserName="reader", PolicyName="r", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bench/*"}]}))
        k = s.iam.create_access_key(UserName="reader")["AccessKey"]
        reader = s.s3_client(k["AccessKeyId"], k["SecretAccessKey"])
        via_gateway = reader.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": "1k.bin"},
                                                    ExpiresIn=3600)
        # moto does not check signatures; a presigned URL of its own is the same request shape.
        moto = s.session("moto", "moto").client("s3", endpoint_url=s.upstream,
                                                 config=reader.meta.config)
        direct = moto.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": "1k.bin"},
                                             ExpiresIn=3600)
        wrk(via_gateway, 2, connections)  # warm-up
        wrk(direct, 2, connections)
        results = {}
        for r in (wrk(via_gateway, 1, 1), wrk(direct, 1, 1)):
            assert r["non_2xx"] == 0, r
        for name, url in [("direct", direct), ("gateway", via_gateway), ("direct2", direct), ("gateway2", via_gateway)]:
            before = (cpu_seconds(gw_pid), cpu_seconds(iamd_pid))
            r = wrk(url, seconds, connections)
            after = (cpu_seconds(gw_pid), cpu_seconds(iamd_pid))
            r["gateway_cpu_us_per_req"] = (after[0] - before[0]) / r["requests"] * 1e6
            r["iamd_cpu_us_per_req"] = (after[1] - before[1]) / r["requests"] * 1e6
            results[name] = r
            print(name, json.dumps(r))
        d = (results["direct"]["p50_ms"] + results["direct2"]["p50_ms"]) / 2
        g = (results["gateway"]["p50_ms"] + results["gateway2"]["p50_ms"]) / 2
        print(json.dumps({"connections": connections, "gateway_flags": sys.argv[3:], "added_p50_ms": round(g - d, 3),
                          "gateway_cpu_us_per_req": round((results["gateway"]["gateway_cpu_us_per_req"]
                                                           + results["gateway2"]["gateway_cpu_us_per_req"]) / 2, 1),
                          "iamd_cpu_us_per_req": round((results["gateway"]["iamd_cpu_us_per_req"]
                                                        + results["gateway2"]["iamd_cpu_us_per_req"]) / 2, 1)}))


if __name__ == "__main__":
    main()
