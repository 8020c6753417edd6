"""Files derived from metadata/ are regenerated and compared: any hand edit or stale file fails."""
import subprocess
import sys

from rule import ROOT


def test_generated_files_match_metadata():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "generate.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_drift_is_detected(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_under_test", ROOT / "tools" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    rule = generate.load_rule()
    rule["severity"] = "low"
    [(path, text)] = generate.generated_files(rule).items()
    assert path.read_text() != text, "a changed severity must change the generated file"
