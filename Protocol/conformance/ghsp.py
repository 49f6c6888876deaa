"""A GHSP/1 client written from Protocol/SPEC.md, gatehouse.proto and SCHEMA-v<N>.md only.

The pieces a node needs: framing (SPEC §3), a CURVE DEALER (§2), the messages (generated
from gatehouse.proto by protoc at run time), the record layer read from the SCHEMA
markdown (tables, slots, kinds, encodings), record states built from it (§9) and the set
column's exact JSON (SCHEMA §2). No Gatehouse code is used.
"""
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time

import zmq

SIGNATURE = b"GHSP\x01"
BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"


def load_messages(proto_dir):
    """Compiles gatehouse.proto with `protoc --python_out` and imports it."""
    out = tempfile.mkdtemp(prefix="ghsp-pb-")
    subprocess.run(["protoc", f"--python_out={out}", "-I", proto_dir, os.path.join(proto_dir, "gatehouse.proto")],
                   check=True)
    sys.path.insert(0, out)
    import gatehouse_pb2  # noqa: E402
    return gatehouse_pb2


# ---------------------------------------------------------------- record layer (SCHEMA-v<N>.md)

def _cells(line):
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def parse_schema(path):
    """{'version': N, 'tables': {name: {'scope': col|None, 'create': str, 'slots': [...]}}} from the markdown."""
    text = open(path, encoding="utf-8").read()
    version = int(re.search(r"^# Gatehouse desk schema, version (\d+)", text, re.M).group(1))
    tables = {}
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        name = section.split("\n", 1)[0].strip()
        scope = re.search(r"^\* scope: slot `(\w+)`", section, re.M)
        create = re.search(r"^\* created by: ([^;]+);", section, re.M).group(1)
        slots = []
        for line in section.splitlines():
            if not re.match(r"^\| \d+ \| \d+ \|", line):
                continue
            slot, pos, column, kind, policy, origin, encoding, form = _cells(line)
            slot, pos = int(slot), int(pos)
            col = {"name": column.strip("`"), "kind": kind, "origin": origin, "encoding": encoding, "form": form}
            if pos == 0:
                assert slot == len(slots), f"{name}: slots out of order"
                slots.append({"name": col["name"], "policy": policy, "columns": [col]})
            else:
                slots[slot]["columns"].append(col)
        tables[name] = {"scope": scope.group(1) if scope else None, "create": create, "slots": slots}
    return {"version": version, "tables": tables}


def json_text(t):
    """A JSON string exactly as SCHEMA §2 writes it."""
    out = '"'
    for ch in t:
        if ch == '"':
            out += '\\"'
        elif ch == "\\":
            out += "\\\\"
        elif ch == "\n":
            out += "\\n"
        elif ch == "\r":
            out += "\\r"
        elif ch == "\t":
            out += "\\t"
        elif ord(ch) < 0x20:
            out += "\\u%04x" % ord(ch)
        else:
            out += ch
    return out + '"'


def set_column(elements):
    """The set slot's column: the JSON array of the (sorted) element values, SCHEMA §2."""
    return "[" + ",".join(str(v) if isinstance(v, int) else json_text(v) for v in elements) + "]"


def sort_elements(values):
    """NULL < numbers < text by UTF-8 bytes (SPEC §9)."""
    return sorted(values, key=lambda v: (0, v, b"") if isinstance(v, int) else (1, 0, v.encode("utf-8")))


MAX_UNIX_MS = 253402300799999  # the last millisecond of 9999 (SCHEMA §1)


def encoding_problem(col, v):
    """Why value `v` (a Python value, not NULL) breaks its column's checked encoding (SCHEMA §1), or None."""
    enc, form = col["encoding"], col["form"]
    if enc == "boolean" and v not in (0, 1):
        return f"{v!r} is not a boolean"
    if enc == "unix-ms" and not (isinstance(v, int) and 0 <= v <= MAX_UNIX_MS):
        return f"{v!r} is not a Unix-ms time"
    if enc == "money" and not (isinstance(v, int) and v >= 0):
        return f"{v!r} is not money"
    if enc == "date":
        try:
            ok = isinstance(v, str) and len(v) == 10 and datetime.date.fromisoformat(v).isoformat() == v
        except ValueError:
            ok = False
        if not ok:
            return f"{v!r} is not a calendar date"
    if enc == "enum":
        allowed = re.findall(r"`([^`]+)`", form) if col["kind"] == "text" else [int(x) for x in re.findall(r"\d+", form.split("(")[0])]
        if allowed and v not in allowed:
            return f"{v!r} is not one of {allowed}"
    return None


def ordered_id(prefix, replica, ms=None, tail=None):
    """`<prefix>-<ordered>-<replica>` (SCHEMA §3)."""
    ms = int(time.time() * 1000) if ms is None else ms
    tail = int.from_bytes(os.urandom(4), "big") & ((1 << 25) - 1) if tail is None else tail
    t = "".join(BASE32[(ms >> (5 * i)) & 31] for i in reversed(range(9)))
    r = "".join(BASE32[(tail >> (5 * i)) & 31] for i in reversed(range(5)))
    return f"{prefix}-{t}{r}-{replica}"


