"""soak workers: one function per role, each run in its own process.

Every worker gets a Ctx (shared counters, the stop flag, the common start time)
and writes its result as JSON to <dir>/soak/<name>.json when it ends.  All
loops are bounded by the end time and by the stop flag; every socket read has
a timeout.  Workers ignore SIGINT: the orchestrator stops them with the flag.
"""
import json
import os
import signal
import socket
import time
import traceback

import xsguest as xg

HDR = xg.HDR
M32 = xg.M32


class Ctx:
    """What a worker shares with the orchestrator (multiprocessing raw values)."""

    def __init__(self, cfg, slot, counters, ready, stop, t0):
        self.cfg = cfg            # dict: dir, socket, phases, rates, ...
        self.slot = slot          # my index in counters/ready
        self.counters = counters  # RawArray('q'): requests sent, one slot per worker
        self.ready = ready        # RawArray('i'): 1 = set up, 2 = finished, -1 = failed
        self.stop = stop          # RawValue('i'): 1 = stop now
        self.t0 = t0              # RawValue('d'): start of the measured run (0 = not yet)

    def count(self, n=1):
        self.counters[self.slot] += n

    def wait_start(self, limit=120.0):
        """Mark ready, then wait until the orchestrator sets t0; returns t0."""
        self.ready[self.slot] = 1
        deadline = time.time() + limit
        while self.t0.value == 0.0:
            if self.stop.value or time.time() > deadline:
                return None
            time.sleep(0.01)
        return self.t0.value

    @property
    def t_hostile(self):
        return self.t0.value + self.cfg["idle_s"]

    @property
    def t_end(self):
        return self.t0.value + self.cfg["total_s"]

    def running(self):
        return not self.stop.value and time.time() < self.t_end

    def sleep_until(self, t):
        """Sleep until t (or stop/end); False if the run is over."""
        while True:
            if not self.running():
                return False
            left = t - time.time()
            if left <= 0:
                return True
            time.sleep(min(left, 0.2))


