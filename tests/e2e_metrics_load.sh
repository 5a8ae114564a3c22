#!/usr/bin/env bash
# The Prometheus endpoint under load (issue 15, item 5), through the built binary: a
# headless `vigil --listen` sampling every 0.5 s gets, twice over,
#   - 1000 scrapes from 50 parallel clients (one connection each; a quarter ask for gzip,
#     a fifth for OpenMetrics): every one must be 200 with the whole body (as long as its
#     Content-Length, ending with the last family's sample or "# EOF");
#   - meanwhile slow clients: 8 that send their request one byte a second, 2 that send it
#     and then read nothing (a small receive buffer), 2 that connect and say nothing: the
#     scrapes above must not wait for them (the slowest scrape is printed and must take
#     under 5 s), and the server must have closed all their connections 20 s after they
#     began (its deadline is 10 s from a request's start, whatever the client sends);
#   - then 70 clients sending a byte a second, more than the server's 64 connections: a
#     scrape must be answered within 15 s (once the deadline cuts them);
#   - oversized requests: headers past the server's 32 KiB and a 100 KB URL, which must get
#     an error (400, 413, 414 or 431) or a closed connection, and not stop the server;
# and vigil's peak resident memory (VmHWM) must stay at most 32 MiB, its resident memory
# after the second round within 2 MiB of that after the first (flat). Prints the figures.
# Needs python3; exits 77 (skipped) without it.
# Usage: e2e_metrics_load.sh PATH/TO/vigil
set -u
. "$(dirname "$0")/e2e_lib.sh"
VIGIL=$(readlink -f "${1:?usage: e2e_metrics_load.sh PATH/TO/vigil}")
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
tmp=$(mktemp -d)
vpid=
cleanup() { [ -n "$vpid" ] && kill "$vpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

serve "$tmp/err" "$VIGIL" --listen 127.0.0.1:0 -d 0.5 || { echo "FAIL - vigil did not say where it serves: $(cat "$tmp/err")"; exit 1; }
echo "# vigil (pid $vpid) at $url"

# Under AddressSanitizer the memory is the sanitizer's (shadow, quarantine): the figures
# are printed, not judged; the normal build judges them.
sanitized=0
if ldd "$VIGIL" 2>/dev/null | grep -qE 'lib(a|ub)san'; then sanitized=1; fi
python3 - "$url" "$vpid" "$sanitized" <<'PY'
import concurrent.futures, gzip, http.client, socket, sys, threading, time, urllib.parse

url, vpid = sys.argv[1], int(sys.argv[2])
u = urllib.parse.urlsplit(url)
HOST, PORT = u.hostname, u.port
passed = failed = 0


def ok(msg):
    global passed
    passed += 1
    print("ok   -", msg, flush=True)


def bad(msg):
    global failed
    failed += 1
    print("FAIL -", msg, flush=True)


def status_kib(field):
    for line in open(f"/proc/{vpid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1


def scrape(i):
    """One scrape on a connection of its own: (error or None, seconds, body bytes)."""
    headers = {}
    if i % 4 == 0:
        headers["Accept-Encoding"] = "gzip"
    om = i % 5 == 0
    if om:
        headers["Accept"] = "application/openmetrics-text;version=1.0.0"
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection(HOST, PORT, timeout=20)
        c.request("GET", "/metrics", headers=headers)
        r = c.getresponse()
        body = r.read()  # raises IncompleteRead when short of Content-Length
        length = r.getheader("Content-Length")
        c.close()
    except Exception as e:
        return f"scrape {i}: {type(e).__name__}: {e}", time.monotonic() - t0, 0
    dt = time.monotonic() - t0
    if r.status != 200:
        return f"scrape {i}: status {r.status}", dt, len(body)
    if length is None or int(length) != len(body):
        return f"scrape {i}: Content-Length {length}, body {len(body)}", dt, len(body)
    if r.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    text = body.decode()
    end = "# EOF\n" if om else None
    if om and not text.endswith("# EOF\n"):
        return f"scrape {i}: OpenMetrics without # EOF", dt, len(body)
    if not om and not text.rstrip("\n").split("\n")[-1].startswith("vigil_exported_processes "):
        return f"scrape {i}: the body does not end with the last family", dt, len(body)
    if "\nvigil_up 1\n" not in text:
        return f"scrape {i}: no vigil_up", dt, len(body)
    return None, dt, len(body)


stop = threading.Event()
slow_log = []  # (kind, seconds held, how it ended)


def slow_sender(k):
    """Sends a request one byte a second (a request line, then an endless header)."""
    s = socket.create_connection((HOST, PORT))
    req = b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 4096
    t0 = time.monotonic()
    how = "still open at the end"
    s.settimeout(1.0)
    for b in req:
        if stop.is_set():
            break
        try:
            s.send(bytes([b]))
            if s.recv(1) == b"":  # a close reads as the end; a timeout as nothing yet
                how = "closed by the server"
                break
            how = "answered"
            break
        except socket.timeout:
            pass
        except OSError as e:
            how = f"closed by the server ({e.__class__.__name__})"
            break
    slow_log.append(("one byte a second", time.monotonic() - t0, how))
    s.close()


def slow_reader(k):
    """Sends a whole request and then reads nothing (a small receive buffer)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect((HOST, PORT))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    stop.wait()
    s.close()


def silent(k):
    """Connects and says nothing."""
    s = socket.create_connection((HOST, PORT))
    stop.wait()
    s.close()


def server_connections():
    """Connections the server holds open on its port (ESTABLISHED, its side)."""
    n = 0
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(path).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].split(":")[1], 16) == PORT and f[3] == "01":
                n += 1
    return n


def wait_connections(n):
    """Until the server's side holds n connections (10 s at most): the clients are in."""
    end = time.monotonic() + 10
    while server_connections() < n and time.monotonic() < end:
        time.sleep(0.05)


def oversized(kind):
    s = socket.create_connection((HOST, PORT), timeout=10)
    if kind == "headers":
        req = b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"".join(
            b"X-Big-%d: %s\r\n" % (i, b"b" * 1000) for i in range(40)) + b"\r\n"
    else:
        req = b"GET /metrics?" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    try:
        s.sendall(req)
    except OSError:
        pass  # closed while we sent: refused
    try:
        data = s.recv(200)
    except OSError as e:
        data = b""
    s.close()
    if not data:
        return "closed"
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    return line


# Let a first sample be published.
for _ in range(100):
    if scrape(1)[0] is None:
        break
    time.sleep(0.1)

slow = [threading.Thread(target=slow_sender, args=(k,)) for k in range(8)]
slow += [threading.Thread(target=slow_reader, args=(k,)) for k in range(2)]
slow += [threading.Thread(target=silent, args=(k,)) for k in range(2)]
slow_started = time.monotonic()
for t in slow:
    t.start()
wait_connections(len(slow))  # they hold their connections now

rss = []
for round_ in (1, 2):
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(scrape, range(1000)))
    wall = time.monotonic() - t0
    errors = [e for e, _, _ in results if e]
    times = sorted(dt for _, dt, _ in results)
    sizes = [n for _, _, n in results]
    figures = (f"{wall:.1f} s, {1000 / wall:.0f} scrapes/s, median {times[500] * 1000:.1f} ms, "
               f"slowest {times[-1] * 1000:.0f} ms, bodies {min(sizes)}-{max(sizes)} bytes")
    if not errors:
        ok(f"round {round_}: 1000 scrapes from 50 clients, all 200 with the whole body ({figures})")
    else:
        bad(f"round {round_}: {len(errors)} of 1000 failed, e.g. {errors[:3]} ({figures})")
    if times[-1] < 5:
        ok(f"round {round_}: the slow clients held no scrape (slowest {times[-1]:.2f} s)")
    else:
        bad(f"round {round_}: a scrape took {times[-1]:.2f} s beside the slow clients")
    for kind in ("headers", "url"):
        got = oversized(kind)
        if got == "closed" or any(c in got for c in (" 400 ", " 413 ", " 414 ", " 431 ")):
            ok(f"round {round_}: oversized {kind}: {got}")
        else:
            bad(f"round {round_}: oversized {kind}: '{got}'")
    rss.append(status_kib("VmRSS"))

e, _, _ = scrape(0)
if e is None:
    ok("still serving after the oversized requests")
else:
    bad(f"after the oversized requests: {e}")

# The slow clients: the server closes each within its deadline (10 s from the start of
# the request, whatever the client sends meanwhile), with slack: once the scrapes are
# done, the connections it holds on its port are theirs, and must fall to none.
held = server_connections()
while server_connections() > 0 and time.monotonic() < slow_started + 20:
    time.sleep(0.2)
left, after = server_connections(), time.monotonic() - slow_started
stop.set()
for t in slow:
    t.join()
for kind, secs, how in sorted(slow_log):
    print(f"# slow client ({kind}): {how} after {secs:.1f} s")
if left == 0:
    ok(f"the {len(slow)} slow clients' connections ({held} after the scrapes) closed by the "
       f"server {after:.1f} s after they began")
else:
    bad(f"{left} connections of slow clients still open {after:.1f} s after they began")

# More clients sending a byte a second than the server takes connections (64): a scrape
# must get through once the deadline cuts them (10 s), not wait as long as they send.
stop.clear()
slow_log.clear()
flood = [threading.Thread(target=slow_sender, args=(k,)) for k in range(70)]
for t in flood:
    t.start()
wait_connections(64)  # the server's connections are all taken
t0 = time.monotonic()
e, _, _ = scrape(1)
took = time.monotonic() - t0
if e is None and took < 15:
    ok(f"70 clients sending a byte a second: a scrape answered in {took:.1f} s")
else:
    bad(f"70 clients sending a byte a second: {e or 'answered'} after {took:.1f} s")
stop.set()
for t in flood:
    t.join()

hwm = status_kib("VmHWM")
print(f"# vigil VmHWM {hwm} KiB ({hwm / 1024:.1f} MiB), VmRSS after round 1 {rss[0]} KiB, "
      f"after round 2 {rss[1]} KiB", flush=True)
if sys.argv[3] == "1":
    print("# a sanitizer build: its memory figures are not vigil's; not judged", flush=True)
elif 0 < hwm <= 32 * 1024:
    ok(f"peak RSS {hwm / 1024:.1f} MiB <= 32 MiB")
else:
    bad(f"peak RSS {hwm / 1024:.1f} MiB > 32 MiB")
if sys.argv[3] == "1":
    pass
elif abs(rss[1] - rss[0]) <= 2048:
    ok(f"memory flat: {rss[0]} KiB then {rss[1]} KiB")
else:
    bad(f"memory grew: {rss[0]} KiB then {rss[1]} KiB")
print(f"passed {passed}, failed {failed}")
sys.exit(1 if failed else 0)
PY
st=$?
kill -0 "$vpid" 2>/dev/null || { echo "FAIL - vigil ended: $(cat "$tmp/err")"; st=1; }
exit $st