class Records:
    """Builds and checks record states of one schema."""

    def __init__(self, pb, schema):
        self.pb = pb
        self.schema = schema

    def value(self, v):
        pv = self.pb.Value()
        if v is None:
            pv.null = True
        elif isinstance(v, bool):
            pv.integer = int(v)
        elif isinstance(v, int):
            pv.integer = v
        elif isinstance(v, float):
            pv.real = v
        elif isinstance(v, bytes):
            pv.blob = v
        else:
            pv.text = v
        return pv

    @staticmethod
    def sample(col, center, now_ms):
        """A value of the column's encoding (SCHEMA §1); references to other records are NULL."""
        enc, kind, form = col["encoding"], col["kind"], col["form"]
        if enc == "center":
            return center
        if enc == "boolean":
            return 1
        if enc == "unix-ms":
            return now_ms
        if enc == "date":
            return time.strftime("%Y-%m-%d", time.gmtime(now_ms / 1000))
        if enc == "month":
            return time.strftime("%Y-%m", time.gmtime(now_ms / 1000))
        if enc == "quarter":
            return "2026-Q4"
        if enc == "money":
            return 12345
        if enc == "enum":
            first = re.search(r"`([^`]+)`", form)
            if first:
                return first.group(1) if kind == "text" else int(first.group(1))
            return 1 if kind == "integer" else None
        if enc == "json":
            return "{}" if "object" in form else "[]"
        if enc == "id":
            return None
        if enc == "phone":
            return "13800138000"
        return 7 if kind == "integer" else f"一致性测试 {col['name']}"

    def record(self, table, rid, replica, counter, center, hlc_ms=None, overrides=None, tags=("vip", "老人")):
        """A new record of `table` as its creating write: every slot stamped with one clock (SCHEMA §1)."""
        pb = self.pb
        now_ms = int(time.time() * 1000) if hlc_ms is None else hlc_ms
        t = self.schema["tables"][table]
        r = pb.RecordState(table=table, id=rid)
        r.vector.add(replica=replica, counter=counter)
        clock = pb.Clock(replica=replica, counter=counter, hlc=now_ms << 16, author="K01")
        overrides = overrides or {}
        for slot in t["slots"]:
            s = r.slots.add()
            s.clock.CopyFrom(clock)
            if slot["policy"] == "add-wins-set":
                els = sort_elements(list(tags))
                s.is_set = True
                for e in els:
                    el = s.elements.add()
                    el.value.CopyFrom(self.value(e))
                    el.dots.add(replica=replica, counter=counter)
                s.values.append(self.value(overrides.get(slot["name"], set_column(els))))
                continue
            for col in slot["columns"]:
                v = overrides[col["name"]] if col["name"] in overrides else self.sample(col, center, now_ms)
                s.values.append(self.value(v))
        return r

    def problems(self, r):
        """What in a received record contradicts the schema (empty: it conforms)."""
        t = self.schema["tables"].get(r.table)
        if t is None:
            return [f"unknown table {r.table}"]
        out = []
        if len(r.slots) != len(t["slots"]):
            return [f"{len(r.slots)} slots, the schema has {len(t['slots'])}"]
        for s, slot in zip(r.slots, t["slots"]):
            if len(s.values) != len(slot["columns"]):
                out.append(f"{slot['name']}: {len(s.values)} values")
                continue
            for v, col in zip(s.values, slot["columns"]):
                k = v.WhichOneof("kind")
                if k not in ("null", col["kind"]) and not (col["kind"] == "real" and k == "integer"):
                    out.append(f"{col['name']}: {k} in a {col['kind']} column")
                elif k != "null" and slot["policy"] != "add-wins-set":
                    problem = encoding_problem(col, getattr(v, k))
                    if problem:
                        out.append(f"{col['name']}: {problem}")
            if slot["policy"] == "add-wins-set":
                els = [getattr(e.value, e.value.WhichOneof("kind")) for e in s.elements]
                if not s.is_set or s.values[0].text != set_column(els):
                    out.append(f"{slot['name']}: set column {s.values[0].text!r} vs elements {els}")
            elif s.is_set:
                out.append(f"{slot['name']}: is_set on a slot that is not a set")
        return out


# ---------------------------------------------------------------- transport (SPEC §2, §3)

class Client:
    """One node connection: a CURVE DEALER speaking two-frame GHSP messages."""

    def __init__(self, pb, ctx, endpoint, hub_key, public, secret):
        self.pb = pb
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.curve_serverkey = hub_key.encode()
        self.sock.curve_publickey = public.encode()
        self.sock.curve_secretkey = secret.encode()
        self.sock.connect(endpoint)

    def close(self):
        self.sock.close(0)

    def send(self, **kind):
        m = self.pb.Message(**kind)
        self.sock.send_multipart([SIGNATURE, m.SerializeToString()])

    def send_frames(self, frames):
        self.sock.send_multipart(frames)

    def recv(self, timeout_ms=5000):
        """The next message (kind, payload), or None on silence."""
        if not self.sock.poll(timeout_ms):
            return None
        frames = self.sock.recv_multipart()
        assert len(frames) == 2 and frames[0] == SIGNATURE, f"bad framing from the hub: {frames[:1]}"
        m = self.pb.Message()
        m.ParseFromString(frames[1])
        k = m.WhichOneof("kind")
        return k, getattr(m, k)

    def expect(self, kind, timeout_ms=5000):
        got = self.recv(timeout_ms)
        if got is None:
            raise AssertionError(f"expected {kind.upper()}, got nothing in {timeout_ms} ms")
        if got[0] != kind:
            detail = f" {got[1].code} {got[1].reason!r}" if got[0] == "error" else ""
            raise AssertionError(f"expected {kind.upper()}, got {got[0].upper()}{detail}")
        return got[1]
