#!/usr/bin/env python3
"""soak - mixed honest + hostile load against a xenstore daemon under the
fake-hypervisor shim; see docs/soak.md.  Run through scripts/soak."""
import argparse
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def log(*a):
    print("soak:", *a, file=sys.stderr, flush=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="scripts/soak",
        description="Soak a xenstore daemon with honest dom0 clients and hostile "
                    "guests over rings (fake-hypervisor shim); print a report.")
    ap.add_argument("--minutes", type=float, required=True,
                    help="length of the measured run (quiet phase included)")
    ap.add_argument("--dir", help="daemon/ring directory (default /tmp/xs-soak-DAEMON)")
    ap.add_argument("--guests", type=int, default=16, help="watching guests (default 16)")
    ap.add_argument("--watches", type=int, default=100,
                    help="watches per watching guest (default 100; C's quota is 128)")
    ap.add_argument("--max-requests", type=int, default=0,
                    help="stop once the load has sent this many requests (0: no bound)")
    ap.add_argument("--daemon", choices=["jxenstored", "c"], default="jxenstored")
    ap.add_argument("--idle-seconds", type=float, default=20.0,
                    help="quiet phase before the hostile load (default 20; at most a third of the run)")
    ap.add_argument("--probe-rate", type=float, default=200.0, help="dom0 READ probes/s (default 200)")
    ap.add_argument("--honest-rate", type=float, default=500.0,
                    help="write+read iterations/s per honest connection (2 connections; default 500)")
    ap.add_argument("--txn-rate", type=float, default=100.0,
                    help="transactions/s of the honest transaction connection (default 100)")
    ap.add_argument("--guest-flood-rate", type=float, default=1000.0,
                    help="cap on the flooding guest's create+delete pairs/s (default 1000)")
    ap.add_argument("--dom0-flood-rate", type=float, default=100.0,
                    help="dom0 flood create+delete pairs/s (default 100; 0: off)")
    ap.add_argument("--attack-interval", type=float, default=15.0,
                    help="seconds between ring attacks (default 15)")
    ap.add_argument("--sample-seconds", type=float, default=5.0, help="RSS sampling period (default 5)")
    ap.add_argument("--unsafe", choices=["auto", "yes", "no"], default="auto",
                    help="include attacks that crash C xenstored 4.17 (auto: only for jxenstored)")
    ap.add_argument("--shared", default=os.environ.get("SOAK_SHARED", os.path.join(os.path.dirname(REPO), "shared")),
                    help="the shared folder with peers/ (default ../shared beside the repository)")
    ap.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                    help="run the repository's bin/jxenstored directly instead of a private copy of its build")
    ap.add_argument("--json", help="also write the report as JSON to this file")
    ap.add_argument("--rss-bound", type=float, default=None,
                    help="RSS bound in MB to check (default 450 for jxenstored with the launcher's "
                         "default JVM options, 256 MiB heap; none for C or with JXENSTORED_JAVA_OPTS set)")
    a = ap.parse_args(argv)
    if a.minutes <= 0:
        ap.error("--minutes must be > 0")
    if a.guests < 1 or a.guests > 2000:
        ap.error("--guests must be 1..2000")
    if a.dir is None:
        a.dir = f"/tmp/xs-soak-{a.daemon}"
    return a


# --- daemon process facts ----------------------------------------------------
def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            st = f.read().rsplit(")", 1)[1].split()[0]
        return st not in ("Z", "X")
    except OSError:
        return False


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))]


def fmt_us(x):
    if x is None:
        return "-"
    if x >= 10000:
        return f"{x / 1000:.0f} ms"
    if x >= 1000:
        return f"{x / 1000:.1f} ms"
    return f"{x:.0f} us"


