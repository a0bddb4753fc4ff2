"""What scripts/bench, scripts/scale and scripts/fairness share: starting a daemon under
../shared/peers' fake-hypervisor shim, introducing simulated guests, and reading its memory."""
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
SHARED = os.environ.get("JXS_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
PEERS = os.path.join(SHARED, "peers")
NAMES = {"c": "C xenstored", "ocaml": "oxenstored", "java": "jxenstored",
         "java-nojournal": "jxenstored --no-journal"}
sys.path.insert(0, PEERS)
from xsguest import Guest, XsError, send_control  # noqa: E402


def command(kind, folder):
    """The start-peer.sh command that starts a daemon of `kind` (a key of NAMES) serving
    folder/socket; jxenstored with the launcher's default options."""
    if kind.startswith("java"):
        return [os.path.join(PEERS, "start-peer.sh"), "exec", folder, "--",
                os.path.join(REPO, "bin", "jxenstored"), "--no-fork"] + (
                    ["--no-journal"] if kind == "java-nojournal" else [])
    return [os.path.join(PEERS, "start-peer.sh"), kind, folder]


def start(kind, folder, cpu=None):
    """Starts a daemon of `kind` serving folder/socket, pinned to `cpu` if given (every thread,
    JIT and collector included); returns its pid."""
    subprocess.run(["rm", "-rf", folder], check=True)
    os.makedirs(folder)
    env = dict(os.environ, PEER_CPU=str(cpu)) if cpu is not None else None
    subprocess.run(command(kind, folder), check=True, capture_output=True, env=env)
    with open(os.path.join(folder, "pid")) as f:
        return int(f.read().strip())


def stop(folder):
    subprocess.run([os.path.join(PEERS, "stop-peer.sh"), folder], capture_output=True)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_times(pid):
    """User and system CPU seconds of a process, every thread of it included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def settle(pid, quiet_s=0.01, limit_s=60.0):
    """Waits until the daemon used at most quiet_s of CPU over one second (a JIT compiling what a
    burst of work ran, say, would share a pinned CPU with what is measured next), at most limit_s;
    returns the seconds waited, or None if it was still busy at the limit."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        before = sum(cpu_times(pid))
        time.sleep(1.0)
        if sum(cpu_times(pid)) - before <= quiet_s:
            return time.monotonic() - t0
    return None


def live_heap_mib(pid):
    """jxenstored's heap after a full collection (jcmd GC.run, then GC.heap_info's used)."""
    jcmd = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jcmd")
    subprocess.run([jcmd, str(pid), "GC.run"], check=True, capture_output=True)
    out = subprocess.run([jcmd, str(pid), "GC.heap_info"], check=True, capture_output=True, text=True).stdout
    used = sum(int(k) for k in re.findall(r"used (\d+)K", out.split("Metaspace")[0]))
    return used / 1024


def guest(folder, domid):
    """Guest `domid`, introduced as a toolstack would (its home, ring and event channel). The
    hypervisor learns of the domain from a datagram the daemon reads on its own schedule, so the
    set-up is retried for at most 5 s."""
    send_control(folder, f"create {domid}")
    deadline = time.time() + 5.0
    while True:
        try:
            return Guest(folder, domid, socket_path=os.path.join(folder, "socket"))
        except XsError as e:
            if e.name not in ("EINVAL", "ENOENT") or time.time() > deadline:
                raise


def latencies(request, n, gap_s=0.0):
    """p50 and p99 in microseconds of n calls of request(), one at a time, gap_s apart."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        request()
        times.append((time.perf_counter_ns() - t0) / 1000)
        if gap_s:
            time.sleep(gap_s)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)]
