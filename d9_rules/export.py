"""`d9-rules export checkov|prowler DIR`: write exactly the files a user commits to a policy repository.

Checkov: the check files of checkov_checks/ (all Python, nothing else: Checkov parses any .yaml/.json in
an external checks folder as a policy), plus an empty __init__.py if DIR has none (Checkov skips a folder
without one). With --sign KEY.pem each written .py ends with the `# checkov-digest: <hex>` trailer that
`checkov --external-checks-public-key` verifies; every file the check reads at run time is one of them, and so
is an empty __init__.py already there (an earlier export wrote it): export, then --sign into the same folder,
signs every .py of the export. A non-empty __init__.py of the user's is never changed: --sign then refuses.

Prowler: one folder per check (__init__.py, the check, its .metadata.json), for `--checks-folder DIR`.

Nothing a user owns is overwritten: a file of DIR that is not one of ours is left alone, and an existing
file of ours with other content is replaced only with --force (an older export, say). A file that differs
from ours only by the signature trailer is ours: --sign signs it, an export without --sign keeps it signed.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from d9_rules import location

TRAILER = b"# checkov-digest: "


class ExportError(Exception):
    pass


def checkov_files() -> dict[str, bytes]:
    folder = location("checkov")
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"}
    return {name: _unsigned(data) for name, data in files.items()}


def prowler_files() -> dict[str, bytes]:
    folder = location("prowler")
    files = {}
    for check in sorted(p for p in folder.iterdir() if p.is_dir() and (p / f"{p.name}.py").is_file()):
        for name in ("__init__.py", f"{check.name}.py", f"{check.name}.metadata.json"):
            files[f"{check.name}/{name}"] = (check / name).read_bytes()
    if not files:
        raise ExportError(f"no Prowler check folder in {folder}")
    return files


def _unsigned(data: bytes) -> bytes:
    """A file without a digest trailer (an installed copy may have been signed in place)."""
    lines = data.splitlines(keepends=True)
    while lines and lines[-1].startswith(TRAILER):
        lines.pop()
    return b"".join(lines)


def _kept_signed(target: Path, data: bytes) -> bytes:
    """The file already there when it is `data` with a signature trailer, else `data`."""
    if target.is_file():
        existing = target.read_bytes()
        if existing != data and _unsigned(existing) == data:
            return existing
    return data


def sign(data: bytes, key_pem: bytes) -> bytes:
    """Append Checkov's trailer: a DER ECDSA P-256 signature over every byte before it, SHA-256."""
    try:
        from ecdsa import SigningKey
        from ecdsa.util import sigencode_der
    except ImportError as exc:  # Checkov depends on ecdsa; the Prowler environment may not have it
        raise ExportError("signing needs the 'ecdsa' package (installed with Checkov)") from exc
    key = SigningKey.from_pem(key_pem)
    if not data.endswith(b"\n") and data:
        data += b"\n"
    signature = key.sign_deterministic(data, hashfunc=hashlib.sha256, sigencode=sigencode_der)
    return data + TRAILER + signature.hex().encode("ascii") + b"\n"


def export(kind: str, destination: Path, key_pem: bytes | None = None, force: bool = False) -> list[str]:
    """Write the files; returns report lines. Raises ExportError before writing anything if a file would
    replace content the user has (unless force)."""
    if kind == "checkov":
        files = checkov_files()
        package_marker = destination / "__init__.py"
        # An empty __init__.py (signed or not) is the one an export writes: ours to write again, signed when asked.
        if not package_marker.exists() or _unsigned(package_marker.read_bytes()) == b"":
            files["__init__.py"] = b""
        elif key_pem is not None:
            raise ExportError(f"{package_marker} has content of yours, which --sign does not change, and "
                              "--external-checks-public-key refuses a folder with an unsigned .py: sign it yourself, "
                              "or export into a folder of its own; nothing was written")
    elif kind == "prowler":
        if key_pem is not None:
            raise ExportError("--sign is for Checkov's signed external checks; Prowler verifies nothing")
        files = prowler_files()
    else:
        raise ExportError(f"unknown kind {kind!r}: checkov or prowler")
    if key_pem is not None:
        files = {name: sign(data, key_pem) for name, data in files.items()}
    if key_pem is None:
        # an earlier signed export of the same files stays signed: dropping the trailer would break its verification
        files = {name: _kept_signed(destination / name, data) for name, data in files.items()}
    # A file whose text is ours apart from the signature trailer is ours: signing (or re-signing) it needs no --force.
    clashes = [name for name, data in files.items()
               if (destination / name).exists() and _unsigned((destination / name).read_bytes()) != _unsigned(data)]
    if clashes and not force:
        raise ExportError(f"{destination} already has other content in {', '.join(clashes)}; "
                          "nothing was written (--force replaces them, e.g. to update an earlier export)")
    report = []
    for name, data in files.items():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_bytes() == data:
            report.append(f"unchanged {target}")
            continue
        target.write_bytes(data)
        report.append(f"wrote {target}")
    if kind == "checkov":
        strays = sorted(str(p.relative_to(destination)) for p in destination.rglob("*")
                        if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
        if strays:
            report.append(f"warning: Checkov parses every .yaml/.yml/.json in {destination} as a policy: {', '.join(strays)}")
        if key_pem is not None:
            ours = set(files)
            unsigned = sorted(str(p.relative_to(destination)) for p in destination.rglob("*.py")
                              if str(p.relative_to(destination)) not in ours
                              and not (p.read_bytes().splitlines() or [b""])[-1].startswith(TRAILER))
            if unsigned:
                report.append("warning: --external-checks-public-key needs every .py signed; not signed here: "
                              + ", ".join(unsigned))
    return report
