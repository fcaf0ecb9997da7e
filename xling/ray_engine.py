"""The same pipeline on Ray Data: many processes, machines and GPUs (``pip install 'xling[ray]'``).

The driver lists the input files and cuts them into the same windows as the
local engine (by file size, before reading anything). Ray Data then runs

1. ``prepare``: read, detect and segment one window (a stateless task; each
   worker process keeps one language detector);
2. ``TranslateWindows``: an actor pool, one model load per actor, that
   translates, aligns and writes a window with ``WindowStep.run``, the very
   step the local engine runs per window;

and the driver writes the manifest and the index from the reports. Because the
windows and the per-window function are the same, both engines translate the
same groups of sentences and write byte-identical files.

Input and output are paths on a filesystem every node sees (a local disk for
one machine, NFS or similar for a cluster). The translation cache is a sqlite
file on that filesystem too (WAL mode; several writers are fine), so a rerun
of a job skips what any worker already translated.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from dataclasses import replace
from pathlib import Path

from xling.errors import UsageError
from xling.pipeline import Options, Progress, QuietProgress, Run, RunReport, path_windows

_PROCESS_RUNS: dict[str, Run] = {}


def _require_ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise UsageError("--engine ray needs the extra: pip install 'xling[ray]'") from exc
    return ray


def _worker_run(context: dict) -> Run:
    """One ``Run`` per worker process and job: the detector and the models load once."""
    key = context["key"]
    if key not in _PROCESS_RUNS:
        _PROCESS_RUNS.clear()  # a reused worker process drops the previous job's models
        options = pickle.loads(context["options"])
        run = Run.build(Path(context["input"]), Path(context["output"]), options, None, QuietProgress())
        run.preparer.recurring = pickle.loads(context["recurring"])  # found by the driver over every file
        _PROCESS_RUNS[key] = run
    return _PROCESS_RUNS[key]


def prepare(row: dict, context: dict) -> dict:
    """Ray Data map step: read, detect, route and segment one window of files."""
    run = _worker_run(context)
    prepared = run.prepare([Path(p) for p in json.loads(row["paths"])])
    return {"window": row["window"], "names": row["names"], "payload": pickle.dumps(prepared)}


class TranslateWindows:
    """Ray Data actor: holds the translators (and the cache) and translates windows one at a time."""

    def __init__(self, context: dict) -> None:
        self.run = _worker_run(context)
        self.run.open_cache()

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        out = []
        for names, payload in zip(batch["names"], batch["payload"], strict=True):
            self.run.names.update(json.loads(names))
            out.append(pickle.dumps(self.run.step.run(pickle.loads(payload))))
        return {"window": np.asarray(batch["window"]), "reports": np.array(out, dtype=object)}


def translate_folder_ray(input_dir: Path | str, output_dir: Path | str, options: Options | None = None, *,
                         address: str | None = None, num_workers: int = 1, gpus_per_worker: float = 0,
                         cpus_per_worker: float = 1, progress: Progress | None = None) -> RunReport:
    """``translate_folder`` on Ray: same inputs, same outputs, same manifest.

    ``address``: ``None`` starts (or reuses) a local Ray; ``auto`` joins the cluster this
    machine belongs to; ``ray://host:10001`` connects a remote client.
    """
    ray = _require_ray()
    options = options or Options()
    if not options.threads:  # one actor's share of the machine, not all of its cores
        options = replace(options, threads=max(1, int(cpus_per_worker)))
    progress = progress or QuietProgress()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="warning")
    run = Run.build(Path(input_dir), Path(output_dir), options, None, progress)
    with run.running() as (paths, reports):
        progress.start(len(paths))
        windows = path_windows(paths, options.window_bytes)
        if windows:
            from xling.io import relative_id

            context = {"key": f"{os.getpid()}:{time.time_ns()}", "input": str(run.input.resolve()),
                       "output": str(run.folder.path.resolve()), "options": pickle.dumps(options),
                       "recurring": pickle.dumps(run.preparer.recurring)}
            rows = []
            for index, window in enumerate(windows):
                ids = [relative_id(run.root, p) for p in window]
                rows.append({"window": index, "paths": json.dumps([str(p.resolve()) for p in window]),
                             "names": json.dumps(run.names.subset(ids))})
            # Retries are Ray Data's defaults: tasks lost to a system failure run again, and a dead
            # actor is restarted; the translation cache keeps finished sentences.
            dataset = (
                ray.data.from_items(rows, override_num_blocks=len(rows))
                .map(prepare, fn_kwargs={"context": context})
                .map_batches(TranslateWindows, batch_size=1, fn_constructor_kwargs={"context": context},
                             compute=ray.data.ActorPoolStrategy(size=num_workers), num_gpus=gpus_per_worker or None,
                             num_cpus=cpus_per_worker)
            )
            for row in dataset.iter_rows():
                for report in pickle.loads(row["reports"]):
                    reports.append(report)
                    progress.document(report)
        return run.finish(reports)
