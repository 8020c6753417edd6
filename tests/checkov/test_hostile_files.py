"""Hostile files in the scanned tree: the scan finishes and the other files keep their verdicts."""
import json
import os
import random
import shutil

import pytest
from checkov_harness import RULE_FRAMEWORKS, scan
from rule import EXAMPLE_NAMES, EXAMPLES, expected_verdict


def binary_garbage(folder):
    (folder / "garbage.tf").write_bytes(random.Random(1).randbytes(64 * 1024) + b"\x00resource {")


def non_utf8_template(folder):
    (folder / "latin1.yaml").write_bytes(
        b'AWSTemplateFormatVersion: "2010-09-09"\nDescription: "caf\xe9 \xff\xfe"\nResources:\n'
        b"  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties: {InstanceType: ml.t3.medium}\n")


def very_large_template(folder):
    # 1.5 MB: larger than CloudFormation accepts (1 MB from S3), so larger than any deployed template; each MB
    # costs Checkov's parser about 3 s of CPU, and thousands of resources would only measure its graph building
    resources = {f"Topic{i}": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"t{i}" * 20}}
                 for i in range(500)}
    (folder / "large.template.json").write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                                                            "Description": "x" * 1_500_000, "Resources": resources}))


def deeply_nested_json(folder):
    depth = 100_000
    (folder / "nested.json").write_text('{"Resources": ' + '{"a": ' * depth + "1" + "}" * depth + "}")
    (folder / "nested.tf.json").write_text('{"resource": ' + "[" * depth + "]" * depth + "}")


def symlink_loop(folder):
    (folder / "loop").mkdir()
    os.symlink("..", folder / "loop" / "parent")
    os.symlink("self", folder / "self")


HOSTILE = [binary_garbage, non_utf8_template, very_large_template, deeply_nested_json, symlink_loop]


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory):
    """A copy of examples/ next to each hostile file, one folder per kind, all in one scan of the rule's
    frameworks (a scan that dies on any of them fails every case)."""
    tree = tmp_path_factory.mktemp("hostile")
    for make_hostile in HOSTILE:
        folder = tree / make_hostile.__name__
        shutil.copytree(EXAMPLES, folder)
        make_hostile(folder)
    _, findings = scan(tree, "--framework", *RULE_FRAMEWORKS)  # asserts exit 0/1 and that our check loaded
    return findings


@pytest.mark.parametrize("make_hostile", HOSTILE, ids=[f.__name__ for f in HOSTILE])
def test_scan_survives_and_keeps_verdicts(hostile_tree, make_hostile):
    copy = f"/{make_hostile.__name__}/"
    examples = [f for f in hostile_tree if f.file_path.startswith(tuple(
        copy + part for part in ("terraform/", "cloudformation/", "kubernetes/")))]
    assert {(f.file_path, f.resource): f.verdict for f in examples} == {
        (f.file_path, f.resource): expected_verdict(f.resource) for f in examples}
    assert len(examples) == len(EXAMPLE_NAMES), [f.resource for f in hostile_tree if f.file_path.startswith(copy)]


def test_known_checkov_limit_deep_json_aborts_an_all_frameworks_scan(tmp_path):
    """Checkov 3.3.30's generic `json` framework (not one this rule uses) dies on JSON nested deeper than
    Python's recursion limit and aborts the whole scan (exit 2); the README says to pass --framework.
    If this starts passing, a Checkov upgrade fixed it: update the README."""
    from checkov_harness import checkov_cli

    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    deeply_nested_json(tmp_path)
    assert checkov_cli(tmp_path, "-o", "json").returncode == 2
