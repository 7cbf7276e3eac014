"""Benchmark of the printed member card (PDF): the cached working font against the full CJK collection.

The registration card is printed one after another at a community's desk; the timed assertion that
used to sit in the test suite (a second card under 2 s) moved here, where load on the machine
cannot make a test fail. Times (median and 95th percentile of --repeat cards) a card set in the
working font (GB 2312 cut of Noto Sans CJK, cached on disk) and the same card set from the full
collection (what every card cost before the cache, and what a card costs when the cache is gone).
The last line is one JSON object; `card_vs_full_font` is the full collection's time over ours.

Usage: python bench/member_cards.py [--scale 0.2]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import setup_django, timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="shrink the number of cards timed")
    args = ap.parse_args()
    repeat = max(3, int(20 * args.scale))
    setup_django()
    from members import documents

    if not documents.font_available():
        sys.exit(f"the CJK font is missing: {documents.CJK_FONT}")
    documents.prepare_fonts()
    card = documents.Card(
        title="社区党员登记卡", subtitle="东一社区党总支",
        fields=[("姓名", "张三"), ("性别", "男"), ("民族", "汉族"), ("出生日期", "1970年03月05日"),
                ("身份证号", "654322********1234"), ("手机", "138****5678"), ("学历", "大学本科"),
                ("入党日期", "2000年07月01日"), ("工作单位", "县人民医院"), ("居住社区", "东一社区 网格1")],
        tables=[("组织生活", ["日期", "内容", "备注"], [["2026年11月05日", "主题党日：垃圾分类宣传", "参加"]] * 4)],
        photo_box=True,
    )
    ours_med, ours_p95 = timed(lambda: documents.card_pdf(card), repeat)
    print(f"card, working font: median {ours_med:.0f} ms, p95 {ours_p95:.0f} ms ({repeat} cards)")

    documents._FAST_FONTS.clear()
    original_load, original_build = documents._load_common_font, documents._build_in_background
    documents._load_common_font = lambda src, index: None
    documents._build_in_background = lambda src, index: None
    try:
        full_med, full_p95 = timed(lambda: documents.card_pdf(card), max(3, repeat // 4))
    finally:
        documents._load_common_font, documents._build_in_background = original_load, original_build
    print(f"card, full CJK collection: median {full_med:.0f} ms, p95 {full_p95:.0f} ms")
    ratio = full_med / ours_med
    print(f"card_vs_full_font: {ratio:.1f}x")
    print(json.dumps({"card_ms": round(ours_med, 1), "card_p95_ms": round(ours_p95, 1),
                      "full_font_card_ms": round(full_med, 1), "card_vs_full_font": round(ratio, 2)}))


if __name__ == "__main__":
    main()
