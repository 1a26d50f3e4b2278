#!/usr/bin/env python3
"""Local-testing mode: how long `iamd serve --dev --store memory` takes from process start to
its first answered request, and how long `POST /_iamd/reset` takes, with a fixture-like client.

usage: bench/dev/start_reset.py [IAMD_BIN] [RUNS]
(default: target/release/iamd, 30 runs). Prints the median and p90 of each, in milliseconds.
"""
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "target", "release", "iamd")
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 30


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def signed_identity_request(endpoint):
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    req = AWSRequest(method="POST", url=endpoint, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("AKIADEVTESTKEY000000", "x"), "sts", "us-east-1").add_auth(req)
    p = req.prepare()
    return urllib.request.Request(endpoint, data=body.encode(), headers=dict(p.headers), method="POST")


def start_to_first_answer():
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/"
    req = signed_identity_request(endpoint)
    t0 = time.perf_counter()
    proc = subprocess.Popen([BIN, "serve", "--dev", "--store", "memory", "--listen", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(req, timeout=1) as r:
                    if r.status == 200:
                        return (time.perf_counter() - t0) * 1000, proc, port
            except OSError:
                time.sleep(0.001)
            if time.perf_counter() - t0 > 10:
                raise RuntimeError("iamd did not answer within 10 s")
    except BaseException:
        proc.kill()
        raise


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main():
    starts, resets = [], []
    for i in range(RUNS):
        ms, proc, port = start_to_first_answer()
        starts.append(ms)
        if i == 0:
            for _ in range(RUNS * 5):
                t0 = time.perf_counter()
                with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/_iamd/reset", data=b"", method="POST")) as r:
                    assert r.status == 200
                resets.append((time.perf_counter() - t0) * 1000)
        proc.terminate()
        proc.wait()
    print(f"iamd serve --dev --store memory: start to first answered GetCallerIdentity, {RUNS} runs: "
          f"median {statistics.median(starts):.1f} ms, p90 {pct(starts, 0.9):.1f} ms")
    print(f"POST /_iamd/reset, {len(resets)} calls: median {statistics.median(resets):.2f} ms, p90 {pct(resets, 0.9):.2f} ms")


if __name__ == "__main__":
    main()
