# Shared set-up for the project's scripts: puts Swift on PATH and installs the
# Debian packages the build needs (libsqlite3-dev, libzmq3-dev, protobuf-compiler).
# Source it; do not run it.

export PATH="$PATH:/opt/swift/usr/bin"

gatehouse_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# ensure_apt PKG...: installs whichever of PKG are missing, with sudo when not root.
ensure_apt() {
    local missing=()
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    echo "installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
        $SUDO apt-get update >/dev/null
        $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
    }
}

ensure_build_deps() {
    ensure_apt libsqlite3-dev libzmq3-dev protobuf-compiler pkg-config
    # Headless Chromium renders the HTML report in the report tests and runs the web
    # desk's browser tests; Noto CJK so pages and screenshots show Chinese; openssl makes
    # the HTTPS test's certificate.
    ensure_apt chromium fonts-noto-cjk openssl
    # systemd-analyze (and man, which it asks about the units' manual pages) for the packaging tests.
    ensure_apt systemd man-db
    # The GHSP conformance kit (Protocol/conformance/): a Python node with CURVE and
    # protobuf's runtime, run by Debian's python3.
    ensure_apt python3-zmq python3-protobuf
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: Swift toolchain not found (expected at /opt/swift/usr/bin)" >&2
        exit 1
    fi
}

# Playwright for Python (PyPI) drives Debian's chromium through executable_path: no
# browser download (Tests/Browser/conftest.py).
PLAYWRIGHT_VERSION=1.65.3
ensure_browser_test_deps() {
    if python3 -c "import playwright, pytest; from importlib.metadata import version; assert version('playwright') == '$PLAYWRIGHT_VERSION'" 2>/dev/null; then
        return 0
    fi
    echo "installing: playwright==$PLAYWRIGHT_VERSION pytest (PyPI)" >&2
    python3 -m pip install --quiet --disable-pip-version-check "playwright==$PLAYWRIGHT_VERSION" pytest 2>&1 \
        | grep -v "Running pip as the 'root' user" >&2 || true
    python3 -c "import playwright, pytest" || { echo "error: could not install playwright from PyPI" >&2; exit 1; }
}
