"""guest_bridge - one guest domain for the differential tester (it/.../differential).

    python3 -B guest_bridge.py SHARED_DIR DAEMON_DIR DOMID

Introduces domain DOMID on the daemon of DAEMON_DIR as a toolstack does (its home
/local/domain/DOMID owned by it), prints READY, then serves lines on standard input:

    CALL <type> <tx_id> <payload in hex>

The request goes over the guest's ring (peers/xsguest.py); every message that comes back up to
and including its reply is printed in the order it arrived, as ``MSG <type> <tx_id> <hex>``,
then ``END``.  Messages that arrive after the reply wait for the next call.  A reply that does not
come within the timeout is ``NOREPLY``.  End of input ends the guest.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.abspath(sys.argv[1]), "peers"))

from xsguest import (Guest, HDR, M32, OFF_RSP, RING_SIZE, W_RSP_CONS, W_RSP_PROD,  # noqa: E402
                     XS_WATCH_EVENT, XsTimeout, mb)


def ordered_pump(guest, arrived):
    """The guest's pump, keeping replies and events in one list, in the order they arrived."""
    def pump():
        cons = guest.ring.get(W_RSP_CONS)
        avail = (guest.ring.get(W_RSP_PROD) - cons) & M32
        if avail == 0:
            return False
        data = guest.ring.copy_out(OFF_RSP, cons, avail)
        guest.ring.set(W_RSP_CONS, cons + avail)
        mb()
        if ((guest.ring.get(W_RSP_PROD) - cons) & M32) >= RING_SIZE:
            guest.evt.notify()
        guest.inbuf += data
        while len(guest.inbuf) >= 16:
            t, rid, tx, ln = HDR.unpack_from(guest.inbuf)
            if len(guest.inbuf) < 16 + ln:
                break
            body = guest.inbuf[16:16 + ln]
            guest.inbuf = guest.inbuf[16 + ln:]
            arrived.append((t, rid, tx, body))
            if t != XS_WATCH_EVENT:
                guest.replies[rid] = (t, tx, body)
        return True
    return pump


def main():
    guest = Guest(os.path.abspath(sys.argv[2]), int(sys.argv[3]), introduce="fresh", setup="owner",
                  timeout=15.0, poll=0.05)
    arrived = []
    guest._pump = ordered_pump(guest, arrived)
    print("READY", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "CALL":
            continue
        payload = bytes.fromhex(parts[3]) if len(parts) > 3 else b""
        rid = guest.send(int(parts[1]), payload, int(parts[2]))
        try:
            guest.recv(rid)
        except XsTimeout:
            print("NOREPLY", flush=True)
            continue
        while arrived:
            t, r, tx, body = arrived.pop(0)
            print(f"MSG {t} {tx} {body.hex()}")
            if t != XS_WATCH_EVENT and r == rid:
                break
        print("END", flush=True)


if __name__ == "__main__":
    main()
