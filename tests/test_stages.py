"""The run's stages alone and composed: one path from a file to a detected, segmented document,
outputs unchanged by the stage layout (golden files), and the shape rules of the package."""

from __future__ import annotations

import ast
import base64
import random
import shutil
from pathlib import Path

import pytest

from conftest import POLISH_SEED, ROOT, SEEDS, FakeTranslator
from xling._version import __version__
from xling.api import detect_folder
from xling.detect import LanguageDetector
from xling.document import read_detected, segment, text_sentences
from xling.models import load_registry
from xling.pipeline import Options, translate_folder
from xling.pipeline.prepare import PassThrough, Preparer, ToTranslate
from xling.pipeline.translating import TranslateStep
from xling.quality import Thresholds
from xling.report import FileReport
from xling.translate.cache import TranslationCache

GOLDEN = Path(__file__).parent / "golden" / "seeds-fake"
POLISH = (SEEDS / POLISH_SEED).read_text(encoding="utf-8")
PARAGRAPH_PL = ("Prezydent Rosji odwiedził w środę Koreę Północną i podpisał z jej przywódcą umowę o "
                "strategicznym partnerstwie, która obejmuje także współpracę wojskową.")
PARAGRAPH_EN = ("Observers in the West expressed concern about the military cooperation between the two "
                "countries and the weapons it might bring to the front.")


def _fake_factory():
    made: dict[str, FakeTranslator] = {}
    return lambda model: made.setdefault(model, FakeTranslator(model))


def test_seeds_outputs_equal_the_golden_files(tmp_path):
    """Every file a run writes on seeds/ with the upper-casing translator, byte for byte. The golden
    files were written by the run before its stages were split apart; they change only with a
    deliberate change of output (the version is written VERSION in them)."""
    out = tmp_path / "out"
    translate_folder(SEEDS, out, Options(use_cache=False), translator_factory=_fake_factory())
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    golden = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    copies = {f"en/{p.name}" for p in SEEDS.glob("*.txt") if p.name != POLISH_SEED}
    assert written == golden | copies | {".xling-lock"}
    for name in sorted(golden):
        expected = (GOLDEN / name).read_bytes().replace(b"xling:VERSION", f"xling:{__version__}".encode())
        expected = expected.replace(b"xling VERSION", f"xling {__version__}".encode())
        assert (out / name).read_bytes() == expected, name
    for name in copies:
        assert (out / name).read_bytes() == (SEEDS / Path(name).name).read_bytes()


@pytest.fixture
def tricky_folder(tmp_path) -> Path:
    """Seeds, a mixed-language file, and Polish text around an 80 000-character run of base64."""
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    (folder / "mixed.txt").write_text(f"{PARAGRAPH_PL}\n\n{PARAGRAPH_EN}\n\n{PARAGRAPH_PL}\n", encoding="utf-8")
    blob = base64.b64encode(random.Random(3).randbytes(60_000)).decode("ascii")
    assert len(blob) == 80_000
    (folder / "data-run.txt").write_text(f"{PARAGRAPH_PL}\n\n{blob}\n\n{PARAGRAPH_PL}\n", encoding="utf-8")
    (folder / "short-en.txt").write_text("Read more on our website.\n", encoding="utf-8")
    return folder


def test_detect_and_translate_give_every_file_the_same_language(tricky_folder, tmp_path):
    detected = {r.path: (r.language, r.paragraphs, r.mixed) for r in detect_folder(tricky_folder)}
    report = translate_folder(tricky_folder, tmp_path / "out", Options(use_cache=False),
                              translator_factory=_fake_factory())
    translated = {f.path: (f.language, f.paragraphs, f.mixed) for f in report.files}
    assert detected == translated
    assert detected["data-run.txt"][0] == "pl"  # the base64 run once made this Albanian for one command
    assert detected["mixed.txt"] == ("pl", 3, {"en": 1})


