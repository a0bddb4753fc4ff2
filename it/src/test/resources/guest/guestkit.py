"""guestkit - shared helpers of the guest-ring scenario scripts (it/src/test/resources/guest).

Every scenario script is run as

    python3 -B SCRIPT.py SHARED_DIR DAEMON_DIR SCENARIO

SHARED_DIR is the project's shared folder (its peers/xsguest.py is imported), DAEMON_DIR the
folder of a daemon started by start-peer.sh (socket, ring directory, domains file).  A script
prints one line per observation, ``STEP <name> <result>``, which the Java test
(org.jxenstore.it.guest.GuestScript) parses and asserts; a ``DONE`` line ends a scenario that ran
to completion.  Anything else on stdout is ignored (useful for diagnostics).

Waiting rules: no sleeps for state.  A wait ends on an event (a reply, a watch event, a changed
ring field) and is bounded by a timeout; "nothing happens" is established with a barrier that
the daemon must pass first (a later request, a later datagram, a marker watch event).
"""
import os
import sys
import time

sys.dont_write_bytecode = True
SHARED = os.path.abspath(sys.argv[1])
DIR = os.path.abspath(sys.argv[2])
SCENARIO = sys.argv[3]
sys.path.insert(0, os.path.join(SHARED, "peers"))

from xsguest import (Guest, SockConn, XsError, XsTimeout, RingCorrupt, send_control, z,  # noqa: E402,F401
                     HDR, RING_SIZE, M32, OFF_REQ, OFF_RSP, W_REQ_CONS, W_REQ_PROD, W_RSP_CONS,
                     W_RSP_PROD, W_ERROR, ERRORS, XS_TYPES, XS_READ, XS_WRITE, XS_ERROR,
                     XS_WATCH_EVENT, XS_SET_TARGET, XS_IS_DOMAIN_INTRODUCED, XS_DIRECTORY, XS_CONTROL)

SOCK = os.path.join(DIR, "socket")
DOMAINS_FILE = os.path.join(DIR, "domains")


def step(name, result):
    print(f"STEP {name} {result}", flush=True)


def info(text):
    print(f"# {text}", flush=True)


def done():
    print("DONE", flush=True)


def err(fn):
    """'OK' (or 'OK:<value>' when fn returns something), the XS error name, or TIMEOUT."""
    try:
        r = fn()
    except XsError as e:
        return e.name
    except XsTimeout:
        return "TIMEOUT"
    if r is None:
        return "OK"
    if isinstance(r, (list, tuple)):
        r = ",".join(str(x) for x in r)
    return f"OK:{r}"


def sc():
    return SockConn(SOCK)


def guest(domid, **kw):
    """A freshly introduced guest (undoes an earlier 'destroy' of that domid first).

    The fake hypervisor learns of 'create' from a datagram that the daemon's event-channel
    reader picks up on its own schedule, while XS_INTRODUCE arrives on the socket: until the
    datagram is read the domain does not exist, so making it the owner of its home is refused
    (SET_PERMS: ENOENT, as in C) and so is INTRODUCE (EINVAL). Nothing tells when it has been
    read, so the set-up is retried, for at most 5 s."""
    send_control(DIR, f"create {domid}")
    kw.setdefault("introduce", "fresh")
    deadline = time.time() + 5.0
    while True:
        try:
            return Guest(DIR, domid, socket_path=SOCK, **kw)
        except XsError as e:
            if e.name not in ("EINVAL", "ENOENT") or time.time() > deadline:
                raise
            time.sleep(0.02)


def wait_until(cond, timeout=5.0, poll=0.01):
    """Poll a condition (e.g. a ring field the daemon sets) until it holds; bounded."""
    deadline = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() >= deadline:
            return v
        time.sleep(poll)


def served(*guests, tag="alive"):
    """'OK' if the dom0 socket and every given guest answer a write + read-back."""
    bad = []
    try:
        s = sc()
        try:
            s.write(f"/guest-it/{tag}", "1")
            if s.read(f"/guest-it/{tag}") != "1":
                bad.append("dom0 read back")
        finally:
            s.close()
    except Exception as e:  # noqa: BLE001 - any failure is the observation
        bad.append(f"dom0:{type(e).__name__}:{e}")
    for g in guests:
        try:
            v = f"v{g.domid}"
            g.write(tag, v)
            if g.read(tag) != v:
                bad.append(f"dom{g.domid}:readback")
        except Exception as e:  # noqa: BLE001
            bad.append(f"dom{g.domid}:{type(e).__name__}:{e}")
    return "OK" if not bad else "BAD:" + ";".join(bad).replace(" ", "_")


def dom0(fn):
    """err() of fn(SockConn) on a fresh dom0 socket connection."""
    s = sc()
    try:
        return err(lambda: fn(s))
    finally:
        s.close()


def control(*args):
    """A CONTROL command's reply text (dom0 socket)."""
    s = sc()
    try:
        return s.req(XS_CONTROL, z(*args)).rstrip(b"\0").decode(errors="replace")
    finally:
        s.close()


def memreport():
    """CONTROL memreport as a dict of its numeric counters ('nodes', 'queued output', ...)."""
    out = {}
    for line in control("memreport").splitlines():
        k, _, v = line.partition(":")
        try:
            out[k.strip()] = int(v.strip())
        except ValueError:
            pass
    return out


def quota_of(domid, what):
    """The current value of one of a domain's quota counters (CONTROL quota DOMID), -1 if absent."""
    for line in control("quota", str(domid)).splitlines():
        if line.startswith(what):
            return int(line.split(":")[1].split()[0])
    return -1


