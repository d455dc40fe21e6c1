"""deploy/gunicorn.conf.py: the settings docs/deployment.md promises."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def test_the_master_freezes_what_it_loaded_before_each_fork():
    """Full collections in a worker skip what the master loaded (they cost a page ~100 ms: bench/scale.py)."""
    settings = runpy.run_path(str(CONFIG))
    assert settings["preload_app"] is True and settings["worker_class"] == "gthread"
    try:
        settings["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
