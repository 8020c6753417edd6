"""`d9-rules`: the CloudGuard rule D9.AWS.NET.49 (SageMaker notebook instances must not have direct internet
access) for Checkov and Prowler.

Checkov (infrastructure as code): `checkov-scan` runs Checkov with only this rule over files and folders (the
pre-commit hook), `audit` names the notebooks a Checkov JSON report has no verdict for, `export checkov` writes
the check folder to commit or share (`--sign` for Checkov's signed external checks).
Prowler (live accounts): `prowler-org` runs Prowler with this rule in many accounts and merges the findings,
`export prowler` writes the check folder for `prowler --checks-folder`.
Both: `correlate` joins Checkov's and Prowler's reports per notebook; `checkov-dir`, `prowler-dir`,
`metadata-dir` and `docs-dir` print the installed folders."""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from d9_rules import install_hint, inventory, location, version



def _rule_data() -> object:
    """The rule data generated into the check folder from metadata/ (one definition of the Checkov ID,
    title and frameworks)."""
    path = location("checkov") / "d9_aws_net_49_rule_data.py"
    spec = importlib.util.spec_from_file_location("d9_rules_checkov_rule_data", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"d9-rules: cannot read {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def checkov_frameworks() -> list[str]:
    """The Checkov frameworks that can carry a notebook (metadata/ engines.checkov.frameworks). Only these
    run: faster, and Checkov's generic json framework aborts the whole scan on a JSON nested deeper than
    Python's recursion limit."""
    return list(_rule_data().CHECKOV_FRAMEWORKS)  # type: ignore[attr-defined]


# Terraform variable files: Checkov reads them only as part of their folder, never with -f.
VARIABLE_FILES = (".tfvars", ".tfvars.json")


def _chart_root(folder: Path) -> Path | None:
    """The nearest folder, from `folder` up, holding a Helm chart's Chart.yaml; not above the working
    directory when `folder` is inside it."""
    cwd = Path.cwd().resolve()
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Chart.yaml").is_file():
            return Path(os.path.relpath(candidate)) if candidate.is_relative_to(cwd) else candidate
        if candidate == cwd:
            return None
    return None


def _plan(paths: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(folders for `-d`, files for `-f`, problems). Each given file's folder is scanned whole (`-d`),
    because a Terraform file alone lacks the variables, locals and module calls declared next to it.
    Checkov's `-d` never skips the folder it is given, even a hidden one, but it skips every entry
    below it whose name starts with a dot (CKV_IGNORE_HIDDEN_DIRECTORIES): a given file with such a
    name is therefore also scanned on its own (`-f`). A file inside a Helm chart also brings the chart's
    root folder (the nearest one with Chart.yaml, not above the working directory), which Checkov's helm
    framework needs to render the chart."""
    folders: dict[str, None] = {}
    files: dict[str, None] = {}
    problems = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            folders[str(path)] = None
        elif path.is_file():
            folders[str(path.parent)] = None
            chart = _chart_root(path.parent)
            if chart is not None:
                folders[str(chart)] = None
            if path.name.startswith(".") and not path.name.endswith(VARIABLE_FILES):
                files[str(path)] = None
        else:
            problems.append(f"{given}: no such file")
    if not paths:
        folders["."] = None
    return list(folders), list(files), problems


def _documents(text: str) -> list[Any]:
    """Checkov prints one JSON document per `-d` folder (a summary alone when nothing was found)."""
    decoder, position, found = json.JSONDecoder(), 0, []
    while True:
        starts = [i for i in (text.find("{", position), text.find("[", position)) if i >= 0]
        if not starts:
            return found
        try:
            document, position = decoder.raw_decode(text, min(starts))
        except ValueError:
            position = min(starts) + 1
            continue
        found.append(document)


def _real(path: str) -> str:
    return os.path.realpath(path)


def _record_path(absolute: str | None, relative: str | None, root: str) -> str:
    """The real path of a reported file. Checkov 3.3.30's file_abs_path is not always absolute or right (the
    kubernetes framework repeats the scanned folder in it); file_path is relative to -d, or to the working
    directory: the first candidate that exists wins."""
    candidates = [c for c in (absolute, relative) if c]
    for candidate in [*candidates, *(os.path.join(base, c.lstrip("/")) for c in candidates for base in (root, "."))]:
        if os.path.isfile(candidate):
            return _real(candidate)
    return _real(candidates[0]) if candidates else "?"


def _shown(path: str) -> str:
    """The user's own path: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class Scan:
    """What one or more Checkov runs (`-o json`) reported: the rule's results and the parsing errors."""

    def __init__(self) -> None:
        self.records: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.parsing_errors: set[str] = set()
        self.checkov_id = _rule_data().CHECKOV_ID  # type: ignore[attr-defined]

    def add(self, stdout: str, root: str = ".") -> bool:
        """`root`: the folder given to that run's -d (file paths in the report are relative to it)."""
        documents = _documents(stdout)
        for document in documents:
            for report in document if isinstance(document, list) else [document]:
                results = report.get("results") if isinstance(report, dict) else None
                if not isinstance(results, dict):
                    continue  # a summary alone: nothing scanned in that folder
                self.parsing_errors.update(_record_path(p, None, root) for p in results.get("parsing_errors") or [])
                for bucket in ("failed_checks", "passed_checks", "skipped_checks"):
                    for record in results.get(bucket) or []:
                        if record.get("check_id") != self.checkov_id:
                            continue
                        path = _record_path(record.get("file_abs_path"), record.get("file_path"), root)
                        lines = tuple(record.get("file_line_range") or ())
                        # one key per result: a file scanned by two runs (nested folders) is reported once
                        self.records[(path, lines, record.get("resource"))] = {
                            **record, "check_type": record.get("check_type") or report.get("check_type"), "_path": path}
        return bool(documents)

    def verdicts(self, result: str) -> list[dict[str, Any]]:
        return [r for r in self.records.values() if r["check_result"]["result"] == result]

    def frameworks(self) -> list[str]:
        """The frameworks with results, in a stable order: the rule's framework list (metadata/), then any other
        by name (Checkov's own report order varies from run to run)."""
        found = {str(r.get("check_type")) for r in self.records.values()}
        order = checkov_frameworks()
        return [f for f in order if f in found] + sorted(found - set(order))

    def by_framework(self, framework: str) -> list[dict[str, Any]]:
        return sorted((r for r in self.records.values() if str(r.get("check_type")) == framework),
                      key=lambda r: (r["_path"], r.get("file_line_range") or [0], str(r.get("resource"))))

    def counts(self, framework: str) -> str:
        results = [r["check_result"]["result"] for r in self.by_framework(framework)]
        return ", ".join(f"{results.count(v)} {v.lower()}" for v in ("PASSED", "FAILED", "SKIPPED"))

    def print(self) -> None:
        """Checkov's compact CLI layout, with the user's paths (Checkov shows them relative to each -d), one
        framework after the other in the order of frameworks()."""
        for record in (r for framework in self.frameworks() for r in self.by_framework(framework)):
            result = record["check_result"]
            lines = record.get("file_line_range") or [0, 0]
            print(f'Check: {record.get("check_id")}: "{record.get("check_name")}"')
            print(f"\t{result['result']} for resource: {record.get('resource')}")
            if record.get("severity"):
                print(f"\tSeverity: {record['severity']}")
            for detail in record.get("details") or []:
                print(f"\tDetails: {detail}")
            if result.get("suppress_comment"):
                print(f"\tSuppress comment: {result['suppress_comment']}")
            print(f"\tFile: {_shown(record['_path'])}:{lines[0]}-{lines[-1]}")
            caller, file_path = record.get("caller_file_path"), record.get("file_path") or ""
            if caller and record["_path"].endswith(file_path):
                root = record["_path"][:len(record["_path"]) - len(file_path)]
                caller_lines = record.get("caller_file_line_range") or [0, 0]
                print(f"\tCalling File: {_shown(_real(root + caller))}:{caller_lines[0]}-{caller_lines[-1]}")
            if record.get("guideline"):
                print(f"\tGuide: {record['guideline']}")


def _run_all(commands: list[list[str]]) -> list[tuple[str, str, int]]:
    """(stdout, stderr, exit code) of each command, in order; as many at a time as there are CPUs."""
    def one(command: list[str]) -> tuple[str, str, int]:
        process = subprocess.run(command, capture_output=True, text=True)
        return process.stdout, process.stderr, process.returncode

    with ThreadPoolExecutor(max_workers=max(1, min(len(commands), os.cpu_count() or 1))) as pool:
        return list(pool.map(one, commands))


def _hidden_below(path: str, given: list[str]) -> bool:
    """Whether `path` lies in a given folder under a name starting with a dot (which Checkov's -d skips)."""
    for folder in (os.path.realpath(g) for g in given if os.path.isdir(g)):
        if path.startswith(os.path.join(folder, "")):
            return any(part.startswith(".") for part in Path(os.path.relpath(path, folder)).parts)
    return False


def report_unjudged(missing: list[tuple[Any, str]], not_created: list[Any], unreadable: dict[str, str],
                    checkov_id: str, title: str) -> list[dict[str, Any]]:
    """Print, in Checkov's compact layout, every inventoried notebook without a verdict (FAILED, not judged),
    the notebooks Terraform would not create, and the files the inventory could not read; returns the
    not-judged findings as JSON records."""
    records = []
    for declared, why in missing:
        resource = inventory.resource_name(declared)
        print(f'Check: {checkov_id}: "{title}"')
        print(f"\tFAILED for resource: {resource}")
        print(f"\tDetails: not judged: {why}")
        print(f"\tFile: {_shown(declared.path)}:{declared.line}")
        records.append({"check_id": checkov_id, "resource": resource, "file_abs_path": declared.path,
                        "line": declared.line, "result": "FAILED", "details": [f"not judged: {why}"],
                        "judged_by": "d9-rules inventory (no Checkov verdict)"})
    for declared in not_created:
        print(f"d9-rules: note: {inventory.resource_name(declared)} in {_shown(declared.path)}:{declared.line} "
              f"has count = 0: Terraform does not create it")
    for path, why in sorted(unreadable.items()):
        print(f"d9-rules: {_shown(path)} {why}: a notebook it declares could not be looked for", file=sys.stderr)
    return records


def checkov_scan(paths: list[str], json_output: Path | None = None) -> int:
    """Checkov with only this rule over every given file, whatever its name. Exit 0 when every notebook
    passes, 1 when one fails, a given file could not be parsed, or a notebook the inventory finds in the given
    paths got no verdict (not judged), 2 when Checkov could not run."""
    checkov = shutil.which("checkov", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if not checkov:
        print(f"d9-rules: checkov is not installed (install it in this environment: {install_hint('checkov')})", file=sys.stderr)
        return 2
    found = inventory.scan(paths or ["."])
    # notebooks under hidden names inside a given folder: scanned as if given (their folder, and the file itself)
    hidden = sorted({d.path for d in found.declared if d.kind not in ("helm", "kustomize") and _hidden_below(d.path, paths)})
    folders, hidden_files, problems = _plan([*paths, *(_shown(p) for p in hidden)] if hidden else paths)
    for problem in problems:
        print(f"d9-rules: {problem}", file=sys.stderr)
    if problems:
        return 2
    # No --quiet: it would drop the passed notebooks from the report. Checkov's own exit code is not
    # used: a configuration file (.checkov.yaml soft-fail) could turn it to 0 with a failed notebook.
    checkov_id = _rule_data().CHECKOV_ID  # type: ignore[attr-defined]
    command = [checkov, "--external-checks-dir", str(location("checkov")), "--check", checkov_id,
               "--framework", *checkov_frameworks(), "--skip-download", "-o", "json"]
    # One folder per Checkov run: with several -d in one run, Checkov's thread mode (its default on macOS and
    # Windows) drops some of the folders without a word.
    runs = [[*command, "-d", folder] for folder in folders]
    if hidden_files:
        runs.append([*command, "-f", *hidden_files])
    scan = Scan()
    failed_to_run = False
    for run, (stdout, stderr, returncode) in zip(runs, _run_all(runs)):
        root = run[run.index("-d") + 1] if "-d" in run else "."
        sys.stderr.write(stderr)
        if "Cannot load external check" in stderr:
            # Checkov skips a check file that fails to import and reports nothing for its ID: never a pass
            print(f"d9-rules: Checkov could not load the rule from {location('checkov')}; no notebook was judged",
                  file=sys.stderr)
            failed_to_run = True
        if not scan.add(stdout, root) or returncode not in (0, 1):
            print(f"d9-rules: checkov exited {returncode} without a report: {' '.join(run)}", file=sys.stderr)
            failed_to_run = True
    scan.print()
    given = {_real(p) for p in paths}
    given_folders = tuple(os.path.join(p, "") for p in given if os.path.isdir(p))
    unparsed = sorted(p for p in scan.parsing_errors if p in given or p.startswith(given_folders))
    for path in unparsed:
        print(f"d9-rules: Checkov could not parse {_shown(path)}: its notebooks were not judged", file=sys.stderr)
    others = sorted(scan.parsing_errors - set(unparsed))
    if others:
        print("d9-rules: note: Checkov could not parse these other files in the scanned folders: "
              + ", ".join(_shown(p) for p in others), file=sys.stderr)
    missing, not_created = inventory.unjudged(found, [(r, r["_path"]) for r in scan.records.values()],
                                              scan.parsing_errors, inventory.renderers())
    unjudged_records = report_unjudged(missing, not_created, found.unreadable, checkov_id,
                                       _rule_data().TITLE)  # type: ignore[attr-defined]
    failed, passed = len(scan.verdicts("FAILED")), len(scan.verdicts("PASSED"))
    for framework in scan.frameworks():
        print(f"d9-rules: {checkov_id} {framework}: {scan.counts(framework)}")
    print(f"d9-rules: {checkov_id} total: {passed} passed, {failed} failed, {len(missing)} not judged, "
          f"{len(scan.verdicts('SKIPPED'))} skipped; {len(unparsed)} given file(s) not parsed")
    if json_output is not None:
        # file_abs_path corrected: Checkov's is relative, or wrong, for some frameworks (see _record_path)
        checkov_records = [{**{k: v for k, v in r.items() if k != "_path"}, "file_abs_path": r["_path"]}
                           for r in scan.records.values()]
        json_output.write_text(json.dumps({"check_id": checkov_id, "checkov": checkov_records,
                                           "not_judged": unjudged_records,
                                           "unreadable": found.unreadable}, indent=1, default=str) + "\n")
    if failed_to_run:
        return 2
    return 1 if failed or unparsed or missing or found.unreadable else 0


def audit(report: Path, root: Path, json_output: Path | None = None) -> int:
    """The notebooks declared under `root` that Checkov's JSON `report` (`checkov -o json`) has no verdict
    for. Exit 0 when every one has a verdict, 1 when one has none or a file could not be read, 2 when the
    report cannot be read."""
    scan = Scan()
    try:
        text = report.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"d9-rules audit: cannot read {report}: {exc}", file=sys.stderr)
        return 2
    # a report made elsewhere (another checkout path, a container) is read relative to --root
    if not scan.add(text, str(root)):
        print(f"d9-rules audit: {report} holds no Checkov JSON report (checkov -o json)", file=sys.stderr)
        return 2
    found = inventory.scan([str(root)])
    missing, not_created = inventory.unjudged(found, [(r, r["_path"]) for r in scan.records.values()],
                                              scan.parsing_errors)
    checkov_id = _rule_data().CHECKOV_ID  # type: ignore[attr-defined]
    records = report_unjudged(missing, not_created, found.unreadable, checkov_id,
                              _rule_data().TITLE)  # type: ignore[attr-defined]
    if json_output is not None:
        json_output.write_text(json.dumps({"check_id": checkov_id, "not_judged": records,
                                           "unreadable": found.unreadable}, indent=1) + "\n")
    judged = sum(1 for d in found.declared if d.created) - len(missing)
    print(f"d9-rules audit: {len(found.declared)} declaration(s) found under {root}; {len(missing)} without a verdict "
          f"in {report}, {len(found.unreadable)} file(s) unreadable; {judged} judged")
    return 1 if missing or found.unreadable else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="d9-rules", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"d9-rules {version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for kind, text in (("checkov-dir", "folder for checkov --external-checks-dir"),
                       ("prowler-dir", "folder for prowler --checks-folder"),
                       ("metadata-dir", "folder of the rule metadata"),
                       ("docs-dir", "folder of the rule page")):
        sub.add_parser(kind, help=text)
    scan = sub.add_parser("checkov-scan", help="run Checkov with only this rule over the given files "
                                               "(hidden ones included) and their folders")
    scan.add_argument("paths", nargs="*", help="files and folders to scan (default: the current folder)")
    scan.add_argument("--json", type=Path, metavar="FILE", dest="json_output",
                      help="also write the results, the notebooks not judged included, as JSON")
    auditor = sub.add_parser("audit", help="name the notebooks declared under --root that a Checkov JSON report "
                                           "has no verdict for (exit 1 when there are any)")
    auditor.add_argument("--checkov-report", type=Path, required=True, help="the output of checkov -o json")
    auditor.add_argument("--root", type=Path, required=True, help="the folder Checkov scanned")
    auditor.add_argument("--json", type=Path, metavar="FILE", dest="json_output",
                         help="also write the notebooks without a verdict as JSON")
    exporter = sub.add_parser("export", help="write the check folder a user commits: "
                                             "`export checkov DIR` (for --external-checks-dir) or `export prowler DIR`")
    exporter.add_argument("kind", choices=["checkov", "prowler"], help="which engine's check folder")
    exporter.add_argument("destination", type=Path, help="the folder to write into (created if missing)")
    exporter.add_argument("--sign", type=Path, metavar="PRIVATE_KEY_PEM",
                          help="checkov only: end each .py with the trailer --external-checks-public-key verifies")
    exporter.add_argument("--force", action="store_true", help="replace files of ours that differ (an older export)")
    from d9_rules.org_scan import add_parser as add_prowler_org
    add_prowler_org(sub)
    from d9_rules.correlate import add_parser as add_correlate
    add_correlate(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "prowler-org":
        return args.prowler_org(args)
    if args.command == "correlate":
        return args.correlate(args)
    if args.command == "checkov-scan":
        return checkov_scan(args.paths, args.json_output)
    if args.command == "audit":
        return audit(args.checkov_report, args.root, args.json_output)
    if args.command == "export":
        from d9_rules.export import ExportError, export
        try:
            key = args.sign.read_bytes() if args.sign else None
            for line in export(args.kind, args.destination, key_pem=key, force=args.force):
                print(line)
        except (ExportError, OSError) as exc:
            print(f"d9-rules export: {exc}", file=sys.stderr)
            return 1
        return 0
    print(location(args.command.removesuffix("-dir")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
