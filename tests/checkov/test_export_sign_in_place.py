"""README "Sharing the check folder", in order: `d9-rules export checkov DIR`, then `--sign` into the same
folder. Every .py the export wrote (its empty __init__.py too) ends up signed and the real Checkov loads the
folder with the public key; a non-empty __init__.py of the user's is never changed: --sign refuses, clearly."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from checkov_harness import CHECKOV, findings_from_json
from rule import CHECKOV_ID, EXAMPLE_NAMES, EXAMPLES, ROOT, expected_verdict

TRAILER = "# checkov-digest: "


def d9_rules(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The `d9-rules` command of this checkout, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "d9_rules.cli", *arguments], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def keys(tmp_path):
    from ecdsa import NIST256p, SigningKey
    key = SigningKey.generate(curve=NIST256p)
    (tmp_path / "private-key.pem").write_bytes(key.to_pem())
    (tmp_path / "public-key.pem").write_bytes(key.get_verifying_key().to_pem())
    return tmp_path / "private-key.pem", tmp_path / "public-key.pem"


def signed(folder: Path) -> dict[str, bool]:
    return {p.name: p.read_text().splitlines()[-1].startswith(TRAILER) if p.read_text() else False
            for p in folder.glob("*.py")}


def test_export_then_sign_in_place_signs_every_file_and_checkov_loads_it(tmp_path, keys):
    private, public = keys
    shutil.copytree(EXAMPLES, tmp_path / "iac")
    first = d9_rules("export", "checkov", "policies/checkov", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = d9_rules("export", "checkov", "policies/checkov", "--sign", str(private), cwd=tmp_path)
    assert second.returncode == 0, second.stderr  # the unsigned files are ours: no --force needed
    folder = tmp_path / "policies" / "checkov"
    assert signed(folder) and all(signed(folder).values()), signed(folder)
    assert "__init__.py" in signed(folder)
    result = subprocess.run([str(CHECKOV), "-d", "iac", "--external-checks-dir", "policies/checkov",
                             "--external-checks-public-key", str(public), "--check", CHECKOV_ID, "--skip-download",
                             "-o", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-3000:]
    found = {f.resource: f.verdict for f in findings_from_json(result.stdout)}
    assert len(found) == len(EXAMPLE_NAMES) and all(expected_verdict(r) == v for r, v in found.items()), found
    # an export without --sign afterwards keeps the signatures (the files are the same)
    again = d9_rules("export", "checkov", "policies/checkov", cwd=tmp_path)
    assert again.returncode == 0 and all(signed(folder).values()), again.stdout + again.stderr


def test_sign_with_force_signs_the_package_marker_too(tmp_path, keys):
    private, _ = keys
    assert d9_rules("export", "checkov", "out", cwd=tmp_path).returncode == 0
    forced = d9_rules("export", "checkov", "out", "--sign", str(private), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert all(signed(tmp_path / "out").values()) and "__init__.py" in signed(tmp_path / "out")


def test_sign_refuses_a_folder_whose_init_is_the_users(tmp_path, keys):
    private, _ = keys
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "__init__.py").write_text("TEAM = 'ml'\n")
    result = d9_rules("export", "checkov", "policies", "--sign", str(private), cwd=tmp_path)
    assert result.returncode == 1
    assert "__init__.py has content of yours" in result.stderr and "nothing was written" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["__init__.py"]
    assert (folder / "__init__.py").read_text() == "TEAM = 'ml'\n"
