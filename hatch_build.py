"""Build hook: compile xling's alignment kernel (xling/align/_kernel.c) into the wheel.

Where no C compiler works, the wheel is built without it and says so: xling then aligns with the
same kernel compiled by numba at run time (about a second of start-up per process).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "xling.align._kernel"
SOURCE = "xling/align/_kernel.c"


class KernelBuildHook(BuildHookInterface):
    PLUGIN_NAME = "xling-kernel"

    def initialize(self, version: str, build_data: dict) -> None:
        try:
            built = _compile(Path(self.root))
        except Exception as exc:  # any compiler failure: build without it, loudly
            print(f"warning: xling's C alignment kernel was not built ({exc}); numba's is used instead",
                  file=sys.stderr)
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install reads the built file where it lies
            build_data["force_include"][str(built)] = built.relative_to(self.root).as_posix()


def _compile(root: Path) -> Path:
    """Build the extension in place (next to its source) with setuptools' compiler driver; its path."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    # -ffp-contract=off: no fused multiply-add, so sums round as numba's do and both kernels agree
    extension = Extension(MODULE, [SOURCE], extra_compile_args=["-O2", "-ffp-contract=off"]
                          if sys.platform != "win32" else ["/O2", "/fp:precise"])
    command = build_ext(Distribution({"name": "xling-kernel", "ext_modules": [extension]}))
    command.inplace = True  # next to _kernel.c, relative to the working folder: the project's root
    command.build_temp = str(root / "build" / "kernel")
    here = os.getcwd()
    os.chdir(root)
    try:
        command.ensure_finalized()
        command.run()
    finally:
        os.chdir(here)
    return root / command.get_ext_filename(MODULE)