class RequestFeeder:
    """Writes a stream of framed requests into a guest's request ring, as far as there is room,
    without waiting for replies (a pipelining or flooding guest)."""

    def __init__(self, g, data):
        self.g = g
        self.data = data
        self.off = 0

    def push(self):
        """Copies what fits, advances req_prod and notifies; returns the bytes pushed."""
        ring = self.g.ring
        cons, prod = ring.get(W_REQ_CONS), ring.get(W_REQ_PROD)
        n = min(RING_SIZE - ((prod - cons) & M32), len(self.data) - self.off)
        if n > 0:
            ring.copy_in(OFF_REQ, prod, self.data[self.off:self.off + n])
            ring.set(W_REQ_PROD, prod + n)
            self.off += n
            self.g.notify()
        return n

    def done(self):
        return self.off == len(self.data)


def feed_until_stalled(feeder, barrier, progress=None, max_rounds=300):
    """Pushes until the daemon has stopped taking requests from the feeder's guest: progress()
    (by default the request consumer index) unchanged across 3 barriers in a row while the ring
    is full or everything is pushed.  barrier(round) is something the daemon must serve after
    our notification (another client's request); its results other than 'OK' are reported.
    Returns (rounds, 'OK' or the first failed barrier result)."""
    progress = progress or (lambda: feeder.g.ring.get(W_REQ_CONS))
    stable, last, rounds, others = 0, None, 0, "OK"
    while rounds < max_rounds and stable < 3:
        rounds += 1
        pushed = feeder.push()
        r = barrier(rounds)
        if r != "OK" and others == "OK":
            others = r
        now = progress()
        stable = stable + 1 if (pushed == 0 or feeder.done()) and now == last else 0
        last = now
    return rounds, others


class ReplyReader:
    """Reads whole replies straight off a guest's response ring (for a guest that pipelined its
    requests with a RequestFeeder rather than through Guest's request calls)."""

    def __init__(self, g):
        self.g = g
        self.buf = b""

    def read(self):
        """The replies complete now, as (type, req_id, payload); consumes them from the ring."""
        ring = self.g.ring
        cons, prod = ring.get(W_RSP_CONS), ring.get(W_RSP_PROD)
        avail = (prod - cons) & M32
        if avail:
            self.buf += ring.copy_out(OFF_RSP, cons, avail)
            ring.set(W_RSP_CONS, cons + avail)
            self.g.notify()
        got = []
        while len(self.buf) >= 16:
            t, rid, _, ln = HDR.unpack_from(self.buf)
            if len(self.buf) < 16 + ln:
                break
            got.append((t, rid, self.buf[16:16 + ln]))
            self.buf = self.buf[16 + ln:]
        return got


def read_replies(feeder, n, timeout=30.0):
    """Feeds the rest of the feeder's requests while reading replies, until n replies arrived
    (or the timeout); each wait for more ends on the guest's event channel."""
    reader = ReplyReader(feeder.g)
    got = []
    deadline = time.time() + timeout
    while len(got) < n and time.time() < deadline:
        feeder.push()
        new = reader.read()
        got += new
        if not new:
            feeder.g.evt.wait(0.2)
    return got


def is_introduced(domid):
    s = sc()
    try:
        return "T" if s.is_introduced(domid) else "F"
    finally:
        s.close()


def wait_released(*domids, timeout=5.0):
    """Poll IS_DOMAIN_INTRODUCED (dom0) until none of domids is introduced; bounded.  Used as
    the barrier before counting @releaseDomain events: a daemon fires them when it releases."""
    def gone():
        s = sc()
        try:
            return not any(s.is_introduced(d) for d in domids)
        finally:
            s.close()
    return wait_until(gone, timeout=timeout, poll=0.01)


class EventCounter:
    """A dom0 socket connection watching @releaseDomain (token 'rel') and a marker node
    (token 'mark').  count_until_marker() writes the marker and returns how many
    @releaseDomain events arrived before the marker's event: the wait ends on an event."""

    def __init__(self, marker):
        self.s = sc()
        self.marker = marker
        self.s.write(marker, "0")
        self.s.watch("@releaseDomain", "rel")
        self.s.watch(marker, "mark")
        # the initial events of both watches
        self.s.wait_event(5.0, lambda e: e[1] == "rel")
        self.s.wait_event(5.0, lambda e: e[1] == "mark")
        self.s.events.clear()
        self.n = 0

    def first_release(self, timeout=5.0):
        return self.s.wait_event(timeout, lambda e: e[1] == "rel") is not None

    def count_until_marker(self, already=0, timeout=5.0):
        self.n += 1
        self.s.write(self.marker, str(self.n))
        got = self.s.wait_event(timeout, lambda e: e[1] == "mark")
        if got is None:
            return "NO-MARKER"
        n = already + sum(1 for e in self.s.events if e[1] == "rel")
        self.s.events = [e for e in self.s.events if e[1] != "rel"]
        return n

    def close(self):
        self.s.close()


def run(scenarios, folder="/guest-it"):
    """Run SCENARIO from the given dict, after creating folder (None: create no node); an
    exception is reported as a STEP and exit 1."""
    fn = scenarios.get(SCENARIO)
    if fn is None:
        print(f"unknown scenario {SCENARIO!r}; known: {sorted(scenarios)}", file=sys.stderr)
        sys.exit(2)
    try:
        if folder is not None:
            s = sc()
            s.mkdir(folder)
            s.close()
        fn()
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        step("exception", f"{type(e).__name__}:{e}".replace(" ", "_"))
        sys.exit(1)
    done()
