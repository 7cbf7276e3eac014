from datetime import date

import pytest

from core.idnumber import synthetic_id_number
from core.pinyin import name_initials, name_pinyin
from members.models import Category, MemberStatus, PartyMember


def new_id(born=date(1970, 3, 5), gender="M") -> str:
    """An ID number no other test helper of this process has handed out (unique by construction)."""
    return synthetic_id_number(birth_date=born, gender=gender)


def build_member(org, name="张三", category=Category.EMPLOYED, **kw) -> PartyMember:
    """An unsaved member with the defaults the tests share (add_member saves one)."""
    born = kw.pop("birth_date", date(1970, 3, 5))
    gender = kw.pop("gender", "M")
    return PartyMember(
        name=name, name_pinyin=name_pinyin(name), name_initials=name_initials(name), gender=gender,
        birth_date=born, id_number=kw.pop("id_number", None) or new_id(born, gender),
        mobile=kw.pop("mobile", "13812345678"), joined_on=kw.pop("joined_on", date(2000, 7, 1)),
        full_member_on=kw.pop("full_member_on", date(2001, 7, 1)), status=kw.pop("status", MemberStatus.FULL),
        category=category, org=org, **kw,
    )


def add_member(org, name="张三", category=Category.EMPLOYED, **kw) -> PartyMember:
    member = build_member(org, name, category, **kw)
    member.save()
    return member


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads of import tests stay out of var/


@pytest.fixture
def members(tree):
    """张三 and 李四 in 东一社区, 王五 in 西一社区."""
    return {
        "zs": add_member(tree.east1_org, "张三", residence=tree.east1_grid1),
        "ls": add_member(tree.east1_org, "李四", Category.RETIRED, monthly_income=4000, gender="F",
                         birth_date=date(1955, 1, 2)),
        "ww": add_member(tree.west1_org, "王五"),
    }
