"""Run ``safeguard validate PATH`` for many corpus entries, each in its own bounded process.

Used by tests/test_corpus.py: ``python tests/_corpus_runner.py < jobs.json > results.json``.

Starting a fresh interpreter per entry costs about 0.25 s, mostly imports; for 200 entries
that dominates the test. So this runner imports the command line once, then *forks* one child
per entry. Each child sets its own bounds (address space and CPU time), sends its standard
output and error to files, and runs the same entry point as the ``safeguard`` console script
with ``validate PATH``. The parent waits for it with a wall-clock timeout (a blocked read
uses no CPU) and reports its exit status, CPU time and peak memory (``wait4``).

The runner itself is single-threaded, so forking it is safe.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import traceback
from typing import Any


def _child(job: dict[str, Any]) -> None:
    """In the forked child: bounds, redirections, then the CLI. Never returns."""
    code = 98
    try:
        limit = int(job["memory_limit"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(job["cpu_limit"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(err, 2)
        from safeguard_standards_cli import main

        sys.argv = ["safeguard", "validate", job["path"]]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # anything escaping the CLI is what the test looks for
        traceback.print_exc()
        code = 99
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _run(job: dict[str, Any]) -> dict[str, Any]:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _child(job)
    deadline = time.monotonic() + float(job["wall_timeout"])
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.005)
    if os.WIFEXITED(status):
        returncode = os.WEXITSTATUS(status)
    else:
        returncode = -os.WTERMSIG(status)
    return {
        "name": job["name"],
        "returncode": returncode,
        "timed_out": timed_out,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss_bytes": usage.ru_maxrss * 1024,
    }


def main() -> None:
    """Read the jobs (JSON on stdin), run them one after another, print the results."""
    jobs = json.load(sys.stdin)
    # Import and build what every validate run needs before forking (the compiled schema
    # validators), so that each child pays only for its own input, as in a warm process.
    # tests/test_corpus.py also runs a sample of entries in brand-new interpreters.
    from safeguard_standards import check_text

    check_text("dsl: 1\nid: x\nwarm: up\n", "warm-up")
    import safeguard_standards_cli  # noqa: F401

    results = [_run(job) for job in jobs]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
