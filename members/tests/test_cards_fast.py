"""PDF cards reuse a cached working copy of the CJK font instead of parsing the 20 MB collection
on every request; the text stays real, extractable Chinese in Noto's glyphs. How much faster that
is is measured by bench/member_cards.py, not here: a timed test fails when the machine is busy."""

import io
from pathlib import Path

import pytest
from docx import Document
from fpdf import FPDF
from pypdf import PdfReader

from members import documents

from .conftest import add_member

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    # pypdf reads fpdf2's Identity-UCS encoding as UTF-16 code units: drop the NUL high bytes.
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\x00", "")


def embedded_fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def fonts_ready():
    documents.prepare_fonts()  # a few seconds the first time on a machine, then read from the cache


@pytest.fixture
def font_files(monkeypatch):
    used = []
    original = FPDF.add_font

    def spy(self, family=None, style="", fname=None, **kw):
        used.append((family, style, str(fname)))
        return original(self, family, style, fname, **kw)

    monkeypatch.setattr(FPDF, "add_font", spy)
    return used


def test_two_cards_in_a_row_use_the_cached_font_and_carry_the_names(fonts_ready, font_files, personas, members,
                                                                     client_for):
    c = client_for(personas.secretary)
    texts = []
    for m in (members["zs"], members["ls"]):
        resp = c.get(f"/members/{m.pk}/card.pdf")
        assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
        texts.append(pdf_text(resp.content))
        assert any("NotoSansCJK" in f for f in embedded_fonts(resp.content))
    assert "张三" in texts[0] and "社区党员登记卡" in texts[0] and "李四" not in texts[0]
    assert "李四" in texts[1] and "离退休党员" in texts[1]
    # Both cards were set in the cached working font, never by parsing the collection itself.
    cache = documents.font_cache_dir()
    assert font_files and all(Path(f).parent == cache and f.endswith(".otf") for _, _, f in font_files)
    assert {style for _, style, _ in font_files} == {"", "B"}


def test_a_rare_character_falls_back_to_the_full_font(fonts_ready, font_files, personas, tree, client_for):
    rare = add_member(tree.east1_org, "王堃")  # 堃 is outside GB 2312
    assert ord("堃") not in documents.common_codepoints()
    resp = client_for(personas.secretary).get(f"/members/{rare.pk}/card.pdf")
    assert resp.status_code == 200 and "王堃" in pdf_text(resp.content)
    assert any(f.endswith(".ttc") and family == "cjkfull" for family, _, f in font_files)


def test_without_the_cache_the_card_still_prints(tmp_path, monkeypatch, settings, personas, members, client_for):
    settings.FONT_CACHE_DIR = tmp_path / "fonts"
    monkeypatch.setattr(documents, "_FAST_FONTS", {})
    started = []
    monkeypatch.setattr(documents, "_build_in_background", lambda src, index: started.append((src, index)))
    resp = client_for(personas.secretary).get(f"/members/{members['zs'].pk}/card.pdf")
    assert resp.status_code == 200 and "张三" in pdf_text(resp.content)
    assert len(started) == 2  # regular and bold working fonts requested for the next cards


def test_the_working_font_keeps_every_common_character(fonts_ready):
    path, cmap = documents._load_common_font(documents.CJK_FONT, documents.CJK_FONT_INDEX)
    assert path.stat().st_size < 4_000_000
    for text in ("社区党员登记卡", "哈萨克族维吾尔族", "库额尔齐斯镇文化东路社区", "（）：；、。“”—①", "ABCxyz0123"):
        assert all(ord(ch) in cmap for ch in text), text


def test_org_activity_card_has_no_photo_box(fonts_ready, personas, members, tree, client_for):
    c = client_for(personas.secretary)
    doc = Document(io.BytesIO(c.get(f"/members/orgs/{tree.east1_org.pk}/activity-card.docx").content))
    assert len(doc.tables[0].columns) == 4 and "照片" not in doc.tables[0]._cells[3].text
    text = pdf_text(c.get(f"/members/orgs/{tree.east1_org.pk}/activity-card.pdf").content)
    assert "社区党组织活动登记卡" in text and "东一社区党总支" in text


def test_prepare_fonts_command_builds_the_cache(tmp_path, settings, monkeypatch):
    from django.core.management import call_command

    settings.FONT_CACHE_DIR = tmp_path / "fonts"
    monkeypatch.setattr(documents, "_FAST_FONTS", {})
    call_command("prepare_fonts", verbosity=0)
    assert any((tmp_path / "fonts").iterdir())
