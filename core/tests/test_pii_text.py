"""core.pii_text: personal numbers inside free text are found and masked; other numbers are left alone."""

from datetime import date

import pytest

from core.idnumber import synthetic_id_number
from core.pii_text import has_pii, mask_pii

ID = synthetic_id_number(birth_date=date(1979, 8, 30), gender="M")


@pytest.mark.parametrize("text, expected", [
    (f"身份证{ID}。", f"身份证{ID[:6]}********{ID[-4:]}。"),
    ("电话13812345678", "电话138****5678"),
    ("电话 138 1234 5678 谢谢", "电话 138****5678 谢谢"),
    ("电话138-1234-5678", "电话138****5678"),
    ("+86 13812345678", "138****5678"),
    ("１３８１２３４５６７８", "138****5678"),  # full-width digits
    ("旧证 110105491231002", "旧证 110105*****1002"),
])
def test_masked(text, expected):
    assert mask_pii(text) == expected and has_pii(text)


@pytest.mark.parametrize("text", [
    "订单号 12345678901234567890",  # longer than any ID or mobile
    "2026年12月7日下午3点，3号楼2单元",
    "金额 1380.50 元，编号 1234567",
    "",
])
def test_left_alone(text):
    assert mask_pii(text) == text and not has_pii(text)


def test_none():
    assert mask_pii(None) == ""
