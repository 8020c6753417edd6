"""Checkov's thread mode (CHECKOV_PARALLELIZATION_TYPE=thread, its default on macOS and Windows) runs the
framework runners in threads of one process, and each runner executes the check folder: the folder must load
concurrently, every time, and give the verdicts of the process mode.

Measured before the loader took a lock: a sibling module was published in sys.modules before it had finished
executing, another runner's thread used it half-built (`AttributeError: ... has no attribute
'install_parse_capture'`), and Checkov then ran that runner without the rule."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from checkov_harness import RULE_FRAMEWORKS, corpus_scan, scan
from rule import CHECKOV_ID, EXAMPLES, FIXTURES, ROOT, annotated_name, declared_names, expected_verdict
from test_verdicts_per_framework import SCENARIOS

sys.path.insert(0, str(ROOT / "tools"))
import k8s_tools  # noqa: E402

sys.path.insert(0, str(ROOT))
from d9_rules.export import export  # noqa: E402

THREAD_MODE = {"CHECKOV_PARALLELIZATION_TYPE": "thread"}
RENDERERS = {"helm": ("helm",), "kustomize": ("kubectl", "kustomize")}  # tools/k8s_tools.py installs them

# Executes the check file in many threads at once, as Checkov's runners do in thread mode (each under its bare
# stem, a module of its own), and prints what each thread got: its siblings' identities, or the error.
CONCURRENT_LOADS = textwrap.dedent("""
    import importlib.util, json, sys, threading
    check_file, threads = sys.argv[1], int(sys.argv[2])
    barrier, got = threading.Barrier(threads), [None] * threads

    def load(index):
        spec = importlib.util.spec_from_file_location("d9_aws_net_49_sagemaker_direct_internet", check_file)
        module = importlib.util.module_from_spec(spec)
        barrier.wait()
        try:
            spec.loader.exec_module(module)
            got[index] = [id(getattr(module, name)) for name in ("siblings", "rule_data", "verdict", "terraform",
                                                               "cloudformation", "kubernetes", "adapter")]
        except BaseException as exc:
            got[index] = f"{type(exc).__name__}: {exc}"

    workers = [threading.Thread(target=load, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(got))
""")


def test_the_folder_loads_concurrently_once_per_process(tmp_path):
    folder = tmp_path / "checks"
    export("checkov", folder)  # a fresh copy: its siblings' names are new to any process
    result = subprocess.run([sys.executable, "-c", CONCURRENT_LOADS, str(folder / "d9_aws_net_49_sagemaker_direct_internet.py"),
                             "16"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout)
    errors = [g for g in got if isinstance(g, str)]
    assert not errors, errors
    assert len({tuple(g) for g in got}) == 1, "a sibling was executed more than once"


def test_a_sibling_that_fails_to_load_is_not_published(tmp_path):
    folder = tmp_path / "checks"
    export("checkov", folder)
    values = folder / "d9_aws_net_49_cloudformation.py"
    values.write_text(values.read_text() + "\nraise RuntimeError('broken on purpose')\n")
    probe = textwrap.dedent("""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("d9_main", sys.argv[1])
        for attempt in range(2):  # the second attempt executes the sibling again: nothing half-built was kept
            try:
                spec.loader.exec_module(importlib.util.module_from_spec(spec))
            except RuntimeError as exc:
                print(exc)
        print(sorted(n for n in sys.modules if n.endswith(".d9_aws_net_49_cloudformation")))
    """)
    result = subprocess.run([sys.executable, "-c", probe, str(folder / "d9_aws_net_49_sagemaker_direct_internet.py")],
                            capture_output=True, text=True, timeout=300)
    assert result.stdout.splitlines() == ["broken on purpose", "broken on purpose", "[]"], result.stderr[-3000:]


# The verdict corpus (test_verdicts_per_framework's scenarios, the kustomize overlays and the helm chart) in ONE
# thread-mode run with every framework of the rule (checkov_harness.corpus_scan): one -d folder (several -d in one thread-mode run make
# Checkov 3.3.30 drop folders, see test_checkov_scan_judges_every_folder_in_thread_mode).
CORPUS = [(folder, framework, suffixes, count) for _, folder, framework, suffixes, count in SCENARIOS] + [
    (FIXTURES / "kustomize", "kustomize", None, 8),
    (FIXTURES / "helm", "helm", None, 2),
]


@pytest.fixture(scope="module")
def thread_mode_corpus():
    corpus = tuple((folder, framework) for folder, framework, _, _ in CORPUS)
    assert sorted({framework for _, framework in corpus}) == sorted(RULE_FRAMEWORKS)  # the run names every framework
    result, found = corpus_scan(corpus, tuple(THREAD_MODE.items()))
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return found


@pytest.mark.parametrize("index", range(len(CORPUS)), ids=[f"{f.name}-{fw}" for f, fw, _, _ in CORPUS])
def test_thread_mode_gives_every_annotated_verdict(thread_mode_corpus, index):
    original, framework, suffixes, count = CORPUS[index]
    if framework in RENDERERS and not any(k8s_tools.available(k8s_tools.with_k8s_tools_on_path())[tool]
                                          for tool in RENDERERS[framework]):
        # a fail, not a skip (as test_kubernetes): a run without the renderer must not pass green
        pytest.fail(f"no {' or '.join(RENDERERS[framework])} on PATH: Checkov skips the {framework} framework")
    findings = thread_mode_corpus[(original, framework)]
    wrong = {f.resource: f.verdict for f in findings if f.verdict != expected_verdict(f.resource)}
    assert not wrong, f"{framework} over {original}: wrong verdicts in thread mode: {wrong}"
    assert len(findings) == count, sorted(f.resource for f in findings)
    if suffixes is not None:
        plan_source = original / "source"
        declared = (declared_names(plan_source, (".tf",)) if plan_source.is_dir()
                    else declared_names(original, suffixes))
        assert {annotated_name(f.resource) for f in findings} == declared
    for finding in findings:
        if finding.verdict == "FAILED":
            assert finding.details, f"{finding.resource} failed without a reason"
        assert not any("could not be evaluated" in d or "source was not found" in d
                       for d in finding.details), (finding.resource, finding.details)


def test_checkov_scan_judges_every_folder_in_thread_mode(monkeypatch, capsys):
    """Given several folders, `d9-rules checkov-scan` runs Checkov once per folder: measured, one thread-mode
    run with `-d examples/terraform -d examples/cloudformation -d examples/kubernetes` reported the Terraform
    notebooks only."""
    from d9_rules import cli

    monkeypatch.setenv("CHECKOV_PARALLELIZATION_TYPE", "thread")
    monkeypatch.chdir(ROOT)
    folders = [str((EXAMPLES / name).relative_to(ROOT)) for name in ("terraform", "cloudformation", "kubernetes")]
    assert cli.checkov_scan(folders) == 1
    out = capsys.readouterr().out
    resources = [line.split("for resource: ", 1)[1] for line in out.splitlines() if "for resource: " in line]
    assert sorted(annotated_name(r) for r in resources) == sorted(declared_names(EXAMPLES, (".tf", ".yaml")))
    assert all(f"{expected_verdict(r)} for resource: {r}" in out for r in resources)


# In thread mode the terraform and terraform_plan runners share one check registry (and kubernetes, kustomize and
# helm another), so one check object: each runner assigns its graph to the registry right before it runs the
# checks, and reads `check.details` right after. This sitecustomize makes Checkov interleave as two such
# threads can, every time: before each run of the rule, another thread assigns another graph (None, as the
# plan runner does for a plan without one); after it, another thread runs the same check object and leaves its
# own details on it.
INTERLEAVING = textwrap.dedent("""
    import threading
    from checkov.common.checks.base_check_registry import BaseCheckRegistry

    original = BaseCheckRegistry.run_check

    def in_another_thread(action):
        worker = threading.Thread(target=action)
        worker.start()
        worker.join()

    def run_check(self, check, *args, **kwargs):
        if check.id != %r:
            return original(self, check, *args, **kwargs)
        in_another_thread(lambda: setattr(self, "graph", None))
        result = original(self, check, *args, **kwargs)
        def another_runners_notebook():
            check.details = []
            check.details.append("DETAILS OF ANOTHER RUNNER'S NOTEBOOK")
        in_another_thread(another_runners_notebook)
        return result

    BaseCheckRegistry.run_check = run_check
""")


def test_runners_sharing_the_check_cannot_swap_its_graph_or_details(tmp_path):
    """Measured before the rule read the graph from its runner and kept details per thread: a fresh clone's
    thread-mode run failed an HCL notebook with "the notebook's source was not found" (the plan runner had
    just assigned its graph to the shared registry). This run interleaves the threads the same way, always."""
    (tmp_path / "sitecustomize.py").write_text(INTERLEAVING % CHECKOV_ID)
    _, findings = scan(EXAMPLES, "--framework", "terraform", "cloudformation", "kubernetes",
                       env={"PYTHONPATH": str(tmp_path)})
    assert {annotated_name(f.resource) for f in findings} == declared_names(EXAMPLES, (".tf", ".yaml"))
    for finding in findings:
        assert finding.verdict == expected_verdict(finding.resource), finding
        assert not any("ANOTHER RUNNER" in d for d in finding.details), finding
        if finding.verdict == "FAILED":
            assert finding.details, finding
