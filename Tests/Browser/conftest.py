"""Real-browser tests of the web desk and the console (issue 15).

The built `gatehouse` binary (GATEHOUSE_BIN, set by scripts/test) makes real data
directories and runs real daemons on loopback; Playwright drives Debian's `chromium`
(never a downloaded browser). Each scenario saves screenshots in GATEHOUSE_SCREENSHOTS
(default: a temporary directory, printed at the end); with GATEHOUSE_DOCS_SCREENSHOTS=DIR
the ones the README shows are also written there.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

PASSWORD = "browser-test-pw"
CHROMIUM = os.environ.get("GATEHOUSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def gatehouse_binary() -> str:
    b = os.environ.get("GATEHOUSE_BIN")
    if b:
        return b
    root = Path(__file__).resolve().parents[2]
    return str(root / ".build" / "debug" / "gatehouse")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """Data directories and daemons for one scenario, removed at the end."""

    def __init__(self, root: Path):
        self.root = root
        self.bin = gatehouse_binary()
        self.procs = []
        self.logged_in = {}

    def run(self, *args, data=None, stdin=None, check=True, env=None):
        cmd = [self.bin, *args]
        if data:
            cmd += ["--data", str(data)]
        e = dict(os.environ)
        e.pop("GATEHOUSE_DATA", None)
        if env:
            e.update(env)
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=e, timeout=120)
        if check and r.returncode != 0:
            raise AssertionError(f"gatehouse {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r

    def as_staff(self, data, staff, *args, **kw):
        """Runs a command logged in as `staff` (a real `gatehouse login` when needed)."""
        if self.logged_in.get(str(data)) != staff:
            self.run("login", "--user", staff, "--password-stdin", data=data, stdin=PASSWORD + "\n")
            self.logged_in[str(data)] = staff
        return self.run(*args, data=data, **kw)

    def admin(self, data):
        center = json.loads((Path(data) / "gatehouse.json").read_text())["center"]
        return f"admin-{center}"

    def hub(self, name="hub"):
        d = self.root / name
        endpoint = f"tcp://127.0.0.1:{free_port()}"
        key = self.run("hub", "init", "--bind", endpoint, "--admin-password-stdin", data=d,
                       stdin=PASSWORD + "\n").stdout.strip()
        return d, endpoint, key

    def node(self, center, name, hub=None):
        d = self.root / center.lower()
        args = ["node", "init", "--center", center, "--name", name, "--admin-password-stdin"]
        if hub:
            args += ["--hub", hub[1], "--hub-key", hub[2]]
        key = self.run(*args, data=d, stdin=PASSWORD + "\n").stdout.strip()
        return d, key

    def staff(self, data, sid, name, role, **extra):
        args = ["staff", "add", "--id", sid, "--name", name, "--role", role, "--password-stdin"]
        for k, v in extra.items():
            args += [f"--{k.replace('_', '-')}", v]
        self.as_staff(data, self.admin(data), *args, stdin=PASSWORD + "\n")

    def serve(self, kind, data, *extra):
        """Starts `node run` / `hub run` on a free port; returns the desk's base URL."""
        log = open(self.root / f"{Path(data).name}-{kind}.log", "w")
        p = subprocess.Popen([self.bin, kind, "run", "--data", str(data), "--http", "127.0.0.1:0", *extra],
                             stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        record = Path(data) / "web.json"
        deadline = time.time() + 60
        while time.time() < deadline:
            if record.exists():
                try:
                    info = json.loads(record.read_text())
                    if info.get("pid") == p.pid:
                        return info["url"].rstrip("/")
                except ValueError:
                    pass
            if p.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{kind} run did not start serving: {(self.root / f'{Path(data).name}-{kind}.log').read_text()}")

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture
def lab(tmp_path):
    l = Lab(tmp_path)
    yield l
    l.stop()


@pytest.fixture(scope="session")
def shots_dir():
    d = Path(os.environ.get("GATEHOUSE_SCREENSHOTS") or tempfile.mkdtemp(prefix="gatehouse-screens-"))
    d.mkdir(parents=True, exist_ok=True)
    yield d
    print(f"\nscreenshots: {d}")


@pytest.fixture
def shot(shots_dir, request):
    """shot(page, name, docs=False): saves a full-page screenshot of the scenario."""
    docs = os.environ.get("GATEHOUSE_DOCS_SCREENSHOTS")

    def take(page, name, doc_name=None):
        path = shots_dir / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if docs and doc_name:
            Path(docs).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(docs) / doc_name)
        return path

    return take


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--lang=zh-CN"])
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    """new_page(width=1280, https=False): a fresh browser context (its own cookies)."""
    contexts = []

    def make(width=1280, height=900, https=False):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", ignore_https_errors=https)
        contexts.append(ctx)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.js_errors = errors
        return page

    yield make
    for c in contexts:
        c.close()


def login(page, base, user, password=PASSWORD):
    page.goto(base + "/login")
    page.fill("input[name=user]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
