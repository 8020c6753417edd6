"""Runs the checkov console script's body (`sys.exit(Checkov().run())`) several times in one interpreter: Checkov
is imported once (~4 s of CPU), then each run is a forked child with its own arguments, stdout and stderr, so
each run starts from the same freshly imported state as a `checkov` process and loads its external checks anew.

Used where many runs differ only in the check folder they load (mutants of a copy of checkov_checks/); the
plain `checkov` CLI route is tested by checkov_harness.scan. Usage: python checkov_forks.py RUNS.json, where
RUNS.json is a list of {"argv": [...], "stdout": path, "stderr": path}; prints the exit codes as a JSON list."""
from __future__ import annotations

import json
import os
import sys
import warnings


def _child(argv: list[str], stdout: str, stderr: str) -> None:
    for fd, path in ((1, stdout), (2, stderr)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    code = 2
    try:
        from checkov.main import Checkov

        sys.argv = ["checkov", *argv]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=SyntaxWarning)
            code = Checkov(argv=list(argv)).run()  # its default argv was bound when checkov.main was imported
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - the traceback goes to the run's stderr, the exit code says it failed
        import traceback

        traceback.print_exc()
        code = 2
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)


def main() -> None:
    runs = json.loads(open(sys.argv[1], encoding="utf-8").read())
    import checkov.main  # noqa: F401 - imported once, before the forks

    codes = []
    for run in runs:
        pid = os.fork()
        if pid == 0:
            _child(run["argv"], run["stdout"], run["stderr"])
        _, status = os.waitpid(pid, 0)
        codes.append(os.waitstatus_to_exitcode(status))
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