def run_worker(fn, name, ctx):
    """Process entry: run fn(ctx) -> dict, store it as JSON."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    out = {"name": name}
    try:
        out.update(fn(ctx) or {})
        ctx.ready[ctx.slot] = 2
    except BaseException as e:       # noqa: BLE001 - report everything
        out["fatal"] = f"{type(e).__name__}: {e}"
        out["trace"] = traceback.format_exc()[-2000:]
        ctx.ready[ctx.slot] = -1
    path = os.path.join(ctx.cfg["dir"], "soak", f"{name}.json")
    with open(path + ".tmp", "w") as f:
        json.dump(out, f)
    os.replace(path + ".tmp", path)


# --- a small dom0 socket client with latency measurement -----------------
class Sock:
    def __init__(self, path, timeout=5.0):
        self.path = path
        self.timeout = timeout
        self.s = None
        self.buf = b""
        self.rid = 0
        self.connect()

    def connect(self):
        if self.s:
            try:
                self.s.close()
            except OSError:
                pass
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(self.timeout)
        self.s.connect(self.path)
        self.buf = b""

    def close(self):
        if self.s:
            self.s.close()
            self.s = None

    def req(self, typ, payload, tx=0):
        """(type, body); watch events are skipped.  Raises socket.timeout/OSError."""
        self.rid = (self.rid + 1) & M32
        rid = self.rid
        self.s.sendall(HDR.pack(typ, rid, tx, len(payload)) + payload)
        deadline = time.time() + self.timeout
        while True:
            while len(self.buf) >= 16:
                t, r, _, ln = HDR.unpack_from(self.buf)
                if len(self.buf) < 16 + ln:
                    break
                body = self.buf[16:16 + ln]
                self.buf = self.buf[16 + ln:]
                if t != xg.XS_WATCH_EVENT and r == rid:
                    return t, body
            left = deadline - time.time()
            if left <= 0:
                raise socket.timeout("reply")
            self.s.settimeout(left)
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("closed by the daemon")
            self.buf += d


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


class Pacer:
    """Closed loop at `rate` per second at most; never bursts to catch up."""

    def __init__(self, rate):
        self.dt = 1.0 / rate if rate > 0 else 0.0
        self.next = time.time()

    def wait(self, ctx):
        if not self.dt:
            return ctx.running()
        now = time.time()
        if self.next < now - 0.5:
            self.next = now
        self.next += self.dt
        if self.next > now:
            time.sleep(self.next - now)
        return ctx.running()


# --- honest: READ latency probe -------------------------------------------
def probe(ctx):
    """dom0 READs of /soak/probe at a steady rate; every latency is kept."""
    cfg = ctx.cfg
    s = Sock(cfg["socket"], timeout=cfg["req_timeout"])
    payload = xg.z("/soak/probe")
    if ctx.wait_start() is None:
        return {}
    t0 = ctx.t0.value
    ts, lat = [], []          # seconds since t0, microseconds
    errors, timeouts, reconnects = 0, 0, 0
    pace = Pacer(cfg["probe_rate"])
    while pace.wait(ctx):
        a = time.perf_counter()
        ta = time.time()
        try:
            t, _ = s.req(xg.XS_READ, payload)
            us = (time.perf_counter() - a) * 1e6
            ctx.count()
            if t == xg.XS_ERROR:
                errors += 1
            ts.append(round(ta - t0, 3))
            lat.append(round(us, 1))
        except (socket.timeout, TimeoutError):
            timeouts += 1
            ts.append(round(ta - t0, 3))
            lat.append(round((time.perf_counter() - a) * 1e6, 1))
            try:
                s.connect()          # the late reply would confuse the next one
                reconnects += 1
            except OSError:
                time.sleep(0.5)
        except OSError:
            errors += 1
            time.sleep(0.2)
            try:
                s.connect()
                reconnects += 1
            except OSError:
                pass
    s.close()
    return {"ts": ts, "lat_us": lat, "errors": errors, "timeouts": timeouts,
            "reconnects": reconnects}


# --- honest: write+read and transactions ------------------------------------
def honest(ctx):
    """dom0 write+read ("wr", 2 requests) or transaction ("txn", 4 requests)
    iterations at a capped rate; per-second counts and per-phase latencies."""
    cfg = ctx.cfg
    mode, rate, idx = cfg["mode"], cfg["rate"], cfg["index"]
    s = Sock(cfg["socket"], timeout=cfg["req_timeout"])
    base = f"/soak/honest/{mode}{idx}"
    for i in range(64):
        s.req(xg.XS_WRITE, f"{base}/k{i}\0".encode() + b"v" * 16)
    if ctx.wait_start() is None:
        return {}
    t0 = ctx.t0.value
    nsec = int(cfg["total_s"]) + 2
    per_sec = [0] * nsec         # completed requests in second k after t0
    lat = {"idle": [], "load": []}
    errors = timeouts = retries = 0
    pace = Pacer(rate)
    i = 0
    while pace.wait(ctx):
        key = f"{base}/k{i % 64}".encode()
        i += 1
        a = time.perf_counter()
        try:
            if mode == "wr":
                t1, _ = s.req(xg.XS_WRITE, key + b"\0" + str(i).encode())
                t2, _ = s.req(xg.XS_READ, key + b"\0")
                n = 2
                if xg.XS_ERROR in (t1, t2):
                    errors += 1
            else:
                n = 0
                while True:
                    t, body = s.req(xg.XS_TRANSACTION_START, b"\0")
                    n += 1
                    if t == xg.XS_ERROR:
                        errors += 1
                        break
                    tx = int(body.rstrip(b"\0"))
                    s.req(xg.XS_READ, key + b"\0", tx)
                    s.req(xg.XS_WRITE, key + b"\0" + str(i).encode(), tx)
                    t, body = s.req(xg.XS_TRANSACTION_END, b"T\0", tx)
                    n += 3
                    if t == xg.XS_ERROR and body.startswith(b"EAGAIN") and n < 40:
                        retries += 1
                        continue
                    if t == xg.XS_ERROR:
                        errors += 1
                    break
        except (socket.timeout, TimeoutError):
            timeouts += 1
            try:
                s.connect()
            except OSError:
                time.sleep(0.5)
            continue
        except OSError:
            errors += 1
            time.sleep(0.2)
            try:
                s.connect()
            except OSError:
                pass
            continue
        now = time.time()
        us = (time.perf_counter() - a) * 1e6
        ctx.count(n)
        k = int(now - t0)
        if 0 <= k < nsec:
            per_sec[k] += n
        lat["load" if now >= ctx.t_hostile else "idle"].append(us)
    s.close()
    return {"mode": mode, "rate": rate, "per_sec": per_sec, "errors": errors,
            "timeouts": timeouts, "retries": retries,
            "lat": {ph: {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99),
                         "max": max(v) if v else None} for ph, v in lat.items()}}


# --- hostile: watchers that never read (XSA-326 victims) ---------------------
def watchers(ctx):
    """G guests, each with W watches (distinct tokens) on its own flood
    directory; after registering they stop reading their rings."""
    cfg = ctx.cfg
    sc = xg.SockConn(cfg["socket"], timeout=cfg["req_timeout"])
    guests = []
    try:
        for domid in cfg["domids"]:
            xg.send_control(cfg["dir"], f"create {domid}")
            g = xg.Guest(cfg["dir"], domid, introduce="fresh", setup="owner",
                         timeout=cfg["req_timeout"])
            guests.append(g)
            d = f"/local/domain/{domid}/flood"
            sc.mkdir(d)
            sc.set_perms(d, [f"n{domid}", f"b{cfg['flooder_domid']}"])
            for w in range(cfg["watches"]):
                g.watch(d, f"t{w}")
            g.collect_events(quiet=0.05, limit=cfg["watches"] + 10)
            g.events.clear()
    finally:
        sc.close()
    if ctx.wait_start() is None:
        return {}
    # never read; just stay attached until the end
    while ctx.running():
        time.sleep(0.2)
    res = {"guests": len(guests), "watches_each": cfg["watches"], "per_guest": []}
    # at the end: does the daemon still deliver?  read for a bounded time
    per_guest = cfg["drain_s"] / max(1, len(guests))
    for g in guests:
        deadline = time.time() + per_guest
        st = g.state()
        n = 0
        try:
            while time.time() < deadline:
                ev = g.wait_event(0.05)
                if ev is None:
                    break
                n += 1
                if n % 64 == 0:
                    g.events.clear()
        except (xg.RingCorrupt, xg.XsTimeout) as e:
            st["drain_error"] = str(e)
        st["events_read_at_end"] = n
        st["domid"] = g.domid
        res["per_guest"].append(st)
        g.close()
    return res


# --- hostile: flood writers (guest over its ring, and dom0) ------------------
def flooder_guest(ctx):
    """Guest F creates and deletes nodes below every watcher's flood
    directory (it was granted b on them), as fast as the daemon lets it
    (capped at a rate).  The daemon should throttle it (XSA-326)."""
    cfg = ctx.cfg
    xg.send_control(cfg["dir"], f"create {cfg['domid']}")
    g = xg.Guest(cfg["dir"], cfg["domid"], introduce="fresh", setup="owner",
                 timeout=cfg["req_timeout"])
    if ctx.wait_start() is None or not ctx.sleep_until(ctx.t_hostile):
        g.close()
        return {}
    return _flood(ctx, g, "g", is_guest=True)


def flooder_dom0(ctx):
    """dom0 (socket) creates and deletes nodes below the watched directories
    at a capped rate: dom0 is never throttled, so this is what fills the
    non-reading watchers' event queues."""
    cfg = ctx.cfg
    s = Sock(cfg["socket"], timeout=cfg["req_timeout"])
    if ctx.wait_start() is None or not ctx.sleep_until(ctx.t_hostile):
        s.close()
        return {}
    return _flood(ctx, s, "d", is_guest=False)