def test_one_text_gives_the_same_sentences_to_every_reader(tricky_folder):
    """``text_sentences`` (the Python API and align) and ``segment`` (translate) cut alike."""
    detector = LanguageDetector(load_registry().detection_languages)
    detected = read_detected(tricky_folder, tricky_folder / POLISH_SEED, detector)
    from_file = [s.text for s in segment(detected)]
    assert from_file == [s for paragraph in text_sentences(POLISH, "pl") for s in paragraph]
    assert all(POLISH[s.start:s.end] == s.text for s in segment(detected))


def test_the_prepare_stage_routes_each_file(tricky_folder):
    preparer = Preparer(tricky_folder, load_registry(), 2**20, 50_000)
    polish = preparer.prepare(tricky_folder / "data-run.txt")
    assert isinstance(polish, ToTranslate) and polish.model.endswith("opus-mt-pl-en")
    # two sentences of Polish on either side of the run of data, which is a segment of its own, not translated
    assert [s.text for s in polish.translatable] == [PARAGRAPH_PL, PARAGRAPH_PL]
    assert len(polish.segments) == 3 and polish.skipped[0]["index"] == 1
    english = preparer.prepare(tricky_folder / "000_9dade273bd72a989.txt")
    assert isinstance(english, PassThrough) and english.detected.language == "en"
    (tricky_folder / "empty.txt").write_bytes(b"")
    empty = preparer.prepare(tricky_folder / "empty.txt")
    assert isinstance(empty, FileReport) and (empty.status, empty.reason) == ("skipped", "empty file")


def test_the_translate_stage_counts_what_the_cache_answered(tricky_folder):
    preparer = Preparer(tricky_folder, load_registry(), 2**20, 50_000)
    mixed = preparer.prepare(tricky_folder / "mixed.txt")
    step = TranslateStep("en", Thresholds(), lambda: preparer.detector, TranslationCache(":memory:"))
    fake = FakeTranslator()
    first, = step.translate_group(fake, [mixed])
    again, = step.translate_group(fake, [mixed])
    # the English paragraph is kept as it is; the Polish one is translated once, then answered by the cache
    assert [t.text for t in first.translations] == [PARAGRAPH_PL.upper(), PARAGRAPH_EN, PARAGRAPH_PL.upper()]
    assert "kept_target_language" in first.translations[1].flags
    assert (first.cached, again.cached) == (0, 2)
    assert fake.seen == [PARAGRAPH_PL]  # one distinct sentence, translated once over both calls


def test_a_translator_that_lacks_part_of_the_interface_fails_its_documents_with_one_line(tmp_path):
    class NoDescribe:
        model_id, revision = "custom", "1"

        def __init__(self) -> None:
            from xling.translate.base import GenerationSettings

            self.settings = GenerationSettings()

        def translate(self, texts):
            raise AssertionError("not called")

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / POLISH_SEED, folder)
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False),
                              translator_factory=lambda model: NoDescribe())
    assert report.files[0].status == "failed"
    assert "lacks with_settings, describe" in report.files[0].reason


def _imports(path: Path) -> set[str]:
    """xling modules ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xling"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("xling"))
    return found


def test_no_import_circle_in_the_package():
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (ROOT / "xling").rglob("*.py")}
    graph = {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dep in sorted(graph.get(module, ())):
            assert state.get(dep) != 1, "import circle: " + " -> ".join([*path, module, dep])
            if dep not in state:
                visit(dep, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_no_class_over_150_lines_and_no_function_over_60():
    too_long = []
    for path in sorted((ROOT / "xling").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            lines = getattr(node, "end_lineno", 0) - getattr(node, "lineno", 0) + 1
            if (isinstance(node, ast.ClassDef) and lines > 150) or (
                    isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and lines > 60):
                too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert too_long == []


def test_one_file_named_on_the_command_line_is_read_even_through_a_link(tricky_folder, tmp_path):
    link = tmp_path / "elsewhere" / "linked.txt"
    link.parent.mkdir()
    link.symlink_to(tricky_folder / "data-run.txt")  # outside the folder of the link itself
    detected = detect_folder(link)
    assert [(r.path, r.language) for r in detected] == [("linked.txt", "pl")]
    report = translate_folder(link, tmp_path / "out", Options(use_cache=False), translator_factory=_fake_factory())
    assert [(f.path, f.status, f.language) for f in report.files] == [("linked.txt", "translated", "pl")]
