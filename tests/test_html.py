"""Web pages in, article found, translated page out: on small pages made here (never downloaded)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import lxml.html
import pytest

from conftest import FakeTranslator
from xling.formats.beads import read_beads
from xling.pipeline import Options, translate_folder
from xling.readers.html import main_text, read_html_text

ARTICLE = [
    "Minister obrony Rosji przyleciał we wtorek do Pjongjangu na polecenie prezydenta, by kontynuować rozmowy.",
    "Według agencji KCNA obie strony uzgodniły budowę miejsc pamięci poświęconych żołnierzom poległym w walkach.",
    "Udział północnokoreańskich żołnierzy w walkach został oficjalnie potwierdzony dopiero pod koniec kwietnia.",
    "Zacieśnienie sojuszu rozpoczęło się od wizyty prezydenta w Pjongjangu w czerwcu ubiegłego roku, gdy podpisano "
    "traktat o wszechstronnym partnerstwie strategicznym.",
    "Eksperci zwracają uwagę, że współpraca wojskowa obu państw budzi coraz większy niepokój w Seulu i w Tokio.",
]
NAV = ["Strona główna", "Świat", "Kraj", "Gospodarka", "Kontakt"]
FOOTER = "Wszelkie prawa zastrzeżone. Kopiowanie materiałów redakcyjnych wymaga zgody wydawcy portalu."
SCRIPT = 'window.dataLayer = [{"page": "artykuł <b>nie</b> tekst"}];'


def page(paragraphs: list[str]) -> str:
    body = "".join(f"<p class=\"lead\">{p.split(' ', 3)[0]} {p.split(' ', 3)[1]} <a href=\"/x\">"
                   f"{p.split(' ', 3)[2]}</a> {p.split(' ', 3)[3]}</p>\n" for p in paragraphs)
    nav = "".join(f'<li><a href="/{i}">{n}</a></li>' for i, n in enumerate(NAV))
    return (f'<!DOCTYPE html>\n<html lang="pl"><head><meta charset="utf-8"><title>Wizyta w Pjongjangu</title>'
            f"<script>{SCRIPT}</script><style>p {{ color: #111; }}</style></head><body>"
            f'<header><nav><ul>{nav}</ul></nav></header><main><article><h1>Wizyta ministra w Pjongjangu</h1>\n'
            f'{body}</article></main><footer><p>{FOOTER}</p></footer></body></html>\n')


def test_blocks_know_their_element_and_the_article_is_found():
    document = read_html_text(page(ARTICLE), "p.html", "utf-8")
    text = {document.text[b.start:b.end]: b for b in document.blocks}
    for paragraph in ARTICLE:
        assert text[paragraph].boilerplate == "" and text[paragraph].kind == "paragraph"
        assert text[paragraph].place.startswith("/html/body/main/article/p[")
    assert text["Wizyta ministra w Pjongjangu"].kind == "heading"
    assert all(text[n].boilerplate == "navigation" for n in NAV)
    assert text[FOOTER].boilerplate == "footer"
    assert "dataLayer" not in document.text  # scripts are never text
    assert all(document.text[b.start:b.end] == t for t, b in text.items())  # offsets are exact
    assert main_text(document).split("\n\n")[-len(ARTICLE):] == ARTICLE


def _structure(html: str) -> list[tuple[str, dict]]:
    tree = lxml.html.document_fromstring(html)
    return [(e.tag, {k: v for k, v in e.attrib.items() if not (e.tag == "html" and k == "lang")})
            for e in tree.iter() if isinstance(e.tag, str)]


@pytest.fixture(scope="module")
def html_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("html")
    folder = base / "in"
    folder.mkdir()
    (folder / "strona.html").write_text(page(ARTICLE), encoding="utf-8")
    english = [p.replace("ę", "e") for p in (
        "The Russian defence minister flew to Pyongyang on Tuesday on the president's orders to continue talks.",
        "According to the agency, both sides agreed to build memorials to the soldiers who died in the fighting.",
        "The participation of North Korean soldiers was officially confirmed only at the end of April this year.",
        "The alliance grew closer after the president's visit to Pyongyang in June last year, when a treaty on "
        "comprehensive strategic partnership was signed.",
        "Experts note that the military cooperation of the two states is causing growing concern in Seoul.")]
    (folder / "page.htm").write_text(page(english), encoding="utf-8")
    fake = FakeTranslator()
    report = translate_folder(folder, base / "out", Options(use_cache=False), translator_factory=lambda m: fake)
    return base / "out", report, fake


def test_a_polish_page_is_translated_into_a_page_with_the_same_elements(html_run):
    out, report, fake = html_run
    rows = {f.path: f for f in report.files}
    assert rows["strona.html"].status == "translated" and rows["page.htm"].status == "passed"
    assert "pl-en/strona.en.html" in rows["strona.html"].outputs
    original = (out.parent / "in" / "strona.html").read_text(encoding="utf-8")
    translated = (out / "pl-en" / "strona.en.html").read_text(encoding="utf-8")
    assert _structure(translated) == _structure(original)  # same elements and attributes
    tree = lxml.html.document_fromstring(translated)
    assert tree.get("lang") == "en"
    article = [" ".join(p.text_content().split()) for p in tree.iter("p")][:len(ARTICLE)]
    assert article == [p.upper() for p in ARTICLE]  # the fake translator upper-cases
    assert [a.text for a in tree.iter("a")][:len(NAV)] == NAV  # navigation left as it was
    assert tree.find(".//script").text == SCRIPT and FOOTER in translated
    assert not any(n in fake.seen for n in NAV) and FOOTER not in fake.seen


def test_every_page_s_article_text_lands_in_text(html_run):
    out, report, _ = html_run
    for name in ("strona.html", "page.htm"):
        kept = (out / "text" / f"{name}.txt").read_text(encoding="utf-8")
        assert f"text/{name}.txt" in {f.path: f for f in report.files}[name].outputs
        assert not any(n in kept.split("\n\n") for n in NAV) and FOOTER not in kept
    assert (out / "text" / "strona.html.txt").read_text(encoding="utf-8").split("\n\n")[-len(ARTICLE):] == [
        *ARTICLE[:-1], ARTICLE[-1] + "\n"]


def test_beads_of_a_page_point_into_its_extracted_text(html_run):
    out, _, _ = html_run
    document = read_html_text((out.parent / "in" / "strona.html").read_text(encoding="utf-8"), "strona.html", "utf-8")
    beads = [r.bead for r in read_beads(out / "pl-en" / "strona.jsonl")]
    for bead in beads:
        (start, end), = bead.source_spans
        assert document.text[start:end] == bead.source_text
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {row["path"]: row["boilerplate"].get("navigation") for row in manifest}["strona.html"] == len(NAV)
    assert Path(out / "view" / "pl-en" / "strona.html").is_file()


def test_a_single_file_is_an_input(tmp_path, fake_backend):
    from typer.testing import CliRunner

    from xling.cli import app

    source = tmp_path / "strona.html"
    source.write_text(page(ARTICLE), encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(source), "-o", str(tmp_path / "out"), *fake_backend])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["path"], r["status"]) for r in rows] == [("strona.html", "translated")]
    assert (tmp_path / "out" / "pl-en" / "strona.en.html").is_file()


def test_standard_input_is_translated_to_standard_output(fake_backend):
    from typer.testing import CliRunner

    from xling.cli import app

    runner = CliRunner()
    text = f"{ARTICLE[0]} {ARTICLE[1]}\n\n{ARTICLE[2]}\n"
    result = runner.invoke(app, ["translate", "-", *fake_backend], input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{ARTICLE[0].upper()} {ARTICLE[1].upper()}\n{ARTICLE[2].upper()}\n"
    english = "The talks in Pyongyang went on for two days and ended with a treaty on strategic partnership.\n"
    result = runner.invoke(app, ["translate", "-", *fake_backend], input=english)
    assert result.exit_code == 0 and result.stdout == english
    result = runner.invoke(app, ["translate", "-", "-o", "x", *fake_backend], input=english)
    assert result.exit_code == 2 and "leave out -o" in result.output


def test_a_page_whose_model_is_missing_still_has_its_article_text(tmp_path, monkeypatch):
    from xling.errors import ModelUnavailableError

    def missing(model):
        raise ModelUnavailableError(model, "not here")

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "strona.html").write_text(page(ARTICLE), encoding="utf-8")
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False), translator_factory=missing)
    assert report.files[0].status == "failed" and report.files[0].outputs == ("text/strona.html.txt",)
    assert (tmp_path / "out" / "text" / "strona.html.txt").read_text(encoding="utf-8").split("\n\n")[-1] == \
        ARTICLE[-1] + "\n"


def nested(depth: int) -> str:
    """The test page with its article wrapped in ``depth`` unclosed-looking ``div``s, and a last paragraph after."""
    html = page(ARTICLE)
    start, end = html.index("<main>"), html.index("</main>") + len("</main>")
    return html[:start] + "<div>" * depth + html[start:end] + "</div>" * depth + f"<p>{ARTICLE[0]}</p>" + html[end:]


@pytest.mark.parametrize("depth", [10, 300, 1500])
def test_a_deeply_nested_page_is_read_to_its_end(depth):
    """lxml's default parser stops at 256 levels and drops the rest of the page without an error;
    every paragraph, and the one after the nest, must still be there, and found to be the article."""
    document = read_html_text(nested(depth), "deep.html", "utf-8")
    texts = [document.text[b.start:b.end] for b in document.blocks]
    assert [t for t in texts if t in ARTICLE] == [*ARTICLE, ARTICLE[0]]
    article = [b for b in document.blocks if document.text[b.start:b.end] in ARTICLE]
    assert all(b.boilerplate == "" for b in article)
    assert texts[-1] == FOOTER


def test_a_page_deeper_than_lxml_reads_fails_with_one_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.html").write_text(nested(2100), encoding="utf-8")
    (folder / "ok.html").write_text(page(ARTICLE), encoding="utf-8")
    report = translate_folder(folder, tmp_path / "out", Options(use_cache=False),
                              translator_factory=lambda m: FakeTranslator())
    status = {f.path: (f.status, f.reason) for f in report.files}
    assert status["ok.html"][0] == "translated"
    assert status["deep.html"][0] == "failed"
    assert "more than 2048 deep" in status["deep.html"][1] and "\n" not in status["deep.html"][1]


def test_the_extractors_own_log_lines_are_not_shown(tmp_path):
    """trafilatura logs its dead ends ('discarding data: None') without naming the file; the run's
    table says what happened to it. A fresh process: under pytest the CLI's log handler is not installed.
    English pages only, so no model is needed."""
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "no-body.html").write_text("<html><head><title>Title</title></head></html>", encoding="utf-8")
    english = "The minister flew to the capital on Tuesday to continue the talks about the treaty and the trade."
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 300 + f"<p>{english}</p>" * 4 + "</div>" * 300
                                      + "</body></html>", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "xling", "translate", str(folder), "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "no-body.html" in said and "deep.html" in said  # the table
    assert "discarding data" not in said and "HTML tree" not in said
