"""Reads the package version and description from package.json for hatchling.

`package_version()` is the `code` version source; `PackageJsonMetadataHook` fills in the
description. package.json stays the only place where either is written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

HERE = Path(__file__).resolve().parent

# npm pre-release tags and their PEP 440 spelling.
PRE_RELEASE = {"alpha": "a", "beta": "b", "rc": "rc"}


def _package_json() -> dict[str, Any]:
    data = json.loads((HERE / "package.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("package.json is not a JSON object")
    return data


def package_version() -> str:
    """The npm version of package.json in PEP 440 form (`1.2.0-beta.1` -> `1.2.0b1`)."""
    version = str(_package_json()["version"])
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.?(\d+))?", version)
    if match is None:
        raise ValueError(f"package.json version {version!r} is not MAJOR.MINOR.PATCH[-alpha|beta|rc.N]")
    release, pre, number = match.groups()
    return release if pre is None else f"{release}{PRE_RELEASE[pre]}{number}"


class PackageJsonMetadataHook(MetadataHookInterface):
    """Sets `description` from package.json."""

    PLUGIN_NAME = "custom"

    def update(self, metadata: dict[str, Any]) -> None:
        metadata["description"] = str(_package_json()["description"])
