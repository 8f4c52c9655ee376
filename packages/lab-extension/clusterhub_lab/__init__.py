"""clusterhub-lab: the clusterhub panels for JupyterLab, shipped as a prebuilt extension."""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "dev"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the prebuilt extension (the wheel installs it as shared data)."""
    return [{"src": "labextension", "dest": "@clusterhub/lab-extension"}]
