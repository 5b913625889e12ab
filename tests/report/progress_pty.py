#!/usr/bin/env python3
"""progress_pty.py BTRACE GEN_TRACE - btrace report's progress (issue 18
part 5): phases and percent on stderr when stderr is a terminal, nothing
when it is not, nothing with -q.

The terminal is a pseudo-terminal (python's pty module): btrace report's
stderr is the pty's slave, its stdout a file, so the progress is told
apart from the summary.  Checks the content of what was drawn, never how
long anything took."""
import os
import pty
import re
import subprocess
import sys
import tempfile

btrace, gen = sys.argv[1], sys.argv[2]
failed = 0


def check(ok, what):
    global failed
    print(("ok " if ok else "FAIL ") + what)
    if not ok:
        failed += 1


def run_pty(args, out_path):
    """Runs btrace ARGS with stderr on a pty; returns what it drew."""
    master, slave = pty.openpty()
    with open(out_path, "wb") as out:
        p = subprocess.Popen([btrace] + args, stdin=subprocess.DEVNULL,
                             stdout=out, stderr=slave,
                             env=dict(os.environ, BTRACE_HISTORY="0"))
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the slave side is closed
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    check(p.wait() == 0, "btrace %s exits 0" % " ".join(args[:2]))
    return got.decode("utf-8", "replace")


with tempfile.TemporaryDirectory() as d:
    trace = os.path.join(d, "trace")
    subprocess.run([gen, "-o", trace, "-p", "300", "-s", "20000",
                    "--seed", "7"], check=True, stdout=subprocess.DEVNULL)

    # On a terminal: every phase, its percent rising to 100, each redraw
    # on the same line, and the line cleared before the report's lines.
    tty = run_pty(["report", "-o", os.path.join(d, "r1"), trace],
                  os.path.join(d, "out1"))
    draws = re.findall(r"\rbtrace report: ([a-z ]+?) +(\d+)% \((\d+)/(\d+)\)",
                       tty)
    phases = []
    for ph, _, _, _ in draws:
        if not phases or phases[-1] != ph:
            phases.append(ph)
    check(phases == ["reading the trace", "profile", "writing the report"],
          "phases in order: %s" % phases)
    for ph in set(phases):
        pcts = [int(p) for q, p, _, _ in draws if q == ph]
        check(pcts == sorted(pcts) and len(set(pcts)) == len(pcts),
              "%s: percent rises, one redraw each (%d draws)" % (ph, len(pcts)))
        check(len(pcts) >= 2, "%s: more than one step" % ph)
    files = [int(t) for q, _, _, t in draws if q == "reading the trace"]
    check(files and files[0] == len(os.listdir(trace)),
          "reading counts the trace's files: %s" % (files[:1],))
    writes = [(int(n), int(t)) for q, _, n, t in draws
              if q == "writing the report"]
    check(writes and writes[0][1] >= 6, "writing counts the outputs")
    last = tty.rfind("\r\x1b[K")
    check(last >= 0 and "btrace report: open " in tty[last:],
          "the line is cleared before the report's own lines")
    check(tty.rstrip().endswith("report.html"),
          "the report.html path is printed last: ..." + tty.rstrip()[-40:])
    with open(os.path.join(d, "out1")) as f:
        check("%" not in f.read().split("\n")[0] and True,
              "stdout has no progress")

    # -q on a terminal: no progress.
    quiet = run_pty(["report", "-q", "-o", os.path.join(d, "r2"), trace],
                    os.path.join(d, "out2"))
    check("%" not in quiet and "\r" not in quiet.replace("\r\n", "\n"),
          "-q: no progress")

    # Not a terminal: no progress.
    p = subprocess.run([btrace, "report", "-o", os.path.join(d, "r3"), trace],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=dict(os.environ, BTRACE_HISTORY="0"))
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 0 and "\r" not in err and "%" not in err,
          "stderr not a terminal: no progress")

sys.exit(1 if failed else 0)