def _flood(ctx, conn, tag, is_guest):
    cfg = ctx.cfg
    victims = cfg["victims"]
    pace = Pacer(cfg["rate"])
    ok = err = timeouts = 0
    errnames = {}
    stall_max = 0.0
    i = 0
    per_10s = []
    t_start = time.time()

    def one(typ, payload):
        if is_guest:
            t, _, body = conn.raw(typ, payload)
        else:
            t, body = conn.req(typ, payload)
        return t, body

    while pace.wait(ctx):
        v = victims[i % len(victims)]
        path = f"/local/domain/{v}/flood/{tag}{i}".encode()
        i += 1
        for typ, payload in ((xg.XS_WRITE, path + b"\0x"), (xg.XS_RM, path + b"\0")):
            a = time.time()
            try:
                t, body = one(typ, payload)
                ctx.count()
                if t == xg.XS_ERROR:
                    err += 1
                    name = body.rstrip(b"\0").decode(errors="replace")
                    errnames[name] = errnames.get(name, 0) + 1
                else:
                    ok += 1
            except (xg.XsTimeout, socket.timeout, TimeoutError):
                timeouts += 1
                if not is_guest:
                    try:
                        conn.connect()
                    except OSError:
                        time.sleep(0.5)
                break
            except (OSError, xg.RingCorrupt) as e:
                errnames[type(e).__name__] = errnames.get(type(e).__name__, 0) + 1
                time.sleep(0.5)
                break
            finally:
                stall_max = max(stall_max, time.time() - a)
        k = int((time.time() - t_start) / 10)
        while len(per_10s) <= k:
            per_10s.append(0)
        per_10s[k] += 1
    res = {"ops_ok": ok, "errors": err, "errnames": errnames, "timeouts": timeouts,
           "max_wait_s": round(stall_max, 3), "mutations_per_10s": per_10s}
    if is_guest:
        res["ring"] = conn.state()
        conn.close()
    else:
        conn.close()
    return res


