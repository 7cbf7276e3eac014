"""Test and demo people get ID numbers that are unique by construction, not by luck.

An ID number has only 500 sequence codes for one birth date and gender; a random draw for the
shared default (1970-03-05, M) collided one run in a few hundred, depending on how xdist spread
the tests. The helpers hand the codes out one after the other and spill into other regions.
"""

from datetime import date

import pytest

from core.idnumber import SyntheticIdNumbers, parse_id_number
from members.models import PartyMember

from .conftest import build_member, new_id

pytestmark = pytest.mark.django_db


def test_three_thousand_members_with_the_same_birth_date_and_gender_never_collide(tree):
    built = [build_member(tree.east1_org, f"党员{i}") for i in range(3000)]
    PartyMember.objects.bulk_create(built, batch_size=500)  # the table's unique blind index agrees
    numbers = [m.id_number for m in built]
    assert len(set(numbers)) == 3000 == PartyMember.objects.filter(org=tree.east1_org).count()
    for number in numbers[::97]:
        info = parse_id_number(number)  # valid check digit, the default birth date and gender
        assert info.birth_date == date(1970, 3, 5) and info.gender == "M"


def test_the_helper_never_repeats_within_a_process():
    seen = {new_id() for _ in range(1200)} | {new_id(date(1970, 3, 5), "F") for _ in range(600)}
    assert len(seen) == 1800


def test_a_seeded_generator_is_reproducible_and_skips_numbers_already_taken():
    import random

    first = SyntheticIdNumbers(random.Random(5))
    again = SyntheticIdNumbers(random.Random(5))
    born = date(1990, 1, 1)
    a = [first(birth_date=born, gender="F") for _ in range(3)]
    assert a == [again(birth_date=born, gender="F") for _ in range(3)]
    taken = set(a)
    skipping = SyntheticIdNumbers(random.Random(5), taken=taken.__contains__)
    b = [skipping(birth_date=born, gender="F") for _ in range(3)]
    assert not taken & set(b) and len(set(b)) == 3


def test_all_codes_of_a_day_are_used_before_another_region_takes_over():
    import random

    ids = SyntheticIdNumbers(random.Random(1))
    born = date(2000, 2, 29)
    numbers = [ids(birth_date=born, gender="M") for _ in range(501)]
    assert {n[:6] for n in numbers[:500]} == {"654322"} and numbers[500][:6] != "654322"
    assert len(set(numbers)) == 501
    assert all(int(n[16]) % 2 == 1 for n in numbers)  # men: an odd 17th digit
