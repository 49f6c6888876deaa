#!/usr/bin/env python3
"""The web desk's figures (issue 15): server time of the 工作台 and of a phone lookup at
N customers, and C concurrent clerks against one `node run` (p50/p99 of what a clerk
waits for a page). Server time is the daemon's own `Server-Timing: app;dur=…` header.

    bench_web.py GATEHOUSE_BIN [--customers 20000] [--tickets 2000] [--clerks 20] [--rounds 20]
                 [--keep DIR | --reuse DIR]

`--keep DIR` leaves the prepared data directory in DIR; `--reuse DIR` measures against
one kept before (the same --customers) instead of importing again, for profiling.

Standard library only: a real data directory made by the binary (customers and requests
imported from CSV like a center's spreadsheet), a real daemon on loopback.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

PASSWORD = "bench-web-pw"


def run(bin, *args, stdin=None):
    r = subprocess.run([bin, *args], input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"gatehouse {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clerk:
    """One browser: a session cookie, one keep-alive-free connection per request."""

    def __init__(self, port):
        self.port = port
        self.cookie = ""

    def request(self, method, path, form=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        waited = (time.perf_counter() - start) * 1000
        timing = r.getheader("Server-Timing") or ""
        m = re.search(r"dur=([0-9.]+)", timing)
        c.close()
        return r, data.decode("utf-8", "replace"), waited, float(m.group(1)) if m else None

    def login(self, user):
        r, body, _, _ = self.request("GET", "/login")
        pre = re.search(r"gh_pre=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
        csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
        self.cookie = f"gh_pre={pre}"
        r, _, _, _ = self.request("POST", "/login", {"csrf": csrf, "user": user, "password": PASSWORD, "next": "/"})
        session = re.search(r"gh_session=([^;]+)", r.getheader("Set-Cookie") or "")
        if r.status != 303 or not session:
            sys.exit(f"login failed: {r.status}")
        self.cookie = f"gh_session={session.group(1)}"
        _, body, _, _ = self.request("GET", "/")
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)


def prepare(a, root, hub, node, rng, surnames, given, phones):
    """A node with a.customers customers and a.tickets requests, imported from CSV."""
    key = run(a.bin, "hub", "init", "--data", hub, "--bind", f"tcp://127.0.0.1:{free_port()}", "--admin-password-stdin",
              stdin=PASSWORD + "\n").strip()
    run(a.bin, "node", "init", "--data", node, "--center", "C001", "--name", "基准测试中心", "--hub", f"tcp://127.0.0.1:{free_port()}",
        "--hub-key", key, "--admin-password-stdin", stdin=PASSWORD + "\n")
    run(a.bin, "login", "--data", node, "--user", "admin-C001", "--password-stdin", stdin=PASSWORD + "\n")
    run(a.bin, "staff", "add", "--data", node, "--id", "F01", "--name", "王芳", "--role", "front_desk", "--password-stdin",
        stdin=PASSWORD + "\n")
    run(a.bin, "staff", "add", "--data", node, "--id", "T01", "--name", "李师傅", "--role", "technician", "--password-stdin",
        stdin=PASSWORD + "\n")
    run(a.bin, "login", "--data", node, "--user", "F01", "--password-stdin", stdin=PASSWORD + "\n")
    with open(os.path.join(root, "customers.csv"), "w") as f:
        f.write("姓名,电话,房号\n")
        for i, p in enumerate(phones):
            f.write(f"{rng.choice(surnames)}{rng.choice(given)}{rng.choice(given)},{p},{i % 30 + 1}栋{i % 4 + 1}单元{(i % 28 + 1) * 100 + i % 4 + 1}\n")
    t0 = time.time()
    run(a.bin, "import", "customers", os.path.join(root, "customers.csv"), "--data", node)
    with open(os.path.join(root, "tickets.csv"), "w") as f:
        f.write("类型,内容,电话,受理时间,完成时间,状态\n")
        for i in range(a.tickets):
            day = f"2026-{rng.randint(9, 11):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
            done = "" if i % 2 else day[:11] + "19:30"
            f.write(f"报修,厨房水管漏水 {i},{rng.choice(phones)},{day},{done},{'受理' if i % 2 else '已关闭'}\n")
    run(a.bin, "import", "tickets", os.path.join(root, "tickets.csv"), "--data", node)
    run(a.bin, "logout", "--data", node)
    print(f"data:     {a.customers} customers, {a.tickets} requests ({a.tickets // 2} open) imported in {time.time() - t0:.1f} s")


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--tickets", type=int, default=2000)
    ap.add_argument("--clerks", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--keep", help="prepare the data in this (new) directory and leave it there")
    ap.add_argument("--reuse", help="measure against a directory prepared with --keep")
    a = ap.parse_args()
    if a.reuse:
        root = a.reuse
    elif a.keep:
        os.makedirs(a.keep)
        root = a.keep
    else:
        root = tempfile.mkdtemp(prefix="gatehouse-bench-web-")
    try:
        hub, node = os.path.join(root, "hub"), os.path.join(root, "node")
        rng = random.Random(15)
        surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
        given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
        phones = [f"13{rng.randint(0, 9)}{n:08d}" for n in rng.sample(range(10 ** 8), a.customers)]
        if not a.reuse:
            prepare(a, root, hub, node, rng, surnames, given, phones)
        port = free_port()
        log = open(os.path.join(root, "node.log"), "w")
        daemon = subprocess.Popen([a.bin, "node", "run", "--data", node, "--http", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 60
            while not os.path.exists(os.path.join(node, "web.json")):
                if time.time() > deadline or daemon.poll() is not None:
                    sys.exit("node run did not start: " + open(os.path.join(root, "node.log")).read())
                time.sleep(0.1)
            clerk = Clerk(port)
            clerk.login("F01")

            def daemon_cpu_ms():
                """The daemon's own CPU time so far (Linux): on a machine others load too, what
                a page costs, whatever it waited for."""
                try:
                    f = open(f"/proc/{daemon.pid}/stat").read().rsplit(")", 1)[1].split()
                    return (int(f[11]) + int(f[12])) * 1000 / os.sysconf("SC_CLK_TCK")
                except (OSError, IndexError, ValueError):
                    return None

            def server_times(path, n):
                out = []
                for _ in range(n):
                    r, _, _, server = clerk.request("GET", path(), None)
                    assert r.status == 200, (path(), r.status)
                    out.append(server)
                return out

            for name, path, n in [("工作台 /", lambda: "/", 30),
                                  ("phone lookup (full number)", lambda: "/customers?q=" + rng.choice(phones), 100),
                                  ("phone lookup (last four)", lambda: "/customers?q=" + rng.choice(phones)[-4:], 100),
                                  ("name lookup", lambda: "/customers?q=" + urllib.parse.quote(rng.choice(surnames) + rng.choice(given)), 50)]:
                cpu0 = daemon_cpu_ms()
                t = server_times(path, n)
                cpu1 = daemon_cpu_ms()
                cpu = f"  daemon CPU {(cpu1 - cpu0) / n:5.1f} ms/page" if cpu0 is not None and cpu1 is not None else ""
                print(f"{name:32s} server time median {statistics.median(t):7.1f} ms  p99 {pct(t, 99):7.1f} ms  ({n} requests){cpu}")

            clerks = [Clerk(port) for _ in range(a.clerks)]
            for c in clerks:
                c.login("F01")
            waits, errors = [], []
            lock = threading.Lock()

            def work(c):
                local = []
                try:
                    for _ in range(a.rounds):
                        for path in ["/customers?q=" + rng.choice(phones), "/tickets", "/"]:
                            r, _, waited, _ = c.request("GET", path)
                            if r.status != 200:
                                errors.append((path, r.status))
                            local.append(waited)
                except Exception as e:  # a refused connection is a failure to report, not to hide
                    errors.append(repr(e))
                with lock:
                    waits.extend(local)

            start, cpu0 = time.time(), daemon_cpu_ms()
            threads = [threading.Thread(target=work, args=(c,)) for c in clerks]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed, cpu1 = time.time() - start, daemon_cpu_ms()
            cpu = f", daemon CPU {(cpu1 - cpu0) / max(1, len(waits)):.1f} ms/page" if cpu0 is not None and cpu1 is not None else ""
            print(f"{a.clerks} concurrent clerks: {len(waits)} pages (lookup, request list, 工作台) in {elapsed:.1f} s, "
                  f"p50 {pct(waits, 50):.1f} ms, p99 {pct(waits, 99):.1f} ms, errors {len(errors)}{cpu}; "
                  f"load average {os.getloadavg()[0]:.1f}")
            if errors:
                print("errors:", errors[:5])
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
    finally:
        if not (a.keep or a.reuse):
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
