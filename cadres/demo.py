"""Demo: the seed county's community workforce (seed 000: 社区干部 103 人，其中国家干部 48 人，聘用人员 55 人，
平均每个社区工作者达到 10 人以上). Every one of the eight communities has 12 or 13 people; the town communities
meet their staffing quota (1 / 4 / 8), the county seat's fall short of theirs (2 / 7 / 12, seed 000). Each
community's secretary was appointed from deputy (most 一肩挑), the 两委 members are marked, the hired have
their contract (一聘三年), some hold the 社工师 certificate, everyone has this year's training at the county
Party school and the town's Party school (a few fall short of the minimums), three are reserve cadres and one
has the 最辛苦社区干部 award. Written through cadres.services (audited), as the district's organisation
department (qw_zzb)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.idnumber import SyntheticIdNumbers
from core.phone import generate_mobile
from core.synthetic import birth_date, person_name
from members.models import Education, Gender, PartyMember
from regions.models import Region, RegionKind

from . import services
from .models import Cadre, CourseKind, Employment, Position, TrackKind

COUNTY_SEAT = "库额尔齐斯镇"
# The posts of a community, leaders first (the national posts go to the first ones).
POSTS = [
    (Position.SECRETARY, True), (Position.DIRECTOR, True), (Position.DEPUTY_SECRETARY, True),
    (Position.DEPUTY_DIRECTOR, True), (Position.MEMBER, True), (Position.MEMBER, True),
    (Position.PARTY_WORKER, False), (Position.GRID_WORKER, False), (Position.GRID_WORKER, False),
    (Position.GRID_WORKER, False), (Position.SOCIAL_WORKER, False), (Position.SOCIAL_WORKER, False),
    (Position.SOCIAL_WORKER, False),
]
AGES = {Position.SECRETARY: (40, 55), Position.SOCIAL_WORKER: (25, 35), Position.GRID_WORKER: (25, 40)}
ALLOWANCE = {Employment.ADMIN: 5200, Employment.CAREER: 4600, Employment.HIRED: 3300, Employment.WELFARE: 2600}
EDUCATION = [(Education.BACHELOR, 45), (Education.COLLEGE, 35), (Education.SECONDARY, 20)]


def _plan(communities: list[Region]) -> list[tuple[Region, list[str]]]:
    """The employment of each community's people: 48 national, 55 hired, 103 in all."""
    plan = []
    seat_left = 4
    seat_hired = [6, 6, 6, 5]
    for c in communities:
        if c.parent and c.parent.name == COUNTY_SEAT and seat_left:
            hired = seat_hired[4 - seat_left]
            seat_left -= 1
            kinds = [Employment.ADMIN] * 2 + [Employment.CAREER] * 5 + (
                [Employment.HIRED] * (hired - 3) + [Employment.WELFARE] * 3)
        else:
            kinds = [Employment.ADMIN] + [Employment.CAREER] * 4 + [Employment.WELFARE] * 8
        plan.append((c, kinds))
    return plan


