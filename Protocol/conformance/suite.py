#!/usr/bin/env python3
"""GHSP/1 conformance suite: runs a third-party node's checks against any hub.

    suite.py keys --endpoint tcp://HOST:PORT --hub-key KEY --center C901 > kit.json
        makes three CURVE key pairs; enroll their public keys (printed on stderr) for the
        center at the hub under test, then:
    suite.py run kit.json [--schema ../SCHEMA-v3.md]

Every check prints `ok` or `FAIL` with what the hub did; the exit status is the number of
failures (0: the hub conforms). Written from SPEC.md, gatehouse.proto and SCHEMA-v<N>.md.
"""
import argparse
import json
import os
import sys
import time

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ghsp  # noqa: E402

MAX_POSITION = (1 << 63) - 1


class Suite:
    def __init__(self, config, schema_path):
        self.cfg = config
        self.pb = ghsp.load_messages(os.path.dirname(schema_path))
        self.schema = ghsp.parse_schema(schema_path)
        self.records = ghsp.Records(self.pb, self.schema)
        self.v = self.schema["version"]
        self.ctx = zmq.Context()
        self.center = config["center"]
        self.other_center = "X" + self.center[1:] if self.center[0] != "X" else "Y" + self.center[1:]
        run = os.urandom(4).hex()
        self.ids = {k["name"]: k for k in config["identities"]}
        # Node ids chosen by this run; the first WELCOME binds each to its key.
        self.node = {"a": f"kit-a-{run}", "b": f"kit-b-{run}", "c": f"kit-c-{run}"}
        self.passed, self.failed = 0, []
        self.welcome = None

    # ------------------------------------------------------------ helpers

    def client(self, who):
        if who == "stranger":
            public, secret = (k.decode() for k in zmq.curve_keypair())
        else:
            public, secret = self.ids[who]["public"], self.ids[who]["secret"]
        return ghsp.Client(self.pb, self.ctx, self.cfg["endpoint"], self.cfg["hub_public_key"], public, secret)

    def hello(self, c, who, center=None, schema=None, demo=False, node=None, log_head=0):
        h = self.pb.Hello(node_id=node or self.node[who], center=center or self.center,
                          schema_version=self.v if schema is None else schema, log_head=log_head,
                          agent="ghsp-conformance/1.0", demo=demo)
        c.send(hello=h)

    def session(self, who, log_head=0):
        c = self.client(who)
        self.hello(c, who, log_head=log_head)
        w = c.expect("welcome")
        return c, w

    def change_set(self, origin, f, t, records, schema=None):
        cs = self.pb.ChangeSet(schema_version=self.v if schema is None else schema, origin=origin, from_seq=f, to_seq=t,
                               is_last=True)
        cs.records.extend(records)
        return cs

    def check(self, name, fn):
        try:
            fn()
            self.passed += 1
            print(f"ok - {name}")
        except AssertionError as e:
            self.failed.append(name)
            print(f"FAIL - {name}: {e}")

    def expect_error(self, c, code, timeout_ms=5000):
        e = c.expect("error", timeout_ms)
        assert e.code == code, f"expected ERROR {code}, got {e.code} {e.reason!r}"
        return e

    # ------------------------------------------------------------ checks

    def run(self):
        self.check("the record layer is readable (SCHEMA-v%d.md): %d tables" % (self.v, len(self.schema["tables"])),
                   self.readable)
        self.check("an unenrolled key gets nothing (ZAP, SPEC §2, §13)", self.unenrolled)
        self.check("HELLO on another schema version: 412, and it binds no node id (§5.1)", self.schema_mismatch_binds_nothing)
        self.check("HELLO claiming another center, or another node id: 401 with one reason (§5.1, §6)", self.unauthorized)
        self.check("HELLO of a demonstration node at a real hub: 421 (§13.3)", self.demo_mismatch)
        self.check("handshake: WELCOME with the schema version, limits and committed_push (§5.2)", self.handshake)
        self.check("PULL from 0 streams within credit to is_last; CREDIT returns it (§5.7-5.9)", self.pull_bootstrap)
        self.check("PING gets PONG with the nonce (§5.10)", self.ping)
        self.check("PUSH of a valid record built from SCHEMA: ACK, nothing refused (§5.5)", self.push_valid)
        self.check("PUSH re-sent after a lost ACK: ACK duplicate, committed unchanged (§5.5 rule 4)", self.push_duplicate)
        self.check("invalid records (kinds, encodings, sets, ids) refused with 400, forbidden with 403, the rest applies "
                   "(§5.5, §9, §13.1)", self.refusals)
        self.check("a record under an id the hub holds for another record: 409, not merged (§9, id collisions)",
                   self.id_collision)
        self.check("another node of the center pulls the pushed record; all it pulls conforms to SCHEMA (§5.8, §9)",
                   self.pull_pushed)
        self.check("signature version 2: 426 (§3)", lambda: self.framing([b"GHSP\x02", b""], 426))
        self.check("bad signature: 400 (§3)", lambda: self.framing([b"GHSX\x01", b""], 400))
        self.check("three frames: 400 (§3)", lambda: self.framing([ghsp.SIGNATURE, b"", b""], 400))
        self.check("a body that does not parse: 400 (§3)", lambda: self.framing([ghsp.SIGNATURE, b"\xff\xff\xff"], 400))
        self.check("a body above max_message_bytes: 413 (§3)", self.too_large)
        self.check("PUSH before HELLO: 409 (§4)", self.push_before_hello)
        self.check("CREDIT before PULL: 409 (§5.9)", self.credit_before_pull)
        self.check("PULL cursor past the hub's log head: 400 (§5.7)", self.pull_past_head)
        self.check("PULL cursor above 2^63-1: 400 (§5)", lambda: self.pull_cursor(MAX_POSITION + 1))
        self.check("PUSH without a change set: 400 (§5.5 rule 1)", self.push_without_changes)
        self.check("PUSH of another replica's log: 401 (§5.5 rule 2)", self.push_other_origin)
        self.check("PUSH on another schema version: 412, nothing applied (§5.5 rule 3)", self.push_other_schema)
        self.check("PUSH skipping positions: 409 (§5.5 rule 5)", self.push_skipping)
        self.check("PUSH dated 10 minutes ahead: 425, nothing applied (§13.2)", self.push_clock_ahead)
        self.ctx.destroy(linger=0)
        print(f"{self.passed} passed, {len(self.failed)} failed")
        return len(self.failed)

    def readable(self):
        t = self.schema["tables"].get("customer")
        assert t and t["scope"] == "center", "no customer table scoped by center"
        assert any(s["policy"] == "add-wins-set" for s in t["slots"]), "no set slot in customer"

    def unenrolled(self):
        c = self.client("stranger")
        self.hello(c, "a", node=f"kit-stranger-{os.urandom(3).hex()}")
        got = c.recv(1500)
        c.close()
        assert got is None, f"an unenrolled key got {got[0].upper()}"

    def schema_mismatch_binds_nothing(self):
        c = self.client("c")
        # N+1: a hub serves its own version and may serve N-1 during a rollout (§11.1), never
        # a node newer than itself.
        self.hello(c, "c", schema=self.v + 1, node=self.node["c"] + "-first")
        self.expect_error(c, 412)
        # Had the refused HELLO bound its node id, this one (another id) would get 401.
        self.hello(c, "c")
        c.expect("welcome")
        c.close()

    def unauthorized(self):
        c = self.client("a")
        self.hello(c, "a", center=self.other_center)
        first = self.expect_error(c, 401).reason
        c.close()
        # Bind a's node id, then claim another one with the same key.
        c, _ = self.session("a")
        c.close()
        c = self.client("a")
        self.hello(c, "a", node=self.node["a"] + "-other")
        second = self.expect_error(c, 401).reason
        c.close()
        assert first == second, f"the 401 reasons differ, so they tell which check failed: {first!r} / {second!r}"
        assert self.center not in first and self.other_center not in first, f"the 401 reason names a center: {first!r}"

    def demo_mismatch(self):
        c = self.client("a")
        self.hello(c, "a", demo=True)
        self.expect_error(c, 421)
        c.close()

    def handshake(self):
        c, w = self.session("a")
        c.close()
        assert w.schema_version == self.v, f"WELCOME schema_version {w.schema_version}, the schema is {self.v}"
        assert w.hub_id and w.hub_epoch, "no hub id or epoch"
        assert w.committed_push == 0, f"a new node's committed_push is {w.committed_push}"
        for f in ("heartbeat_interval_ms", "heartbeat_liveness", "push_window", "max_message_bytes", "max_batch_records",
                  "max_batch_bytes", "max_credit_bytes", "max_credit_batches"):
            assert getattr(w, f) > 0, f"WELCOME {f} is 0"
        self.welcome = w

    def pull(self, c, cursor=0, credit_bytes=16 << 20, batches=8):
        """PULL from `cursor`; applies nothing, returns every record up to is_last."""
        c.send(pull=self.pb.Pull(cursor=cursor, credit_bytes=credit_bytes, credit_batches=batches))
        expected, records = cursor, []
        while True:
            ch = c.expect("changes").changes
            assert ch.from_seq == expected, f"CHANGES from {ch.from_seq}, expected {expected}"
            assert ch.to_seq >= ch.from_seq, "to_seq < from_seq"
            records.extend(ch.records)
            expected = ch.to_seq
            c.send(credit=self.pb.Credit(bytes=len(ch.SerializeToString()) + 8, batches=1, applied_seq=ch.to_seq))
            if ch.is_last:
                return records, expected

    def pull_bootstrap(self):
        c, _ = self.session("a")
        _, head = self.pull(c)
        c.close()
        self.head_seen = head

    def ping(self):
        c, _ = self.session("a")
        c.send(ping=self.pb.Ping(nonce=4242))
        pong = c.expect("pong")
        c.close()
        assert pong.nonce == 4242, f"PONG nonce {pong.nonce}"

    def customer(self, who, counter, **kw):
        return self.records.record("customer", ghsp.ordered_id("cu", self.node[who]), self.node[who], counter, self.center, **kw)

    def push_valid(self):
        c, w = self.session("a", log_head=1)
        self.valid = self.customer("a", 1)
        self.first_push = self.change_set(self.node["a"], w.committed_push, 1, [self.valid])
        c.send(push=self.pb.Push(changes=self.first_push))
        ack = c.expect("ack")
        c.close()
        assert ack.to_seq == 1 and ack.committed == 1, f"ACK to_seq {ack.to_seq} committed {ack.committed}"
        assert not ack.refused, f"refused: {[(r.code, r.reason) for r in ack.refused]}"

    def push_duplicate(self):
        c, w = self.session("a", log_head=1)
        assert w.committed_push == 1, f"WELCOME committed_push {w.committed_push} after the ACK of 1"
        c.send(push=self.pb.Push(changes=self.first_push))
        ack = c.expect("ack")
        c.close()
        assert ack.duplicate and ack.committed == 1, f"duplicate {ack.duplicate} committed {ack.committed}"

    def refusals(self):
        a = self.node["a"]
        cases = {}

        def add(label, record, code):
            cases[record.id] = (label, code)
            return record

        recs = []
        yes = self.customer("a", 2, overrides={"special_care": "yes"})
        recs.append(add("text \"yes\" in an integer column", yes, 400))
        contradicting = self.customer("a", 2, overrides={"tags": "[]"})
        recs.append(add("set column [] beside the elements", contradicting, 400))
        spaced = self.customer("a", 2, tags=("a", "b"), overrides={"tags": '["a", "b"]'})
        recs.append(add("set column with spaces", spaced, 400))
        bad_id = self.customer("a", 2)
        bad_id.id = "cu bad id"
        recs.append(add("an id with white space", bad_id, 400))
        unknown = self.customer("a", 2)
        unknown.table = "no_such_table"
        unknown.id = ghsp.ordered_id("zz", a)
        recs.append(add("an unknown table", unknown, 400))
        short = self.customer("a", 2)
        del short.slots[-1]
        recs.append(add("a slot missing", short, 400))
        # Values of the right kind outside their encoding (SCHEMA §1): each record invalid alone.
        for label, field, value in (("2 in a boolean", "special_care", 2),
                                    ("a date that does not exist (2026-02-30)", "move_in", "2026-02-30"),
                                    ("a date not written YYYY-MM-DD", "move_in", "2026/03/01"),
                                    ("a negative Unix-ms time", "created_at", -1),
                                    ("a Unix-ms time past the year 9999", "created_at", 253402300800000)):
            recs.append(add(label, self.customer("a", 2, overrides={field: value}), 400))
        if "ticket" in self.schema["tables"]:
            for label, field, value in (("a value no enumeration has", "kind", "no_such_kind"),
                                        ("an integer enumeration's unlisted value", "complaint_class", 9),
                                        ("negative money", "fee", -100)):
                t = self.records.record("ticket", ghsp.ordered_id("tk", a), a, 2, self.center, overrides={field: value})
                recs.append(add(label, t, 400))
            ok_ticket = self.records.record("ticket", ghsp.ordered_id("tk", a), a, 2, self.center)
            recs.append(ok_ticket)
        foreign = self.customer("a", 2, overrides={"center": self.other_center})
        recs.append(add("another center's record", foreign, 403))
        if "calendar_day" in self.schema["tables"]:
            day = self.records.record("calendar_day", "2031-01-01", a, 2, self.center)
            recs.append(add("a shared record (head office creates)", day, 403))
        if "data_grant" in self.schema["tables"]:
            hq_only = [col["name"] for s in self.schema["tables"]["data_grant"]["slots"] for col in s["columns"]
                       if col["origin"] == "head office"]
            nulls = {n: None for n in hq_only}
            nulls["quality_by"] = "Q01"
            grant = self.records.record("data_grant", ghsp.ordered_id("gr", a), a, 2, self.center, overrides=nulls)
            recs.append(add("a head-office field written by a center", grant, 403))
        ok = self.customer("a", 2)
        recs.append(ok)
        c, w = self.session("a", log_head=2)
        c.send(push=self.pb.Push(changes=self.change_set(a, w.committed_push, 2, recs)))
        ack = c.expect("ack")
        c.close()
        got = {r.id: r for r in ack.refused}
        wrong = []
        for rid, (label, code) in cases.items():
            r = got.get(rid)
            if r is None:
                wrong.append(f"{label}: not refused")
            elif r.code != code:
                wrong.append(f"{label}: {r.code} ({r.reason}), expected {code}")
        for valid in [ok] + ([ok_ticket] if "ticket" in self.schema["tables"] else []):
            if valid.id in got:
                wrong.append(f"the valid {valid.table} was refused: {got[valid.id].reason}")
        assert ack.committed == 2, f"committed {ack.committed}"
        assert not wrong, "; ".join(wrong)
        self.second_valid = ok
        self.refused_ids = set(cases)

    def id_collision(self):
        # Node b creates a record under the id of a's first one, apart from it: two records.
        b = self.node["b"]
        twin = self.records.record("customer", self.valid.id, b, 1, self.center, overrides={"name": "另一位客户"})
        c, w = self.session("b", log_head=1)
        c.send(push=self.pb.Push(changes=self.change_set(b, w.committed_push, 1, [twin])))
        ack = c.expect("ack")
        c.close()
        got = [(r.id, r.code) for r in ack.refused]
        assert got == [(self.valid.id, 409)], f"refused {[(r.id, r.code, r.reason) for r in ack.refused]}"
        assert ack.committed == 1, f"committed {ack.committed}"

    def pull_pushed(self):
        c, _ = self.session("b")
        records, _ = self.pull(c)
        c.close()
        got = {r.id: r for r in records}
        for want in (self.valid, self.second_valid):
            assert want.id in got, f"{want.id} did not reach another node of the center"
            problems = self.records.problems(got[want.id])
            assert not problems, f"{want.id}: {problems}"
            assert list(got[want.id].slots) == list(want.slots), f"{want.id} came back changed"
        leaked = self.refused_ids & set(got)
        assert not leaked, f"refused records were sent on: {leaked}"
        # Everything the hub sends is valid for the receiver too (kinds, checked encodings, sets).
        bad = {f"{r.table}/{r.id}": p for r in records for p in [self.records.problems(r)] if p}
        assert not bad, f"the hub sent records a node must refuse: {bad}"

    def framing(self, frames, code):
        c = self.client("a")
        c.send_frames(frames)
        self.expect_error(c, code)
        c.close()

    def too_large(self):
        limit = self.welcome.max_message_bytes if self.welcome else 4 << 20
        self.framing([ghsp.SIGNATURE, b"\0" * (limit + 1)], 413)

    def push_before_hello(self):
        c = self.client("a")
        c.send(push=self.pb.Push(changes=self.change_set(self.node["a"], 2, 3, [])))
        self.expect_error(c, 409)
        c.close()

    def credit_before_pull(self):
        c, _ = self.session("a")
        c.send(credit=self.pb.Credit(bytes=1, batches=1))
        self.expect_error(c, 409)
        c.close()

    def pull_cursor(self, cursor):
        c, _ = self.session("a")
        c.send(pull=self.pb.Pull(cursor=cursor, credit_bytes=1 << 20, credit_batches=1))
        self.expect_error(c, 400)
        c.close()

    def pull_past_head(self):
        c, _ = self.session("a")
        _, head = self.pull(c)
        c.close()
        self.pull_cursor(head + 1000)

    def push_without_changes(self):
        c, _ = self.session("a")
        c.send(push=self.pb.Push())
        self.expect_error(c, 400)
        c.close()

    def push_other_origin(self):
        c, w = self.session("a", log_head=3)
        c.send(push=self.pb.Push(changes=self.change_set(self.node["b"], w.committed_push, 3, [])))
        self.expect_error(c, 401)
        c.close()

    def push_other_schema(self):
        c, w = self.session("a", log_head=3)
        rec = self.customer("a", 3)
        c.send(push=self.pb.Push(changes=self.change_set(self.node["a"], w.committed_push, 3, [rec], schema=self.v + 1)))
        self.expect_error(c, 412)
        c.close()
        c, w = self.session("a", log_head=3)
        c.close()
        assert w.committed_push == 2, f"committed_push moved to {w.committed_push}"

    def push_skipping(self):
        c, w = self.session("a", log_head=9)
        c.send(push=self.pb.Push(changes=self.change_set(self.node["a"], w.committed_push + 5, w.committed_push + 6, [])))
        self.expect_error(c, 409)
        c.close()

    def push_clock_ahead(self):
        c, w = self.session("a", log_head=3)
        rec = self.customer("a", 3, hlc_ms=int(time.time() * 1000) + 10 * 60 * 1000)
        c.send(push=self.pb.Push(changes=self.change_set(self.node["a"], w.committed_push, 3, [rec])))
        self.expect_error(c, 425)
        c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keys", help="make the kit's key pairs and configuration")
    k.add_argument("--endpoint", required=True)
    k.add_argument("--hub-key", required=True)
    k.add_argument("--center", required=True)
    r = sub.add_parser("run", help="run the suite")
    r.add_argument("config")
    r.add_argument("--schema", default=None, help="SCHEMA-v<N>.md (default: the newest next to this kit)")
    a = ap.parse_args()
    if a.cmd == "keys":
        ids = []
        for name in ("a", "b", "c"):
            public, secret = (x.decode() for x in zmq.curve_keypair())
            ids.append({"name": name, "public": public, "secret": secret})
            print(f"enroll for center {a.center}: {public}", file=sys.stderr)
        json.dump({"endpoint": a.endpoint, "hub_public_key": a.hub_key, "center": a.center, "identities": ids},
                  sys.stdout, indent=2)
        print()
        return 0
    config = json.load(open(a.config))
    schema = a.schema
    if schema is None:
        proto = os.path.dirname(HERE)
        found = sorted((f for f in os.listdir(proto) if f.startswith("SCHEMA-v") and f.endswith(".md")),
                       key=lambda f: int(f[8:-3]))
        schema = os.path.join(proto, found[-1])
    return min(Suite(config, schema).run(), 100)


if __name__ == "__main__":
    sys.exit(main())