class Soak:
    def __init__(self, a):
        self.a = a
        self.peers = os.path.join(a.shared, "peers")
        for p in (HERE, self.peers):
            if p not in sys.path:
                sys.path.insert(0, p)
        self.cache = os.environ.get("XS_PEERS_CACHE", "/var/tmp/xs-peers")
        self.dir = os.path.abspath(a.dir)
        self.sock = os.path.join(self.dir, "socket")
        self.pid = None
        self.procs = []
        self.stopping = False
        self.unsafe = a.unsafe == "yes" or (a.unsafe == "auto" and a.daemon == "jxenstored")
        self.total_s = a.minutes * 60.0
        self.idle_s = min(a.idle_seconds, self.total_s / 3.0)
        self.samples = []        # (t, rss_kb, cpu_s, requests)
        self.mem = []            # jxenstored memreport: (t, heap used, queued output, watches, nodes)
        self.jar_info = None
        self.gclog = os.path.join(self.dir, "soak", "gc.log")
        self.cpu = []            # machine: (t, busy jiffies, total jiffies)
        self.stop_reason = None
        self.died_at = None

    # -- daemon ----------------------------------------------------------------
    def start_daemon(self):
        os.makedirs(self.dir, exist_ok=True)
        if os.path.exists(os.path.join(self.dir, "pid")):
            try:
                old = int(open(os.path.join(self.dir, "pid")).read())
                if alive(old):
                    raise SystemExit(f"soak: a daemon (pid {old}) already runs in {self.dir}; "
                                     f"stop it with {self.peers}/stop-peer.sh {self.dir}")
            except ValueError:
                pass
        shutil.rmtree(os.path.join(self.dir, "soak"), ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "soak"))
        if self.a.daemon == "c":
            cmd = [os.path.join(self.peers, "start-peer.sh"), "c", self.dir]
        else:
            cmd = [os.path.join(self.peers, "start-peer.sh"), "exec", self.dir, "--",
                   self.launcher(), "--no-fork"]
        log("starting:", " ".join(cmd))
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=420)
        if r.returncode != 0:
            raise SystemExit(f"soak: daemon did not start:\n{r.stderr}{r.stdout}")
        self.pid = int(open(os.path.join(self.dir, "pid")).read())
        log(r.stdout.strip())
        if self.a.daemon == "jxenstored":
            self.enable_gc_log()

    def enable_gc_log(self):
        """Turn on the JVM's GC log at run time (jcmd VM.log), without changing
        the launcher's JVM options; best effort."""
        java = os.path.realpath(shutil.which("java") or "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
        cands = [os.path.join(os.path.dirname(java), "jcmd"),
                 "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd"]
        try:
            exe = os.path.realpath(f"/proc/{self.pid}/exe")
            cands.insert(0, os.path.join(os.path.dirname(exe), "jcmd"))
        except OSError:
            pass
        for jcmd in cands:
            if os.access(jcmd, os.X_OK):
                try:
                    r = subprocess.run([jcmd, str(self.pid), "VM.log", f"output={self.gclog}", "what=gc",
                                        "decorators=uptime"], stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, timeout=30)
                    if r.returncode == 0:
                        return
                except (OSError, subprocess.SubprocessError):
                    pass
        log("could not enable the GC log (jcmd); GC figures will be missing")

    def launcher(self):
        """bin/jxenstored, or (default) the same launcher in a private copy of
        the repository's build: others rebuild daemon/target while a soak
        runs, and a JVM whose jar is replaced under it fails to load classes."""
        repo_launcher = os.path.join(REPO, "bin", "jxenstored")
        if not self.a.snapshot:
            return repo_launcher
        # let the launcher build the jar if it is stale (--help exits at once)
        r = subprocess.run([repo_launcher, "--help"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=600)
        if r.returncode != 0:
            raise SystemExit(f"soak: bin/jxenstored --help failed:\n{r.stderr}")
        tgt = os.path.join(REPO, "daemon", "target")
        jars = [j for j in sorted(os.listdir(tgt)) if j.startswith("jxenstored-") and j.endswith(".jar")
                and not j.endswith(("-sources.jar", "-tests.jar", "-javadoc.jar"))]
        if not jars:
            raise SystemExit("soak: no daemon jar in daemon/target")
        snap = os.path.join(self.dir, "snapshot")
        shutil.rmtree(snap, ignore_errors=True)
        os.makedirs(os.path.join(snap, "bin"))
        os.makedirs(os.path.join(snap, "daemon", "target"))
        shutil.copy2(repo_launcher, os.path.join(snap, "bin", "jxenstored"))
        shutil.copy2(os.path.join(tgt, jars[0]), os.path.join(snap, "daemon", "target", jars[0]))
        shutil.copytree(os.path.join(tgt, "lib"), os.path.join(snap, "daemon", "target", "lib"))
        self.jar_info = f"{jars[0]} built {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(os.path.getmtime(os.path.join(tgt, jars[0]))))}"
        try:
            rev = subprocess.run(["git", "-C", REPO, "log", "-1", "--format=%h %s"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, timeout=10).stdout.strip()
            self.jar_info += f"; HEAD {rev[:60]}"
        except (OSError, subprocess.SubprocessError):
            pass
        log("daemon snapshot:", self.jar_info)
        return os.path.join(snap, "bin", "jxenstored")

    def memreport(self):
        """jxenstored's CONTROL memreport as a dict of numbers (None for C)."""
        if self.a.daemon != "jxenstored":
            return None
        import workers
        try:
            s = workers.Sock(self.sock, timeout=5)
            t, body = s.req(workers.xg.XS_CONTROL, b"memreport\0")
            s.close()
        except OSError:
            return None
        if t == workers.xg.XS_ERROR:
            return None
        out = {}
        for line in body.decode(errors="replace").splitlines():
            k, _, v = line.partition(":")
            try:
                out[k.strip()] = int(v.strip().rstrip("\0"))
            except ValueError:
                pass
        return out

    def serving(self):
        """One dom0 READ answered within 10 s?"""
        import workers
        try:
            s = workers.Sock(self.sock, timeout=10)
            t, _ = s.req(workers.xg.XS_READ, b"/soak/probe\0")
            s.close()
            return t == workers.xg.XS_READ
        except OSError:
            return False

    def stop_daemon(self):
        if self.pid is None:
            return
        r = subprocess.run([os.path.join(self.peers, "stop-peer.sh"), self.dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        log("stop-peer:", r.stdout.strip().replace("\n", "; "))
        self.pid = None

    def tool_env(self):
        env = dict(os.environ)
        env["XENSTORED_PATH"] = self.sock
        env["LD_LIBRARY_PATH"] = os.path.join(self.cache, "root/usr/lib/x86_64-linux-gnu")
        return env

    def control_check(self):
        tool = os.path.join(self.cache, "root/usr/lib/xen-4.17/bin/xenstore-control")
        try:
            r = subprocess.run([tool, "check"], env=self.tool_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=120)
            return r.returncode, r.stdout.strip()
        except subprocess.TimeoutExpired:
            return 124, "timed out after 120 s"

    # -- workers -----------------------------------------------------------------
    def plan(self):
        a = self.a
        common = {"dir": self.dir, "socket": self.sock, "idle_s": self.idle_s,
                  "total_s": self.total_s, "req_timeout": 5.0}
        wdoms = list(range(1001, 1001 + a.guests))
        flooder, nonrd, att = 901, 902, 903
        p = [("probe", "probe", {"probe_rate": a.probe_rate})]
        for i in range(2):
            p.append((f"honest-wr{i}", "honest", {"mode": "wr", "rate": a.honest_rate, "index": i}))
        p.append(("honest-txn0", "honest", {"mode": "txn", "rate": a.txn_rate, "index": 0}))
        p.append(("watchers", "watchers", {"domids": wdoms, "watches": a.watches,
                                           "flooder_domid": flooder, "drain_s": 4.0}))
        p.append(("flood-guest", "flooder_guest", {"domid": flooder, "victims": wdoms,
                                                   "rate": a.guest_flood_rate}))
        if a.dom0_flood_rate > 0:
            p.append(("flood-dom0", "flooder_dom0", {"victims": wdoms, "rate": a.dom0_flood_rate}))
        p.append(("nonreader", "nonreader", {"domid": nonrd}))
        p.append(("attacker", "attacker", {"domid": att, "interval": a.attack_interval,
                                           "unsafe": self.unsafe}))
        return [(name, fn, dict(common, **cfg)) for name, fn, cfg in p]

    def start_workers(self):
        import workers  # noqa: E402  (needs the paths set in __init__)
        ctxm = mp.get_context("fork")
        plan = self.plan()
        n = len(plan)
        self.counters = ctxm.RawArray("q", n)
        self.ready = ctxm.RawArray("i", n)
        self.stopflag = ctxm.RawValue("i", 0)
        self.t0v = ctxm.RawValue("d", 0.0)
        self.names = [p[0] for p in plan]
        # dom0 set-up of the probe's node
        s = workers.Sock(self.sock)
        s.req(workers.xg.XS_WRITE, b"/soak/probe\0" + b"p" * 64)
        s.close()
        for slot, (name, fn, cfg) in enumerate(plan):
            ctx = workers.Ctx(cfg, slot, self.counters, self.ready, self.stopflag, self.t0v)
            pr = ctxm.Process(target=workers.run_worker, args=(getattr(workers, fn), name, ctx),
                              name=f"soak-{name}", daemon=True)
            pr.start()
            self.procs.append(pr)
        # wait until all are set up (16 guests x W watches take a few seconds)
        deadline = time.time() + 180
        while time.time() < deadline:
            st = list(self.ready)
            if all(x != 0 for x in st):
                break
            if not alive(self.pid):
                raise SystemExit("soak: the daemon died during set-up")
            time.sleep(0.05)
        bad = [self.names[i] for i, x in enumerate(self.ready) if x != 1]
        if bad:
            raise SystemExit(f"soak: workers failed to set up: {bad} "
                             f"(see {self.dir}/soak/*.json)")
        self.t0 = time.time()
        self.t0v.value = self.t0

    def monitor(self):
        a = self.a
        next_sample = self.t0
        c0 = cpu_s(self.pid)
        self.samples.append((0.0, rss_kb(self.pid), c0, 0))
        self.cpu.append((0.0,) + machine_cpu())
        hostile_logged = False
        end = self.t0 + self.total_s
        while True:
            now = time.time()
            if not alive(self.pid):
                self.died_at = round(now - self.t0, 1)
                self.stop_reason = f"daemon died at t={self.died_at}s"
                break
            total = sum(self.counters)
            if a.max_requests and total >= a.max_requests:
                self.stop_reason = f"--max-requests {a.max_requests} reached"
                break
            if now >= end:
                self.stop_reason = "time"
                break
            if not hostile_logged and now >= self.t0 + self.idle_s:
                log(f"t={now - self.t0:.0f}s quiet phase over: hostile load starts")
                hostile_logged = True
            if now >= next_sample:
                next_sample += a.sample_seconds
                t = now - self.t0
                r, c = rss_kb(self.pid), cpu_s(self.pid)
                prev = self.samples[-1]
                cpu_pct = 100.0 * (c - prev[2]) / max(1e-6, t - prev[0]) if c is not None and prev[2] is not None and t > prev[0] else 0
                self.samples.append((round(t, 1), r, c, total))
                self.cpu.append((round(t, 1),) + machine_cpu())
                mr = self.memreport()
                extra = ""
                if mr:
                    self.mem.append((round(t, 1), mr.get("heap used"), mr.get("queued output"),
                                     mr.get("watches"), mr.get("nodes")))
                    extra = (f" heap={mr.get('heap used', 0) / 1048576:.0f}MB"
                             f" queued={mr.get('queued output', 0) / 1048576:.1f}MB")
                log(f"t={t:5.0f}s rss={r / 1024 if r else 0:6.1f} MB cpu={cpu_pct:4.0f}% requests={total}{extra}")
            time.sleep(0.25)

    def stop_workers(self):
        self.stopflag.value = 1
        deadline = time.time() + 30
        for pr in self.procs:
            pr.join(max(0.1, deadline - time.time()))
        for pr in self.procs:
            if pr.is_alive():
                log(f"worker {pr.name} did not stop; killing pid {pr.pid}")
                pr.kill()
                pr.join(5)

    def cleanup_guests(self):
        """Destroy every guest (hypervisor datagram) and wait for the releases."""
        import xsguest as xg
        doms = list(range(1001, 1001 + self.a.guests)) + [901, 902, 903]
        for d in doms:
            try:
                xg.send_control(self.dir, f"destroy {d}")
            except OSError:
                pass
        t = time.time()
        left = doms
        try:
            sc = xg.SockConn(self.sock, timeout=10)
            while left and time.time() - t < 20:
                left = [d for d in left if sc.is_introduced(d)]
                if left:
                    time.sleep(0.2)
            sc.close()
        except (OSError, xg.XsError, xg.XsTimeout) as e:
            return {"error": str(e)}
        for d in doms:
            try:
                xg.send_control(self.dir, f"create {d}")
            except OSError:
                pass
        return {"released": len(doms) - len(left), "of": len(doms), "seconds": round(time.time() - t, 2)}

    def results(self):
        out = {}
        for name in self.names:
            p = os.path.join(self.dir, "soak", f"{name}.json")
            try:
                with open(p) as f:
                    out[name] = json.load(f)
            except (OSError, ValueError):
                out[name] = {"missing": True}
        return out

    # -- the whole run -----------------------------------------------------------
    def run(self):
        a = self.a
        # The default bound belongs to the launcher's default JVM options (a 256 MiB heap).
        default_bound = 450.0 if a.daemon == "jxenstored" and "JXENSTORED_JAVA_OPTS" not in os.environ else None
        bound = a.rss_bound if a.rss_bound is not None else default_bound
        rep = {"daemon": a.daemon, "minutes": a.minutes, "guests": a.guests,
               "watches": a.watches, "dir": self.dir, "rss_bound_mb": bound}
        ok = False
        interrupted = False
        try:
            self.start_daemon()
            rep["pid"] = self.pid
            self.start_workers()
            log(f"running {self.total_s:.0f} s: quiet {self.idle_s:.0f} s, then hostile load "
                f"({a.guests} watching guests x {a.watches} watches, flooders, non-reader, ring attacker)")
            self.monitor()
        except KeyboardInterrupt:
            interrupted = True
            self.stop_reason = "interrupted"
            log("interrupted: stopping")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                if self.procs:
                    self.stop_workers()
                if self.pid and alive(self.pid):
                    t_end = time.time() - getattr(self, "t0", time.time())
                    self.samples.append((round(t_end, 1), rss_kb(self.pid), cpu_s(self.pid),
                                         sum(self.counters) if self.procs else 0))
                    rep["rss_end_of_load_kb"] = rss_kb(self.pid)
                    rep["cleanup"] = self.cleanup_guests()
                    time.sleep(2)
                    rep["rss_after_cleanup_kb"] = rss_kb(self.pid)
                if self.pid:
                    rep["alive_at_end"] = alive(self.pid)
                    if rep["alive_at_end"]:
                        rep["serving_at_end"] = self.serving()
                        rc, out = self.control_check()
                        rep["check_rc"], rep["check_out"] = rc, out
                    else:
                        rep["daemon_log_tail"] = tail(os.path.join(self.dir, "daemon.log"), 15)
                    ok = rep["alive_at_end"] and rep.get("serving_at_end") and rep.get("check_rc") == 0
            finally:
                self.stop_daemon()
        if self.procs:
            rep["stop_reason"] = self.stop_reason
            rep["workers"] = self.results()
            rep["samples"] = self.samples
            rep["mem"] = self.mem
            rep["machine_cpu"] = self.cpu
            rep["gc"] = parse_gc(self.gclog)
            rep["jar"] = self.jar_info
            rep["t_idle"] = self.idle_s
            rep["t_total"] = self.total_s
            rep["died_at"] = self.died_at
            text = report(rep)
            print(text, flush=True)
            with open(os.path.join(self.dir, "soak", "report.txt"), "w") as f:
                f.write(text + "\n")
            slim = dict(rep)
            slim["workers"] = {k: {kk: vv for kk, vv in v.items() if kk not in ("ts", "lat_us")}
                               for k, v in rep["workers"].items()}
            for path in [os.path.join(self.dir, "soak", "report.json")] + ([a.json] if a.json else []):
                with open(path, "w") as f:
                    json.dump(slim, f, indent=1)
        if interrupted:
            return 130
        return 0 if ok else 1


def machine_cpu():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v) - idle, sum(v)


def parse_gc(path):
    """Pauses from a -Xlog:gc log: [12.3s] GC(5) Pause Young (...) 40M->20M(60M) 12.3ms"""
    import re
    pat = re.compile(r"\[([\d.]+)s\].*GC\(\d+\) Pause (\w+).*?(\d+)M->(\d+)M\((\d+)M\) ([\d.]+)ms")
    out = {"pauses": 0, "full": 0, "total_ms": 0.0, "max_ms": 0.0, "after_mb": []}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = pat.search(line)
                if not m:
                    continue
                out["pauses"] += 1
                if m.group(2) == "Full":
                    out["full"] += 1
                ms = float(m.group(6))
                out["total_ms"] += ms
                out["max_ms"] = max(out["max_ms"], ms)
                out["after_mb"].append((float(m.group(1)), int(m.group(4)), m.group(2)))
    except OSError:
        return None
    return out if out["pauses"] else None


def tail(path, n):
    try:
        with open(path, errors="replace") as f:
            return f.readlines()[-n:]
    except OSError:
        return []


# --- the report ---------------------------------------------------------------------
def report(rep):
    W = rep["workers"]
    t_idle = rep["t_idle"]
    actual = rep["samples"][-1][0] if rep["samples"] else 0
    L = []
    L.append("=" * 72)
    L.append(f"SOAK REPORT  daemon={rep['daemon']}  planned {rep['minutes']:g} min, ran {actual:.0f} s "
             f"(quiet {t_idle:.0f} s, then hostile)  stop: {rep.get('stop_reason')}")
    if rep.get("jar"):
        L.append(f"jar: {rep['jar']}")
    L.append("=" * 72)

    # probe latencies
    pr = W.get("probe", {})
    ts, lat = pr.get("ts", []), pr.get("lat_us", [])
    warm = min(5.0, t_idle / 4.0)      # the first seconds warm the daemon (JIT) up
    idle = [l for t, l in zip(ts, lat) if warm <= t < t_idle]
    load = [l for t, l in zip(ts, lat) if t >= t_idle + 2.0]
    L.append(f"dom0 READ latency probe ({len(lat) / max(1, actual):.0f}/s achieved, one socket connection; "
             f"idle = t {warm:.0f}..{t_idle:.0f} s, load = from t {t_idle + 2:.0f} s):")
    for nm, v in (("idle", idle), ("load", load)):
        L.append(f"  {nm:5s} n={len(v):7d}  p50={fmt_us(pct(v, 50)):>8s}  p99={fmt_us(pct(v, 99)):>8s}  "
                 f"p99.9={fmt_us(pct(v, 99.9)):>8s}  max={fmt_us(max(v) if v else None):>8s}")
    r = None
    if idle and load:
        r = pct(load, 99) / max(1e-9, pct(idle, 99))
    rep["p99_ratio"] = r
    L.append(f"  p99 load/idle = {r:.2f}x" if r is not None else "  p99 load/idle = -")
    slow = sum(1 for v in load if v >= 100000)
    L.append(f"  probes >= 100 ms under load: {slow}; timeouts (5 s): {pr.get('timeouts', '-')}; "
             f"errors: {pr.get('errors', '-')}")
    if load:
        nwin = 10
        span = (max(ts) - t_idle) / nwin if ts else 0
        if span > 0:
            parts = []
            for k in range(nwin):
                a0 = t_idle + k * span
                v = [l for t, l in zip(ts, lat) if a0 <= t < a0 + span]
                parts.append(f"{a0:.0f}s:{fmt_us(pct(v, 99))}")
            L.append("  p99 per window under load: " + "  ".join(parts))

    # honest throughput
    L.append("honest dom0 load (2 x write+read, 1 x transaction connection; rate-capped):")
    tot_idle = tot_load = 0.0
    for name in sorted(k for k in W if k.startswith("honest-")):
        h = W[name]
        if "per_sec" not in h:
            L.append(f"  {name}: no result {h.get('fatal', '')}")
            continue
        ps = h["per_sec"]
        i_s = ps[int(warm):int(t_idle)]
        l_s = ps[int(t_idle) + 2:int(actual)]
        ri = sum(i_s) / max(1, len(i_s))
        rl = sum(l_s) / max(1, len(l_s))
        tot_idle += ri
        tot_load += rl
        target = h["rate"] * (2 if h["mode"] == "wr" else 4)
        li, ll = h["lat"]["idle"], h["lat"]["load"]
        L.append(f"  {name:12s} target {target:5.0f} req/s: idle {ri:7.0f} req/s, load {rl:7.0f} req/s; "
                 f"op p99 idle {fmt_us(li['p99'])}, load {fmt_us(ll['p99'])}, max {fmt_us(ll['max'])}; "
                 f"errors {h['errors']} timeouts {h['timeouts']}" + (f" retries {h['retries']}" if h["mode"] == "txn" else ""))
    L.append(f"  honest throughput: idle {tot_idle:.0f} req/s, under load {tot_load:.0f} req/s "
             f"({100.0 * tot_load / tot_idle if tot_idle else 0:.0f}% of idle)")
    rep["honest_req_s"] = {"idle": tot_idle, "load": tot_load}

    # RSS
    s = [x for x in rep["samples"] if x[1]]
    if s:
        rss = [x[1] / 1024.0 for x in s]
        L.append(f"daemon RSS: min {min(rss):.1f} MB, max {max(rss):.1f} MB, final (end of load) "
                 f"{rss[-1]:.1f} MB, after guests destroyed "
                 f"{(rep.get('rss_after_cleanup_kb') or 0) / 1024:.1f} MB")
        step = max(1, len(s) // 16)
        pts = s[::step]
        if pts[-1] is not s[-1]:
            pts.append(s[-1])
        L.append("  RSS series (t:MB): " + " ".join(f"{x[0]:.0f}:{x[1] / 1024:.0f}" for x in pts))
        if len(s) >= 2 and s[-1][2] is not None and s[0][2] is not None:
            qi = [x for x in s if x[0] <= t_idle]
            def cpu_between(a, b):
                return 100.0 * (b[2] - a[2]) / max(1e-6, b[0] - a[0])
            L.append(f"  daemon CPU: quiet {cpu_between(s[0], qi[-1]) if len(qi) > 1 else 0:.0f}%, "
                     f"hostile {cpu_between(qi[-1], s[-1]) if qi else 0:.0f}% (of one CPU)")
        half = [x for x in s if x[0] >= t_idle]
        if len(half) >= 4:
            h1 = half[len(half) // 2:]
            L.append(f"  RSS trend in the second half of the hostile phase: "
                     f"{h1[0][1] / 1024:.1f} -> {h1[-1][1] / 1024:.1f} MB")

    if rep.get("mem"):
        m = rep["mem"]
        step = max(1, len(m) // 12)
        pts = m[::step] + ([m[-1]] if m[::step][-1] is not m[-1] else [])
        L.append("  jxenstored memreport (t: heap used MB / queued output MB): "
                 + " ".join(f"{x[0]:.0f}:{(x[1] or 0) / 1048576:.0f}/{(x[2] or 0) / 1048576:.1f}" for x in pts))

    mc = rep.get("machine_cpu") or []
    if len(mc) >= 3:
        qi = [x for x in mc if x[0] <= t_idle]
        def busy(a, b):
            return 100.0 * (b[1] - a[1]) / max(1, b[2] - a[2])
        L.append(f"  whole machine busy ({os.cpu_count()} CPUs, load generators included): quiet "
                 f"{busy(mc[0], qi[-1]) if len(qi) > 1 else 0:.0f}%, hostile {busy(qi[-1], mc[-1]):.0f}%")
    gc = rep.get("gc")
    if gc:
        aft = gc["after_mb"]
        step = max(1, len(aft) // 10)
        pts = aft[::step] + ([aft[-1]] if aft[::step][-1] is not aft[-1] else [])
        L.append(f"  JVM GC: {gc['pauses']} pauses ({gc['full']} full), total {gc['total_ms']:.0f} ms, longest "
                 f"{gc['max_ms']:.1f} ms; heap after GC (JVM uptime s:MB): "
                 + " ".join(f"{x[0]:.0f}:{x[1]}" + ("F" if x[2] == "Full" else "") for x in pts))

    # hostile guests
    L.append("hostile guests:")
    fg = W.get("flood-guest", {})
    if "ops_ok" in fg:
        L.append(f"  flooding guest (create+rm under {rep['guests']} watched dirs): {fg['ops_ok']} ok, "
                 f"errors {fg['errnames'] or 0}, stalls >5 s {fg['timeouts']}, longest wait "
                 f"{fg['max_wait_s']} s; pairs per 10 s: {compact(fg['mutations_per_10s'])}; "
                 f"ring error={fg['ring']['error']}")
    fd = W.get("flood-dom0", {})
    if "ops_ok" in fd:
        L.append(f"  dom0 flooder: {fd['ops_ok']} ok, errors {fd['errnames'] or 0}, timeouts {fd['timeouts']}, "
                 f"longest wait {fd['max_wait_s']} s")
    wt = W.get("watchers", {})
    if "per_guest" in wt:
        errs = {}
        for g in wt["per_guest"]:
            errs[g["error"]] = errs.get(g["error"], 0) + 1
        rd = [g["events_read_at_end"] for g in wt["per_guest"]]
        L.append(f"  {wt['guests']} watching guests x {wt['watches_each']} watches, never reading: ring error "
                 f"values {errs}; events still delivered when they read at the end: "
                 f"{sum(1 for x in rd if x)} of {len(rd)} guests (read {sum(rd)} in total)")
    elif wt:
        L.append(f"  watchers: {wt.get('fatal', 'no result')}")
    nr = W.get("nonreader", {})
    if "written" in nr:
        L.append(f"  non-reading guest (XSA-416): {nr['written']} READs pipelined, daemon took "
                 f"{nr['consumed']} from its ring (series s:n {' '.join(f'{a}:{b}' for a, b in nr['consumed_series'])}), "
                 f"{nr['rsp_bytes_unread']} reply bytes in its ring; ring error={nr['ring']['error']}")
    at = W.get("attacker", {})
    if "rounds" in at:
        errs = {}
        cut = notcut = 0
        bad = []
        for r in at["rounds"]:
            if "exception" in r:
                bad.append(f"{r['kind']}@{r['t']}s: {r['exception']}")
                continue
            e = f"{r['kind']}:{r.get('error_name')}"
            errs[e] = errs.get(e, 0) + 1
            if r["kind"] == "zerolen":
                continue
            if r.get("served_after"):
                notcut += 1
            else:
                cut += 1
            if not r.get("released") or not r.get("nodes_removed") or not r.get("before_ok"):
                bad.append(f"{r['kind']}@{r['t']}s: {r}")
        zl = [r.get("reply") for r in at["rounds"] if r["kind"] == "zerolen"]
        rel = [r["released_s"] for r in at["rounds"] if "released_s" in r]
        L.append(f"  ring attacker: {len(at['rounds'])} rounds, cut off {cut}, still served after attack "
                 f"{notcut}; error field by attack {errs}")
        L.append(f"    destroy->released max {max(rel) if rel else '-'} s; re-introduced each round"
                 + (f"; zero-length READ replies {sorted(set(map(str, zl)))}" if zl else ""))
        for b in bad[:5]:
            L.append(f"    problem: {b}")
    for name, w in W.items():
        if "fatal" in w:
            L.append(f"  worker {name} failed: {w['fatal']}")
    cl = rep.get("cleanup")
    if cl:
        L.append(f"  end: all guests destroyed: {cl}")

    # verdict
    L.append("verdict:")
    L.append(f"  daemon alive at end: {'yes' if rep.get('alive_at_end') else 'NO'}"
             + (f" (died at t={rep['died_at']} s)" if rep.get("died_at") is not None else ""))
    if rep.get("alive_at_end"):
        L.append(f"  serving dom0 at end (one READ within 10 s): {'yes' if rep.get('serving_at_end') else 'NO'}")
        L.append(f"  xenstore-control check: rc={rep.get('check_rc')} {rep.get('check_out', '')!s:.200}")
    else:
        for line in rep.get("daemon_log_tail", []):
            L.append("    log: " + line.rstrip())
    flags = []
    if r is not None and rep.get("p99_ratio") and rep["p99_ratio"] > 3:
        flags.append(f"p99 ratio {rep['p99_ratio']:.1f}x > 3x")
    if s and len(s) >= 4:
        half = [x for x in s if x[0] >= t_idle]
        if len(half) >= 4 and half[-1][1] > 1.25 * half[len(half) // 2][1] and half[-1][1] - half[len(half) // 2][1] > 20480:
            flags.append("RSS still growing in the second half")
    bound = rep.get("rss_bound_mb")
    if s and bound is not None:
        peak = max(x[1] for x in s) / 1024.0
        L.append(f"  RSS bound {bound:.0f} MB: {'kept' if peak <= bound else 'EXCEEDED'} (max {peak:.1f} MB)")
        if peak > bound:
            flags.append(f"RSS {peak:.1f} MB over the bound {bound:.0f} MB")
    if pr.get("timeouts"):
        flags.append(f"{pr['timeouts']} probe timeouts (hang?)")
    L.append("  warnings: " + ("; ".join(flags) if flags else "none"))
    L.append(f"  RESULT {'PASS' if rep.get('alive_at_end') and rep.get('serving_at_end') and rep.get('check_rc') == 0 else 'FAIL'}")
    return "\n".join(L)


def compact(xs):
    if len(xs) <= 12:
        return " ".join(map(str, xs))
    step = len(xs) / 12.0
    return " ".join(str(xs[int(i * step)]) for i in range(12)) + f" ... {xs[-1]}"


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    return Soak(a).run()


if __name__ == "__main__":
    sys.exit(main())