# --- hostile: the guest that never reads its replies (XSA-416) ---------------
def nonreader(ctx):
    """Pipelines READs of a ~2 KB node and never consumes the replies.  The
    daemon should stop taking requests from its ring after a bounded number."""
    cfg = ctx.cfg
    xg.send_control(cfg["dir"], f"create {cfg['domid']}")
    g = xg.Guest(cfg["dir"], cfg["domid"], introduce="fresh", setup="owner",
                 timeout=cfg["req_timeout"])
    g.write("big", "b" * 1900)
    if ctx.wait_start() is None or not ctx.sleep_until(ctx.t_hostile):
        g.close()
        return {}
    msg_body = xg.z(f"/local/domain/{cfg['domid']}/big")
    ring = g.ring
    written = 0
    rid = 1000
    cons0 = ring.get(xg.W_REQ_CONS)
    series = []                    # (s since hostile start, requests consumed)
    t_h = time.time()
    last_sample = 0.0
    while ctx.running():
        cons = ring.get(xg.W_REQ_CONS)
        prod = ring.get(xg.W_REQ_PROD)
        used = (prod - cons) & M32
        if used > xg.RING_SIZE:
            break                  # the daemon cannot do that; stop
        rid += 1
        m = HDR.pack(xg.XS_READ, rid, 0, len(msg_body)) + msg_body
        if xg.RING_SIZE - used >= len(m):
            ring.copy_in(xg.OFF_REQ, prod, m)
            ring.set(xg.W_REQ_PROD, prod + len(m))
            written += 1
            ctx.count()
            g.notify()
            continue
        now = time.time()
        if now - last_sample >= 1.0:
            last_sample = now
            series.append((round(now - t_h), ((cons - cons0) & M32) // len(m)))
        time.sleep(0.05)
    st = g.state()
    consumed = ((st["req_cons"] - cons0) & M32) // (16 + len(msg_body))
    pending_rsp = (st["rsp_prod"] - st["rsp_cons"]) & M32
    g.close()
    # compact: consumption at ~10 points
    step = max(1, len(series) // 10)
    return {"written": written, "consumed": consumed, "rsp_bytes_unread": pending_rsp,
            "ring": st, "consumed_series": series[::step] + series[-1:]}


# --- hostile: ring-index attacker, destroyed and re-introduced ----------------
ATTACKS_SAFE = ["ringidx", "badlen", "rspidx", "toctou", "hugelen"]
ATTACKS_UNSAFE = ["zerolen"]     # kills C xenstored 4.17 (assertion)


def attacker(ctx):
    cfg = ctx.cfg
    domid = cfg["domid"]
    kinds = list(ATTACKS_SAFE) + (list(ATTACKS_UNSAFE) if cfg["unsafe"] else [])
    sc = xg.SockConn(cfg["socket"], timeout=cfg["req_timeout"])
    sc.close()
    if ctx.wait_start() is None or not ctx.sleep_until(ctx.t_hostile + 2):
        return {}
    rounds = []
    k = 0
    next_t = time.time()
    while ctx.sleep_until(next_t):
        next_t = time.time() + cfg["interval"]
        kind = kinds[k % len(kinds)]
        k += 1
        r = {"kind": kind, "t": round(time.time() - ctx.t0.value, 1)}
        try:
            r.update(_attack_round(ctx, domid, kind))
        except Exception as e:          # noqa: BLE001 - record and go on
            r["exception"] = f"{type(e).__name__}: {e}"
        rounds.append(r)
    return {"rounds": rounds}


def _attack_round(ctx, domid, kind):
    cfg = ctx.cfg
    r = {}
    xg.send_control(cfg["dir"], f"create {domid}")
    t = time.time()
    g = xg.Guest(cfg["dir"], domid, introduce="fresh", setup="owner", timeout=cfg["req_timeout"])
    try:
        g.write("alive", "1")
        r["before_ok"] = g.read("alive") == "1"
        r["introduce_s"] = round(time.time() - t, 3)
        ctx.count(5)
        if kind == "ringidx":
            g.set_index(req_prod=g.req_cons + 2000)
        elif kind == "badlen":
            g.raw_header(xg.XS_READ, 5000, body=b"x" * 64)
        elif kind == "hugelen":
            g.raw_header(xg.XS_READ, 0xffffffff, body=b"x" * 64)
        elif kind == "rspidx":
            g.set_index(rsp_cons=g.rsp_prod + 3000, notify=False)
            g.send(xg.XS_READ, xg.z("alive"))
        elif kind == "toctou":
            cons = g.req_cons
            end = time.time() + 0.5
            flips = 0
            while time.time() < end:
                g.set_index(notify=False, req_prod=cons + 2000)
                g.set_index(notify=(flips % 64 == 0), req_prod=cons)
                flips += 1
            g.set_index(req_prod=cons + 2000)
            r["flips"] = flips
        elif kind == "zerolen":
            # C 4.17 aborts here (assert in consider_message); expect EINVAL
            g.write("z", "1")
            g.rm("z")
            t, _, body = g.raw(xg.XS_READ, b"", timeout=3)
            r["reply"] = body.rstrip(b"\0").decode(errors="replace") if t == xg.XS_ERROR else f"type {t}"
        time.sleep(1.0)
        st = g.state()
        r["error"] = st["error"]
        r["error_name"] = st["error_name"]
        # is it still served?  (after an attack it should not be, except zerolen)
        if kind == "rspidx":
            g.set_index(rsp_cons=g.rsp_prod, notify=False)
        if kind in ("ringidx", "toctou", "badlen", "hugelen"):
            # repair our view so the probe request can be written at all
            g.set_index(notify=False, req_prod=g.req_cons)
        try:
            g.inbuf = b""
            g.replies.clear()
            t2, _, _ = g.raw(xg.XS_READ, xg.z("alive"), timeout=1.5)
            r["served_after"] = True
        except (xg.XsTimeout, xg.RingCorrupt):
            r["served_after"] = False
    finally:
        # the hypervisor destroys the domain; the daemon must release it
        xg.send_control(cfg["dir"], f"destroy {domid}")
        g.close()
    t = time.time()
    sc = xg.SockConn(cfg["socket"], timeout=cfg["req_timeout"])
    try:
        while time.time() - t < 10:
            if not sc.is_introduced(domid):
                break
            time.sleep(0.05)
        r["released_s"] = round(time.time() - t, 3)
        r["released"] = not sc.is_introduced(domid)
        try:
            sc.read(f"/local/domain/{domid}/alive")
            r["nodes_removed"] = False
        except xg.XsError:
            r["nodes_removed"] = True
    finally:
        sc.close()
    xg.send_control(cfg["dir"], f"create {domid}")
    return r
