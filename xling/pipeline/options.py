"""What shapes a run besides its input and output, and how a run reports progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from xling.document import DATA_RUN_CHARS
from xling.io import DEFAULT_GLOBS, DEFAULT_MAX_FILE_MB
from xling.quality import Thresholds
from xling.report import FileReport
from xling.translate.base import GenerationSettings, Translator
from xling.translate.batched import Runtime


@dataclass(frozen=True)
class Options:
    """Everything that shapes a run besides the input and output folders."""

    globs: tuple[str, ...] = DEFAULT_GLOBS
    models: Mapping[str, str] = field(default_factory=dict)  # language → model id or directory
    registry: Path | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    device: str = "auto"
    backend: str = "auto"  # CTranslate2 where it runs, else transformers; or name one
    threads: int = 0  # CPU threads for translation; 0: every core
    quantization: str = "auto"  # transformers: none|int8; ctranslate2: int8 (CPU default), float16, ...
    cache: Path | None = None  # None: the user cache directory
    use_cache: bool = True
    offline: bool = False
    force: bool = False
    window_bytes: int = 64 * 1024  # input bytes gathered across documents before translating (and writing)
    view: bool = True  # write OUT/view/: an index and a side-by-side page per translated document
    thresholds: Thresholds = field(default_factory=Thresholds)
    retry_flagged: bool = False  # translate looping outputs again with n-gram blocking, keep the better
    max_sentence_chars: int = DATA_RUN_CHARS  # longer "sentences" cut; longer runs without whitespace skipped
    max_file_mb: int = DEFAULT_MAX_FILE_MB  # bigger inputs are skipped, with a reason
    boilerplate: str = "mark"  # boilerplate paragraphs: mark (not translated), translate, or drop (no output)
    follow_links: bool = False  # read links to files outside the input folder (skipped and reported otherwise)

    def runtime(self) -> Runtime:
        return Runtime(self.device, self.threads, self.quantization)


class Progress(Protocol):
    def start(self, documents: int) -> None: ...
    def sentences(self, count: int) -> None: ...
    def document(self, report: FileReport) -> None: ...


class QuietProgress:
    """Progress that shows nothing: the default of the Python API and of Ray workers."""

    def start(self, documents: int) -> None: ...
    def sentences(self, count: int) -> None: ...
    def document(self, report: FileReport) -> None: ...


TranslatorFactory = Callable[[str], Translator]
