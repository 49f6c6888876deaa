# The sync figures of scripts/bench: N changes pushed node → hub over loopback with CURVE
# (end to end, real processes), against a raw SQLite insert of the same rows in the same
# run; bootstrap of a fresh node from the hub; peak memory of hub and node.
# Source it; call bench_sync BIN COUNT.

bench_sync() {
    local gh="$1" count="$2"
    local work port endpoint hub_key node_key hub_pid t0 t1
    work="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench-sync.XXXXXX")"
    # /usr/bin/time does not pass signals on: stop the hub itself, its child.
    stop_hub() { if [ -n "${hub_pid:-}" ]; then pkill -TERM -P "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; hub_pid=; fi; }
    trap "stop_hub; rm -rf '$work'" RETURN
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    endpoint="tcp://127.0.0.1:$port"
    local pw=bench-password
    # as DIR ID: log ID in on DIR (every account here has the same password).
    as() { printf '%s\n' "$pw" | "$gh" login --data "$1" --user "$2" --password-stdin >/dev/null; }
    hub_key=$(printf '%s\n' "$pw" | "$gh" hub init --data "$work/hub" --bind "$endpoint" --admin-password-stdin 2>/dev/null)
    node_key=$(printf '%s\n' "$pw" | "$gh" node init --data "$work/n1" --center C001 --name 基准中心 --hub "$endpoint" --hub-key "$hub_key" --admin-password-stdin 2>/dev/null)
    as "$work/hub" admin-HQ
    "$gh" hub enroll --data "$work/hub" --center C001 --key "$node_key" >/dev/null
    as "$work/n1" admin-C001
    printf '%s\n' "$pw" | "$gh" staff add --data "$work/n1" --id S001 --name 基准 --role front-desk --password-stdin >/dev/null
    as "$work/n1" S001
    python3 - "$count" >"$work/roster.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("姓名,电话,房号,备注")
for i in range(n):
    print(f"客户{i},139{i:08d},{i % 30 + 1}栋{i % 4 + 1}单元{i % 3000 + 100},基准测试记录{i}")
PY
    echo "== sync: $count changes node → hub over loopback (CURVE), bootstrap, memory"
    t0=$(date +%s.%N)
    "$gh" import customers "$work/roster.csv" --data "$work/n1" >/dev/null
    t1=$(date +%s.%N)
    local import_s; import_s=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    # Raw SQLite: the same rows, same columns as text, 1000 rows per transaction, WAL, synchronous=FULL.
    local raw_s
    raw_s=$(python3 - "$work/roster.csv" "$work/raw.sqlite" <<'PY'
import csv, sqlite3, sys, time
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE customer (id TEXT PRIMARY KEY, center TEXT, name TEXT, phone TEXT, unit TEXT, note TEXT) WITHOUT ROWID")
t = time.perf_counter()
for i in range(0, len(rows), 1000):
    db.execute("BEGIN")
    db.executemany("INSERT INTO customer VALUES (?, 'C001', ?, ?, ?, ?)", [(f"cu-{i+j:08d}", *r) for j, r in enumerate(rows[i:i+1000])])
    db.execute("COMMIT")
print(f"{time.perf_counter() - t:.3f}")
PY
)
    # GATEHOUSE_BENCH_HUB_ARGS: extra `hub run` options, e.g. "--max-batch-records 4000"
    # to measure other batch bounds than the protocol defaults.
    # shellcheck disable=SC2086
    /usr/bin/time -f "%M %U %S" -o "$work/hub.mem" "$gh" hub run --data "$work/hub" --http 127.0.0.1:0 ${GATEHOUSE_BENCH_HUB_ARGS:-} 2>"$work/hub.log" &
    hub_pid=$!
    sleep 1
    # The hub's CPU during the push alone, from its /proc stat (clock ticks).
    local hub_child; hub_child=$(pgrep -P "$hub_pid" | head -n 1)
    hub_ticks() { awk '{print $14 + $15}' "/proc/$hub_child/stat" 2>/dev/null || echo 0; }
    local hub_t0; hub_t0=$(hub_ticks)
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$work/node.mem" "$gh" sync --data "$work/n1" --timeout 600 >/dev/null
    t1=$(date +%s.%N)
    local push_s; push_s=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    local hub_push_cpu; hub_push_cpu=$(python3 -c "import os; print(f'{($(hub_ticks) - $hub_t0) / os.sysconf(\"SC_CLK_TCK\"):.2f}')")
    # Bootstrap: a replacement node for the same center takes the snapshot from the hub.
    node_key=$(printf '%s\n' "$pw" | "$gh" node init --data "$work/n2" --center C001 --name 替换节点 --hub "$endpoint" --hub-key "$hub_key" --admin-password-stdin 2>/dev/null)
    "$gh" hub enroll --data "$work/hub" --center C001 --key "$node_key" >/dev/null
    sleep 1.2  # the hub reloads its allow-list every second
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$work/boot.mem" "$gh" sync --data "$work/n2" --timeout 600 >/dev/null
    t1=$(date +%s.%N)
    local boot_s; boot_s=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    local got; got=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM customer').fetchone()[0])" "$work/n2/gatehouse.sqlite")
    stop_hub
    python3 - "$count" "$import_s" "$raw_s" "$push_s" "$boot_s" "$got" "$hub_push_cpu" "$(cat "$work/hub.mem")" "$(cat "$work/node.mem")" "$(cat "$work/boot.mem")" <<'PY'
import sys
n, imp, raw, push, boot = int(sys.argv[1]), *map(float, sys.argv[2:6])
got, hub_push_cpu = int(sys.argv[6]), float(sys.argv[7])
# Each process's file holds "peak-KiB user-s system-s" (/usr/bin/time): CPU time is
# what to compare between runs on a shared machine, not the wall clock alone.
(hub_kb, hub_u, hub_s), (node_kb, node_u, node_s), (boot_kb, boot_u, boot_s) = (
    (int(a), float(b), float(c)) for a, b, c in (x.split()[-3:] for x in sys.argv[8:11]))
changes = n + 1  # the roster plus the staff member
rows = [
    ("import at the node (one replicated transaction)", f"{n / imp:,.0f}", "records/s", "", "", "info"),
    ("raw SQLite insert, same rows, 1000/tx, FULL", f"{n / raw:,.0f}", "rows/s", "", "", "info"),
    ("push node → hub end to end (CURVE, loopback)", f"{changes / push:,.0f}", "changes/s", f"{(changes / push) / (n / raw):.2f}× raw",
     "≥ 50,000 changes/s", "PASS" if changes / push >= 50000 else "MISS"),
    (f"bootstrap a fresh node ({got:,} customers)", f"{changes / boot:,.0f}", "changes/s", f"{boot:.1f} s", "", "info" if got == n else "FAIL"),
    ("CPU: hub during the push (user + system)", f"{hub_push_cpu:.2f}", "s", f"{hub_u + hub_s:.2f} s whole run", "", "info"),
    ("CPU: node pushing (user + system)", f"{node_u + node_s:.2f}", "s", f"{node_s:.2f} s system", "", "info"),
    ("CPU: node bootstrapping (user + system)", f"{boot_u + boot_s:.2f}", "s", f"{boot_s:.2f} s system", "", "info"),
    ("peak memory: hub", f"{hub_kb / 1024:,.0f}", "MiB", "", "", "info"),
    ("peak memory: node pushing", f"{node_kb / 1024:,.0f}", "MiB", "", "", "info"),
    ("peak memory: node bootstrapping", f"{boot_kb / 1024:,.0f}", "MiB", "", "", "info"),
]
w = [max(len(r[i]) for r in rows) for i in range(6)]
print("  ".join(h.ljust(w[i]) for i, h in enumerate(["figure", "value", "unit", "ratio", "target", "result"])).rstrip())
for r in rows:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
PY
}
