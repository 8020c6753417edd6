"""The README's code blocks, by the id in the `<!-- doc-test: ID -->` comment before each, for the tests that run
them exactly as written; and the blocks no test runs here, each with the reason."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from rule import ROOT

README = ROOT / "README.md"
LABELLED = re.compile(r"<!-- doc-test: (?P<id>[\w-]+) -->\n```(?P<lang>\w+)\n(?P<body>.*?)^```", re.S | re.M)
FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.S | re.M)
SHELL = ("sh", "bash", "shell", "console")

# Blocks that cannot run on these machines: what they need, and what is tested instead.
NOT_RUN = {
    "clone": "needs the host where you keep the repository (example.invalid is a placeholder); the tests copy the "
             "checkout into a folder named d9-aws-net-49 instead",
    "prowler-app": "needs a Docker engine and a registry, which these machines do not have; the SDK calls the App "
                   "makes are tested in tests/bundle/test_prowler_app.py",
    "correlate-sample": "its inputs are the crafted scenario of tests/bundle/test_correlate.py, which runs correlate "
                        "on them and compares the output with the sample block after it",
}
# Blocks run as written by tests that find them by their own marker: (test file, the marker it reads).
RUN_ELSEWHERE = {
    "many-accounts": ("tests/bundle/test_prowler_org_scan.py", "### Many accounts"),
    "hidden-files": ("tests/bundle/test_pre_commit_hidden_files.py", "CKV_IGNORE_HIDDEN_DIRECTORIES=false checkov"),
}
EXIT = "::d9-doc-test-exit"


def blocks(text: str | None = None) -> dict[str, tuple[str, str]]:
    """{id: (language, body)} of every labelled block."""
    found: dict[str, tuple[str, str]] = {}
    for match in LABELLED.finditer(README.read_text() if text is None else text):
        assert match.group("id") not in found, f"two README blocks are labelled {match.group('id')}"
        found[match.group("id")] = (match.group("lang"), match.group("body"))
    return found


def block(block_id: str) -> str:
    return blocks()[block_id][1]


def commands(body: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comment-only and blank lines left out."""
    joined = body.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def run_block(block_id: str, cwd: Path, env: dict[str, str], timeout: int = 1800) -> list[tuple[str, int, str]]:
    """Run a shell block as written, its commands one after the other in one bash (so `.`/`cd` carry over);
    returns (command, exit code, its stdout) per command. stderr goes to the last element's caller via the
    exception text when a command's exit code is not what the test expects."""
    script = "".join(f"{command}\necho \"{EXIT} $?\"\n" for command in commands(block(block_id)))
    process = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    results, output = [], process.stdout
    for command in commands(block(block_id)):
        before, marker, output = output.partition(f"{EXIT} ")
        assert marker, f"{block_id}: bash stopped before {command!r}\n{process.stderr[-3000:]}"
        code, _, output = output.partition("\n")
        results.append((command, int(code), before))
    run_block.last_stderr = process.stderr  # type: ignore[attr-defined]
    return results


def assert_exit_codes(results: list[tuple[str, int, str]], expected: list[int]) -> None:
    got = [code for _, code, _ in results]
    assert got == expected, "\n".join(f"exit {code}: {command}\n{out[-1500:]}" for command, code, out in results) \
        + "\n" + getattr(run_block, "last_stderr", "")[-4000:]
