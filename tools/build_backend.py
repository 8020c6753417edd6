"""PEP 517 build backend: setuptools, run in a temporary copy of the source tree.

setuptools writes build/ and *.egg-info next to pyproject.toml; building from a copy keeps `pip install .`
from writing anything into the user's checkout. Editable installs (`pip install -e .`) must point at the
checkout itself, so they use setuptools unchanged.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from setuptools import build_meta as _setuptools
from setuptools.build_meta import build_editable, get_requires_for_build_editable, prepare_metadata_for_build_editable  # noqa: F401

# what no package of pyproject.toml is built from (virtualenvs and git included: they can be large)
NOT_COPIED = shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__", "tests", "benchmarks", "examples")


@contextmanager
def _in_a_copy() -> Iterator[None]:
    source = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="d9-build-") as work:
        copy = Path(work) / "source"
        shutil.copytree(source, copy, ignore=NOT_COPIED, symlinks=True)
        os.chdir(copy)
        try:
            yield
        finally:
            os.chdir(source)


def _absolute(path: str | None) -> str | None:
    return None if path is None else os.path.abspath(path)


def get_requires_for_build_wheel(config_settings=None):
    with _in_a_copy():
        return _setuptools.get_requires_for_build_wheel(config_settings)


def get_requires_for_build_sdist(config_settings=None):
    with _in_a_copy():
        return _setuptools.get_requires_for_build_sdist(config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    metadata_directory = _absolute(metadata_directory)
    with _in_a_copy():
        return _setuptools.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory, metadata_directory = _absolute(wheel_directory), _absolute(metadata_directory)
    with _in_a_copy():
        return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    sdist_directory = _absolute(sdist_directory)
    with _in_a_copy():
        return _setuptools.build_sdist(sdist_directory, config_settings)
