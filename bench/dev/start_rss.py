#!/usr/bin/env python3
"""Start time and memory of `iamd serve --store memory` (not dev mode), to compare builds:

- start: process spawn → first 200 from GET /healthz, RUNS times per build, builds interleaved so
  that background load hits them alike;
- VmRSS (anon/file) after start, after one ListPolicies(Scope=AWS, MaxItems=100) page, after
  paging through every AWS managed policy, after GetPolicyVersion(ReadOnlyAccess);
- server CPU per ListPolicies(Scope=AWS) page (utime+stime over 100 calls).

usage: bench/dev/start_rss.py NAME=IAMD_BIN [NAME=IAMD_BIN ...] [RUNS]   (RUNS default 10)
e.g.   bench/dev/start_rss.py main=/tmp/iamd-main wire=target/release/iamd 20
Needs boto3 (tests/compat/.venv).
"""
import configparser, os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request
import boto3

BINS = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
RUNS = next((int(a) for a in sys.argv[1:] if a.isdigit()), 10)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def rss_kb(pid):
    f = {l.split(":")[0]: l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith(("VmRSS", "RssAnon", "RssFile"))}
    return f"{f['VmRSS']} (anon {f['RssAnon']}, file {f['RssFile']})"

def cpu_ms(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000 / os.sysconf("SC_CLK_TCK")

def start(binary):
    d = tempfile.mkdtemp(prefix="iamd-start-rss-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--store", "memory", "--data-dir", d,
                             "--listen", f"127.0.0.1:{port}", "--account-id", "123456789012"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.0005)
        if time.perf_counter() - t0 > 20:
            raise RuntimeError("no healthz")
    return proc, url, d, (time.perf_counter() - t0) * 1000

def client(url, d):
    c = configparser.ConfigParser(); c.read(os.path.join(d, "root-credentials"))
    sec = c[c.sections()[0]]
    return boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=sec["aws_access_key_id"], aws_secret_access_key=sec["aws_secret_access_key"])

times = {k: [] for k in BINS}
for i in range(RUNS):
    for name, b in BINS.items():   # interleaved, so background load hits both alike
        proc, url, d, ms = start(b)
        times[name].append(ms)
        proc.terminate(); proc.wait(); shutil.rmtree(d, ignore_errors=True)

for name, b in BINS.items():
    proc, url, d, _ = start(b)
    time.sleep(0.3)
    r0 = rss_kb(proc.pid)
    iam = client(url, d)
    t = time.perf_counter(); page = iam.list_policies(Scope="AWS", MaxItems=100); t1 = (time.perf_counter() - t) * 1000
    r1 = rss_kb(proc.pid)
    n = len(page["Policies"]); pages = 1; pt = []
    while page.get("IsTruncated"):
        t = time.perf_counter()
        page = iam.list_policies(Scope="AWS", MaxItems=100, Marker=page["Marker"]); n += len(page["Policies"]); pages += 1
        pt.append((time.perf_counter() - t) * 1000)
    r2 = rss_kb(proc.pid)
    t = time.perf_counter(); iam.list_policies(Scope="AWS", MaxItems=100); again = (time.perf_counter() - t) * 1000
    c0 = cpu_ms(proc.pid)
    for i in range(100):
        iam.list_policies(Scope="AWS", MaxItems=100, **({"Marker": str(100 * (i % 15))} if i % 15 else {}))
    cpu_per_page = (cpu_ms(proc.pid) - c0) / 100
    r2b = rss_kb(proc.pid)
    v = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
                               VersionId=iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Policy"]["DefaultVersionId"])
    r3 = rss_kb(proc.pid)
    proc.terminate(); proc.wait(); shutil.rmtree(d, ignore_errors=True)
    ts = sorted(times[name])
    print(f"{name}: start→/healthz ms over {RUNS}: median {statistics.median(ts):.1f}, min {ts[0]:.1f}, max {ts[-1]:.1f}, mean {statistics.mean(ts):.1f}")
    print(f"{name}: VmRSS kB: after start {r0}; after 1 ListPolicies(AWS,100) page {r1} ({t1:.1f} ms); "
          f"after all {pages} pages ({n} policies) {r2}; after 100 more pages {r2b}; after GetPolicyVersion(ReadOnlyAccess) {r3}")
    print(f"{name}: client-side ms per later page: median {statistics.median(pt) if pt else float('nan'):.1f}; first page again {again:.1f}; server CPU ms per ListPolicies(AWS) page (100 calls) {cpu_per_page:.2f}")
