"""Run ``minigrad`` command lines, each in its own process, fast: a fork server for the CLI tests.

Started once as ``python tests/cli_runner.py`` (with the repository on PYTHONPATH), it
imports the command line and the libraries its commands load, then serves requests
read from stdin, one JSON object a line::

    {"args": ["graph", "a*b", "-o", "g.svg"], "cwd": "/tmp/x", "timeout": 60}

For each it forks a child that runs ``cli.main(args)`` in ``cwd`` with its own
stdout and stderr, waits for it at most ``timeout`` seconds (then kills it), and
answers with one JSON line ``{"status": N, "stderr": "...", "stdout": "..."}``
(``status`` is the exit status, or ``"timeout"``). A child is a real process with
a real exit status -- a crash, a hang or a stray write cannot touch the server --
but it starts in milliseconds, because the imports are already done.
"""

import json
import os
import signal
import sys
import tempfile
import time


def _preload():
    # Python put this file's folder, tests/, first on the path: its packages (tests/viz)
    # would shadow the real ones.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot  # noqa: F401  (the commands import these lazily)

    import cli  # noqa: F401
    import minigrad.train  # noqa: F401
    import viz  # noqa: F401


def _child(args, cwd, out_path, err_path):
    os.chdir(cwd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the server's stdin carries the requests; a command that reads input gets none
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    out = os.open(out_path, os.O_WRONLY | os.O_TRUNC)
    err = os.open(err_path, os.O_WRONLY | os.O_TRUNC)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import cli

    code = 1
    try:
        cli.main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _run(request, scratch):
    out_path, err_path = os.path.join(scratch, "out"), os.path.join(scratch, "err")
    for path in (out_path, err_path):
        open(path, "w").close()
    pid = os.fork()
    if pid == 0:
        try:
            _child(request["args"], request["cwd"], out_path, err_path)
        finally:
            os._exit(1)
    deadline = time.monotonic() + float(request.get("timeout", 60))
    status = None
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
        elif time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = "timeout"
        else:
            time.sleep(0.005)
    with open(out_path, encoding="utf-8", errors="backslashreplace") as f:
        stdout = f.read()
    with open(err_path, encoding="utf-8", errors="backslashreplace") as f:
        stderr = f.read()
    return {"status": status, "stdout": stdout[-4000:], "stderr": stderr[-4000:]}


def main():
    _preload()
    with tempfile.TemporaryDirectory(prefix="minigrad-cli-runner-") as scratch:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            print(json.dumps(_run(json.loads(line), scratch)), flush=True)


if __name__ == "__main__":
    main()
