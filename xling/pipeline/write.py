"""Write stage: a document's beads in every per-document format, its view, its report; the index.

Outputs of a document are named from ``OutputNames`` (safe, distinct names made at the
start of a run) and written atomically; the report lists them, so the manifest says
exactly which files belong to which input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from xling.align import beads_from_translations
from xling.data import CorpusInfo, Document, Record
from xling.formats.atomic import INDEX, MANIFEST, atomic_open, copy_file, write_text
from xling.formats.registry import DOCUMENT_FORMATS, FORMATS
from xling.naming import OutputNames
from xling.pipeline.folder import OutputFolder
from xling.pipeline.prepare import PassThrough, ToTranslate, document_fields
from xling.pipeline.translating import BOILERPLATE, KEPT, Translated
from xling.report import PASSED, TRANSLATED, FileReport, manifest_row, write_manifest
from xling.signature import signature
from xling.translate.base import Translator


class DocumentWriter:
    def __init__(self, folder: OutputFolder, target: str, names: OutputNames, view: bool) -> None:
        self.folder, self.target, self.names, self.view = folder, target, names, view

    def copy(self, item: PassThrough) -> FileReport:
        """A target-language document, copied byte for byte to ``<target>/``."""
        doc_id = item.detected.doc.id
        path = self.folder.join(f"{self.target}/{self.names.copy[doc_id]}")
        copy_file(item.source, path)
        reason = "" if item.detected.language else "no letters, only numbers and signs: copied as it is"
        files = [path, *self.extracted(item.detected.doc)]
        return FileReport(doc_id, PASSED, reason=reason, outputs=tuple(self.folder.relative(f) for f in files),
                          **document_fields(item.detected))

    def extracted(self, doc: Document) -> list[Path]:
        """A page's article text, as xling found it (``text/<input>.txt``): what it translates and aligns."""
        if doc.format == "text":
            return []
        from xling.readers.html import main_text

        path = self.folder.join(f"text/{self.names.copy[doc.id]}.txt")
        write_text(path, main_text(doc) + "\n")
        return [path]

    def _translated_page(self, prepared: ToTranslate, records: list[Record], sent: tuple[bool, ...],
                         prefix: Path) -> list[Path]:
        """The document in the target language and its own format (``<pair>/<doc>.<target>.<format>``): each
        translated block's text in its place; boilerplate and target-language text left as they were."""
        if prepared.doc.format == "text" or prepared.source is None:
            return []
        from xling.io import read_bytes
        from xling.readers import translated

        by_block: dict[int, list[str]] = {}
        for record, was_sent in zip(records, sent, strict=True):
            if was_sent and record.bead.paragraph is not None:
                by_block.setdefault(record.bead.paragraph, []).append(record.bead.target_text)
        kind, translations = prepared.doc.format, {k: " ".join(v) for k, v in by_block.items()}
        data = translated(kind, read_bytes(prepared.source), prepared.doc, translations, self.target)
        path = prefix.with_name(f"{prefix.name}.{self.target}.{kind}")
        with atomic_open(path, "wb") as out:
            out.write(data)
        return [path]

    def write(self, prepared: ToTranslate, translator: Translator, translated: Translated) -> FileReport:
        """Beads of one translated document in every per-document format, and its view."""
        doc, lang = prepared.doc, prepared.doc.language
        pair = f"{lang}-{self.target}"
        beads = beads_from_translations(list(prepared.translatable), list(translated.translations))
        records = [Record(doc.id, i, bead) for i, bead in enumerate(beads)]
        backend = translator.describe()
        sig = signature(backend=backend, model_id=translator.model_id, revision=translator.revision,
                        settings_key=translator.settings.key(), pair=pair)
        info = CorpusInfo(lang, self.target, sig)
        stem = self.names.stem[doc.id]
        # untranslated boilerplate is in the bead file and the view, not in the parallel text
        parallel = [r for r, sent in zip(records, translated.sent, strict=True)
                    if sent or BOILERPLATE not in r.bead.flags]
        files = write_records(self.folder, pair, stem, records, info, self.view, doc.id, parallel)
        prefix = self.folder.join(f"{pair}/{stem}")
        files += self._translated_page(prepared, records, translated.sent, prefix) + self.extracted(doc)
        flags = Counter(flag for bead in beads for flag in bead.flags)
        kept = flags.pop(KEPT, 0)
        scores = [b.score for b, sent in zip(beads, translated.sent, strict=True) if sent]
        return FileReport(
            doc.id, TRANSLATED, model=translator.model_id, revision=translator.revision, backend=backend,
            translated=sum(translated.sent) - translated.cached, cached=translated.cached, kept=kept,
            flags=dict(sorted(flags.items())), score=round(sum(scores) / len(scores), 4) if scores else None,
            skipped=prepared.skipped, outputs=tuple(self.folder.relative(f) for f in files), signature=sig,
            **prepared.fields(),
        )


def write_records(folder: OutputFolder, pair: str, stem: str, records: list[Record], info: CorpusInfo, view: bool,
                  title: str, parallel: list[Record] | None = None) -> list[Path]:
    """One document's beads in every per-document format (``<pair>/<stem>.*``; the line formats get
    ``parallel`` where given) and, with ``view``, its side-by-side pages: what a translate run and a
    corpus alignment both write per document. Returns the files in the order the manifest lists them."""
    prefix = folder.join(f"{pair}/{stem}")
    files: list[Path] = []
    for name, columns in DOCUMENT_FORMATS:
        fmt = FORMATS[name]
        lines = records if name == "xling" or parallel is None else parallel
        files += fmt.write(lines, fmt.path(prefix), info, columns)
    if view:
        from xling.view.html import page_names, render_pages

        parent, _, leaf = stem.rpartition("/")
        names = page_names(leaf, len(records))  # a long document's view is split into pages
        pages = [folder.join(f"view/{pair}/{parent}/{n}" if parent else f"view/{pair}/{n}") for n in names]
        for path, html in zip(pages, render_pages(records, info, title, names), strict=True):
            write_text(path, html)
        files += pages
    return files


def write_run_files(folder: OutputFolder, reports: Iterable[FileReport], view: bool, title: str) -> None:
    """The manifest (one row per input) and, with views, the index page linking every document's page."""
    reports = sorted(reports, key=lambda r: r.path)
    write_manifest(reports, folder.path / MANIFEST)
    if not view:
        return
    from xling.view.html import render_index

    rows = []
    for report in reports:
        row = manifest_row(report)
        page = next((o for o in report.outputs if o.startswith("view/")), None)
        if page is None and report.status == PASSED and report.outputs:  # the copy itself, from view/
            page = "view/../" + report.outputs[0]
        row["link"] = quote(page.removeprefix("view/")) if page else None  # names may hold #, ?, %
        rows.append(row)
    write_text(folder.path / INDEX, render_index(rows, title))
