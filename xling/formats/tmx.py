"""TMX 1.4b, written with lxml's incremental writer (streaming, never string concatenation).

XML 1.0 cannot hold most C0 control characters; they are written as U+FFFD
(``xml_safe``) rather than dropped silently, and the TU keeps its place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from xling._version import __version__
from xling.data import CorpusInfo, Record
from xling.formats.atomic import atomic_open

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def write_tmx_to(records: Iterable[Record], out: BinaryIO, info: CorpusInfo) -> int:
    from lxml import etree

    header = {
        "creationtool": "xling", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "xling-beads", "adminlang": "en", "srclang": info.source_lang, "datatype": "plaintext",
    }
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("tmx", version="1.4"):
            head = etree.Element("header", header)
            if info.signature:
                etree.SubElement(head, "prop", type="x-xling-signature").text = xml_safe(info.signature)
            xf.write(head)
            with xf.element("body"):
                for record in records:
                    xf.write(_tu(record, info))
                    count += 1
    return count


def _tu(record: Record, info: CorpusInfo):
    from lxml import etree

    bead = record.bead
    tu = etree.Element("tu")
    props = [("x-doc", record.doc), ("x-bead", str(record.index)), ("x-score", f"{bead.score:.4f}"),
             ("x-src-ids", ",".join(map(str, bead.source_ids))), ("x-tgt-ids", ",".join(map(str, bead.target_ids)))]
    if bead.flags:
        props.append(("x-flags", ",".join(bead.flags)))
    for kind, value in props:
        etree.SubElement(tu, "prop", type=kind).text = xml_safe(value)
    for lang, text in ((info.source_lang, bead.source_text), (info.target_lang, bead.target_text)):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        etree.SubElement(tuv, "seg").text = xml_safe(text)
    return tu


def write_tmx(records: Iterable[Record], path: Path, info: CorpusInfo) -> int:
    with atomic_open(path, "wb") as out:
        return write_tmx_to(records, out, info)


def read_tmx(path: Path) -> list[dict]:
    """Every TU as ``{"src", "tgt", "props"}`` (first two TUVs: source then target language)."""
    from lxml import etree

    header = etree.parse(str(path)).getroot().find("header")
    source = header.get("srclang")
    rows = []
    for _, tu in etree.iterparse(str(path), tag="tu"):
        segs = {tuv.get(XML_LANG): (tuv.findtext("seg") or "") for tuv in tu.iter("tuv")}
        target = next(lang for lang in segs if lang != source)
        rows.append({"src": segs[source], "tgt": segs[target],
                     "props": {p.get("type"): p.text or "" for p in tu.iter("prop")}})
        tu.clear()
    return rows
