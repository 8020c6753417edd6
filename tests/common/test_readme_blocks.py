"""The README is a user guide whose commands are run as written: every shell block is labelled and claimed by a
test that runs it (or listed with the reason it cannot run here), the table of contents names every section,
Checkov commands carry --skip-download, and install hints name something a user can install."""
from __future__ import annotations

import re

import pytest
from readme_blocks import FENCE, LABELLED, NOT_RUN, README, RUN_ELSEWHERE, SHELL, blocks, commands
from rule import ROOT

TEXT = README.read_text()
TESTS = {path: path.read_text() for path in (ROOT / "tests").rglob("test_*.py")}


def claimed_by(block_id: str) -> list[str]:
    """Test files that run the block through readme_blocks (run_block / block with its id)."""
    pattern = re.compile(r"""(?:run_block|block)\(\s*["']""" + re.escape(block_id) + r"""["']""")
    return [str(path.relative_to(ROOT)) for path, text in TESTS.items() if pattern.search(text)]


def unlabelled_shell_blocks(text: str) -> list[str]:
    labelled = {m.start("lang") - 3 for m in LABELLED.finditer(text)}
    return [m.group("body")[:80] for m in FENCE.finditer(text) if m.group("lang") in SHELL and m.start() not in labelled]


def unclaimed(text: str) -> list[str]:
    missing = []
    for block_id in blocks(text):
        if block_id in NOT_RUN:
            continue
        if block_id in RUN_ELSEWHERE:
            path, marker = RUN_ELSEWHERE[block_id]
            if marker not in (ROOT / path).read_text():
                missing.append(block_id)
            continue
        if not claimed_by(block_id):
            missing.append(block_id)
    return missing


def test_every_shell_block_is_labelled():
    assert unlabelled_shell_blocks(TEXT) == []


def test_every_block_is_run_by_a_test_or_says_why_not():
    assert unclaimed(TEXT) == []
    assert set(NOT_RUN) <= set(blocks()) and set(RUN_ELSEWHERE) <= set(blocks()), "a stale allow-list entry"
    assert all(len(reason) > 40 for reason in NOT_RUN.values())


def test_the_checks_catch_an_unrun_block():
    """An added command block without a label, or with a label no test claims, fails the tests above."""
    extra = TEXT + "\n```sh\nd9-rules checkov-dir\n```\n"
    assert unlabelled_shell_blocks(extra)
    labelled = TEXT + "\n<!-- doc-test: nobody-runs-this -->\n```sh\nd9-rules checkov-dir\n```\n"
    assert unclaimed(labelled) == ["nobody-runs-this"]


def _anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_table_of_contents_names_every_section():
    contents = TEXT.split("## Contents", 1)[1].split("\n## ", 1)[0]
    linked = set(re.findall(r"\]\(#([\w-]+)\)", contents))
    sections = [h for h in re.findall(r"^## (.+)$", TEXT, re.M) if h != "Contents"]
    assert [h for h in sections if _anchor(h) not in linked] == []
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", TEXT, re.M)}
    assert linked - anchors == set(), "a contents link to no heading"


@pytest.mark.parametrize("block_id", [b for b, (lang, _) in blocks().items() if lang in SHELL])
def test_checkov_commands_skip_the_download(block_id):
    for command in commands(blocks()[block_id][1]):
        if re.search(r"(^|\s)checkov\s", command) and "d9-rules" not in command.split()[0]:
            assert "--skip-download" in command, command


def test_install_hints_name_installable_things():
    """No bare `d9-aws-net-49[...]` (no index has it): a path or a git URL, in the README, recipes and messages."""
    sources = [README, *(ROOT / "docs" / "pipelines").glob("*.yml"), *(ROOT / "d9_rules").glob("*.py")]
    bare = re.compile(r"""d9-aws-net-49\[\w+\](?!\s*@\s*git\+)""")
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in sources for m in bare.finditer(p.read_text())]
    assert found == []
    assert bare.search("pip install 'd9-aws-net-49[checkov]'") and not bare.search('"d9-aws-net-49[x] @ git+https://h/r"')


def test_moved_pages_exist_and_are_linked():
    for page in ("docs/proving-values.md", "docs/engine-limits.md", "docs/development.md"):
        assert (ROOT / page).is_file() and f"]({page}" in TEXT, page
