"""The main job: a folder of articles in; translations, beads, parallel files and a manifest out.

Stages, each a module: ``prepare`` (read, detect, route, segment) → ``translating``
(translate, flag, retry) → ``write`` (per-document formats, views, the manifest), composed
per window by ``window`` and run by ``run`` (locally) or ``xling.ray_engine``.
"""

from xling.pipeline.folder import inside
from xling.pipeline.options import Options, Progress, QuietProgress
from xling.pipeline.run import Run, translate_folder
from xling.pipeline.window import path_windows
from xling.report import RunReport

__all__ = ["Options", "Progress", "QuietProgress", "Run", "RunReport", "inside", "path_windows", "translate_folder"]
