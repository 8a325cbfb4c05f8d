"""Where the package keeps its caches (data, indexes, models)."""

import os
from pathlib import Path


def cache_dir() -> Path:
    """The cache root: `$SYNTHESIZRR_CACHE_DIR`, else `$XDG_CACHE_HOME/distilabel-synthesizrr`,
    else `~/.cache/distilabel-synthesizrr`."""
    explicit = os.environ.get("SYNTHESIZRR_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "distilabel-synthesizrr"
