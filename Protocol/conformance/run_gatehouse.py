#!/usr/bin/env python3
"""Runs the GHSP/1 conformance suite against a real `gatehouse hub run` on loopback.

    run_gatehouse.py [--gatehouse PATH]     (default: $GATEHOUSE_BIN, else `gatehouse`)

What an operator of any hub does before `suite.py run`, done with the Gatehouse CLI: a
new hub directory, the kit's three keys enrolled for center C901, the server started on
a free port (its web console on a free port too); then the suite; then SIGTERM. Exit
status: the suite's failures (0: all passed).
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import suite  # noqa: E402

PASSWORD = "conformance-kit-pw"
CENTER = "C901"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gatehouse", default=os.environ.get("GATEHOUSE_BIN") or "gatehouse")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="ghsp-conformance-")
    hub_dir = os.path.join(root, "hub")
    env = {k: v for k, v in os.environ.items() if k not in ("GATEHOUSE_DATA", "GATEHOUSE_NOW")}

    def gatehouse(*a, stdin=None):
        r = subprocess.run([args.gatehouse, *a], input=stdin, capture_output=True, text=True, env=env, timeout=120)
        if r.returncode != 0:
            sys.exit(f"gatehouse {' '.join(a)} failed ({r.returncode}): {r.stderr.strip()}")
        return r.stdout.strip()

    hub = None
    try:
        endpoint = f"tcp://127.0.0.1:{free_port()}"
        hub_key = gatehouse("hub", "init", "--data", hub_dir, "--bind", endpoint, "--admin-password-stdin",
                            stdin=PASSWORD + "\n").splitlines()[-1]
        gatehouse("login", "--data", hub_dir, "--user", "admin-HQ", "--password-stdin", stdin=PASSWORD + "\n")
        identities = []
        for name in ("a", "b", "c"):
            public, secret = (x.decode() for x in zmq.curve_keypair())
            gatehouse("hub", "enroll", "--data", hub_dir, "--center", CENTER, f"--key={public}")
            identities.append({"name": name, "public": public, "secret": secret})
        log_path = os.path.join(root, "hub.log")
        log = open(log_path, "w")
        hub = subprocess.Popen([args.gatehouse, "hub", "run", "--data", hub_dir, "--http", "127.0.0.1:0", "--verbose"],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while "hub listening" not in open(log_path).read():
            if hub.poll() is not None or time.time() > deadline:
                sys.exit("the hub did not start:\n" + open(log_path).read()[-2000:])
            time.sleep(0.05)
        config = {"endpoint": endpoint, "hub_public_key": hub_key, "center": CENTER, "identities": identities}
        schema = os.path.join(os.path.dirname(HERE), sorted(
            (f for f in os.listdir(os.path.dirname(HERE)) if f.startswith("SCHEMA-v") and f.endswith(".md")),
            key=lambda f: int(f[8:-3]))[-1])
        failures = suite.Suite(config, schema).run()
        if failures:
            print("the hub's log:\n" + open(log_path).read()[-3000:], file=sys.stderr)
        return min(failures, 100)
    finally:
        if hub is not None and hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
            try:
                hub.wait(10)
            except subprocess.TimeoutExpired:
                hub.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