def _contract_start(joined: date, today: date) -> date:
    """The start of the contract period (一聘三年, renewed) running today."""
    start = joined.replace(year=joined.year + 3 * ((today.year - joined.year) // 3))
    return start if start <= today else start.replace(year=start.year - 3)


def load() -> None:
    rng = random.Random(103)
    today = timezone.localdate()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path"))
    county = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    actor = get_user_model().objects.filter(username="qw_zzb").first()
    if not communities or county is None or actor is None:
        return
    member_hash = PartyMember._meta.get_field("id_number").blind_index_for
    cadre_hash = Cadre._meta.get_field("id_number").blind_index_for
    ids = SyntheticIdNumbers(rng, taken=lambda n: PartyMember.objects.filter(id_number_hash=member_hash(n)).exists()
                             or Cadre.objects.filter(id_number_hash=cadre_hash(n)).exists())
    people: list[Cadre] = []
    secretaries: list[Cadre] = []
    for k, (c, kinds) in enumerate(_plan(communities)):
        shoulder = k != 3  # one community keeps a separate 居委会主任
        posts = [p for p in POSTS if shoulder is False or p[0] != Position.DIRECTOR]
        posts = (posts + [(Position.SOCIAL_WORKER, False)] * 2)[:len(kinds)]
        for (position, two), employment in zip(posts, kinds, strict=True):
            lo, hi = AGES.get(position, (28, 50))
            born = birth_date(rng, min_age=lo, max_age=hi, today=today)
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            joined = max(date(born.year + 22, rng.randint(1, 12), rng.randint(1, 28)),
                         date(today.year - 18, 3, 1))
            joined = min(joined, today - timedelta(days=200 + rng.randint(0, 400)))
            hired = employment not in (Employment.ADMIN, Employment.CAREER)
            secretary = position == Position.SECRETARY
            cadre = services.cadre_create(
                actor=actor, region=c, name=person_name(rng), gender=gender, birth_date=born,
                id_number=ids(birth_date=born, gender=gender), mobile=generate_mobile(rng),
                education=Education.BACHELOR if secretary else rng.choices(
                    [e for e, _ in EDUCATION], weights=[w for _, w in EDUCATION])[0],
                # a secretary joined as deputy and was appointed secretary later
                position=Position.DEPUTY_SECRETARY if secretary else position, employment=employment,
                joined_on=joined, two_committees=two, branch_committee=two and position in (
                    Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.MEMBER),
                monthly_allowance=ALLOWANCE[employment] + 100 * rng.randint(0, 8),
                contract_start=_contract_start(joined, today) if hired else None,
                document=f"{c.parent.name if c.parent else county.name}党委〔{joined.year}〕{rng.randint(5, 60)}号",
            )
            if secretary:
                services.cadre_appoint(
                    actor=actor, cadre=cadre, position=Position.SECRETARY, one_shoulder=shoulder,
                    date=min(joined + timedelta(days=365 * 3), today - timedelta(days=90)),
                    document=f"{county.name}委组〔{today.year - 1}〕{12 + k}号",
                    note="社区“两委”换届选举" + ("，书记、主任“一肩挑”" if shoulder else ""))
                secretaries.append(cadre)
            people.append(cadre)

    # 社工师 certificates for some of the younger ones
    for cadre in rng.sample([p for p in people if p.position in (Position.SOCIAL_WORKER, Position.PARTY_WORKER,
                                                                  Position.GRID_WORKER)], 14):
        senior = rng.random() < 0.3
        issued = max(cadre.joined_on, today - timedelta(days=rng.randint(60, 1500)))
        services.certificate_add(actor=actor, cadre=cadre, name="社会工作师" if senior else "助理社会工作师",
                                 issued_on=issued,
                                 number=f"{'ZS' if senior else 'ZZ'}{issued.year}65{rng.randint(100000, 999999)}")

    _training(rng, actor, county, communities, people, today)

    # reserve cadres: three young, well-educated people
    young = [p for p in people if p.age_on(today) < 36 and p.education == Education.BACHELOR]
    for cadre in rng.sample(young, min(3, len(young))):
        t = services.track_open(actor=actor, cadre=cadre, kind=TrackKind.RESERVE, since=today - timedelta(days=300),
                                origin="社区党组织书记后备人选", note="县委组织部年度后备干部调整")
        services.track_note_add(actor=actor, track=t, date=today - timedelta(days=60),
                                text_="参加县委党校中青年干部培训班，结业考核优秀；主持社区民情恳谈会两次")
    # one award: the most hard-working community cadre of last year
    hardest = secretaries[rng.randrange(len(secretaries))]
    services.award_add(actor=actor, cadre=hardest, title="最辛苦社区干部", issuer=f"中共{county.name}委员会",
                       date=max(hardest.joined_on, date(today.year - 1, 12, 26)))


def _training(rng, actor, county: Region, communities: list[Region], people: list[Cadre], today: date) -> None:
    """This year's county Party school course (20 days) and two town Party school courses (10 days each) per
    town; a few people fall short."""
    jan = date(today.year, 1, 1)
    start = max(jan, today - timedelta(days=150))
    school = services.course_create(
        actor=actor, region=county, title=f"{today.year}年社区干部集中轮训班", kind=CourseKind.COUNTY_SCHOOL,
        organizer="县委党校", start=start, end=start + timedelta(days=20), days=Decimal(20), hours=Decimal(120))
    towns = {c.parent_id: c.parent for c in communities if c.parent is not None}
    town_courses: dict[int, list] = {}
    for n, town in enumerate(towns.values()):
        town_courses[town.pk] = []
        for i, back in enumerate((300, 100)):
            s = max(jan, today - timedelta(days=back - 7 * n))
            town_courses[town.pk].append(services.course_create(
                actor=actor, region=town, title=f"{today.year}年{town.name}社区干部培训班（第{i + 1}期）",
                kind=CourseKind.TOWN_SCHOOL, organizer=f"{town.name}党校", start=s, end=s + timedelta(days=10),
                days=Decimal(10), hours=Decimal(60)))
    short = set(rng.sample(range(len(people)), 5))
    for i, cadre in enumerate(people):
        days = Decimal(12 + rng.randint(0, 5)) if i in short else None  # left early for work: short of 20 days
        services.attendance_record(actor=actor, course=school, cadre=cadre, days=days,
                                   hours=Decimal(6) * days if days else None, passed=days is None)
        for j, course in enumerate(town_courses.get(cadre.region.parent_id, [])):
            if i in short and j == 1:
                continue
            services.attendance_record(actor=actor, course=course, cadre=cadre)


DEMO_STEPS = [("cadres", load)]
