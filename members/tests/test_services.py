"""Member registry rules: validation, dues tiers, dual registration, transfers, mobility, deeds."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from members import selectors, services
from members.models import (
    Category,
    Decision,
    DuesTier,
    MemberDeed,
    MemberStatus,
    PartyMember,
    RegistrySettings,
    Transfer,
)
from orgs.models import OrgForm, OrgLevel, PartyOrg

from .conftest import add_member, new_id

pytestmark = pytest.mark.django_db


def base(**kw):
    d = dict(name="赵六", id_number=new_id(date(1980, 1, 2), "F"), gender="", ethnicity="汉族", mobile="",
             education="", occupation="", joined_on=date(2005, 7, 1), full_member_on=date(2006, 7, 1),
             status=MemberStatus.FULL, category=Category.EMPLOYED, residence=None, address="", employer="",
             unit_org=None, monthly_income=None)
    d.update(kw)
    return d


class TestMemberCreate:
    def test_creates_with_pinyin_gender_and_birth_from_id_and_history(self, personas, tree):
        m = services.member_create(actor=personas.secretary, org=tree.east1_org, **base())
        m.refresh_from_db()
        assert (m.gender, m.birth_date, m.name_initials, m.name_pinyin) == ("F", date(1980, 1, 2), "zl", "zhaoliu")
        assert m.events.filter(kind="登记").exists()
        entry = AuditEntry.objects.get(action="create", object_id=str(m.pk))
        assert m.id_number not in str(entry.changes)

    @pytest.mark.parametrize("change,field,text", [
        ({"id_number": "110105198001020001"}, "id_number", "校验位"),
        ({"gender": "M"}, "gender", "性别与身份证号不符"),
        ({"birth_date": date(1980, 1, 3)}, "birth_date", "出生日期与身份证号不符"),
        ({"mobile": "123"}, "mobile", "手机号"),
        ({"joined_on": date(1990, 1, 1)}, "joined_on", "18 周岁"),
        ({"joined_on": timezone.localdate() + timedelta(days=3)}, "joined_on", "晚于今天"),
        ({"full_member_on": date(2004, 1, 1)}, "full_member_on", "晚于入党日期"),
        ({"name": "<script>x</script>"}, "name", "<"),
    ])
    def test_bad_input_is_refused_with_field_and_reason(self, personas, tree, change, field, text):
        with pytest.raises(ValidationError) as exc:
            services.member_create(actor=personas.secretary, org=tree.east1_org, **base(**change))
        assert text in " ".join(exc.value.message_dict[field])
        assert PartyMember.objects.count() == 0

    def test_duplicate_id_number(self, personas, tree):
        d = base()
        services.member_create(actor=personas.secretary, org=tree.east1_org, **d)
        with pytest.raises(ValidationError) as exc:
            services.member_create(actor=personas.secretary, org=tree.east1_org, **base(id_number=d["id_number"]))
        assert "已登记" in exc.value.message_dict["id_number"][0]

    def test_outside_scope_refused(self, personas, tree):
        with pytest.raises(ValidationError):
            services.member_create(actor=personas.secretary, org=tree.west1_org, **base())

    def test_update_keeps_status_history(self, personas, tree):
        m = services.member_create(actor=personas.secretary, org=tree.east1_org,
                                   **base(status=MemberStatus.PROBATIONARY, full_member_on=None))
        services.member_update(actor=personas.secretary, member=m, status=MemberStatus.FULL,
                               full_member_on=date(2006, 7, 1), category=Category.RETIRED)
        kinds = set(m.events.values_list("kind", "new_value"))
        assert ("党员状态", "正式党员") in kinds and ("党员类别", "离退休党员") in kinds


class TestDues:
    @pytest.mark.parametrize("category,income,expected", [
        (Category.EMPLOYED, 3000, "15.00"),   # 0.5%
        (Category.EMPLOYED, 4000, "40.00"),   # 1%
        (Category.EMPLOYED, 8000, "120.00"),  # 1.5%
        (Category.EMPLOYED, 12000, "240.00"),  # 2%
        (Category.RETIRED, 5000, "25.00"),    # 0.5%
        (Category.RETIRED, 6000, "60.00"),    # 1%
        (Category.STUDENT, None, "0.20"),
        (Category.EMPLOYED, None, None),
    ])
    def test_national_tiers(self, tree, category, income, expected):
        m = add_member(tree.east1_org, category=category, monthly_income=income)
        got = services.monthly_dues(m)
        assert (str(got) if got is not None else None) == expected

    def test_tiers_are_data(self, tree):
        DuesTier.objects.filter(base="income", lower=3000).update(rate=Decimal("1.2"))
        m = add_member(tree.east1_org, monthly_income=4000)
        assert services.monthly_dues(m) == Decimal("48.00")

    def test_pay_and_arrears(self, personas, tree, members):
        this = timezone.localdate().replace(day=1)
        services.dues_pay(actor=personas.secretary, member=members["zs"], month=this, amount=Decimal("10"))
        with pytest.raises(ValidationError):
            services.dues_pay(actor=personas.secretary, member=members["zs"], month=this, amount=Decimal("10"))
        with pytest.raises(ValidationError):
            services.dues_pay(actor=personas.secretary, member=members["zs"], month=this + timedelta(days=40),
                              amount=Decimal("10"))
        names = [m.name for m, *_ in selectors.arrears(actor=personas.secretary)]
        assert "李四" in names and "张三" not in names and "王五" not in names


class TestDualRegistration:
    def test_request_confirm_and_deeds_against_quota(self, personas, tree, members):
        reg = services.dual_registration_request(actor=personas.west_secretary, member=members["ww"],
                                                 community=tree.east1)
        # the sending side cannot confirm for the community
        with pytest.raises(ValidationError):
            services.dual_registration_decide(actor=personas.west_secretary, registration=reg, confirm=True)
        with pytest.raises(ValidationError) as exc:
            services.dual_registration_decide(actor=personas.secretary, registration=reg, confirm=False)
        assert "原因" in exc.value.messages[0]
        services.dual_registration_decide(actor=personas.secretary, registration=reg, confirm=True)
        reg.refresh_from_db()
        assert reg.status == Decision.CONFIRMED
        services.member_deed_record(actor=personas.secretary, member=members["ww"], date=timezone.localdate(),
                                    title="清理楼道")
        assert selectors.deeds_this_year([members["ww"].pk]) == {members["ww"].pk: 1}
        assert list(selectors.dual_registrations(actor=personas.secretary)) == [reg]
        assert list(selectors.dual_registrations(actor=personas.grid_worker)) == []

    def test_return_with_reason(self, personas, tree, members):
        reg = services.dual_registration_request(actor=personas.west_secretary, member=members["ww"],
                                                 community=tree.east1)
        services.dual_registration_decide(actor=personas.secretary, registration=reg, confirm=False,
                                          reason="不在本社区居住")
        reg.refresh_from_db()
        assert (reg.status, reg.reason) == (Decision.RETURNED, "不在本社区居住")

    def test_only_employed_members(self, personas, tree, members):
        with pytest.raises(ValidationError):
            services.dual_registration_request(actor=personas.secretary, member=members["ls"], community=tree.east2)

    def test_quota_is_data(self):
        s = RegistrySettings.current()
        assert (s.deed_quota_min, s.deed_quota_max) == (1, 2)


class TestDeedService:
    def test_signature_and_idempotent_source(self, personas, members):
        kw = dict(actor=personas.secretary, member=members["zs"], date=timezone.localdate(), title="共建活动",
                  hours=2, source_type="cobuild.activity", source_id="7")
        a = services.member_deed_record(**kw)
        b = services.member_deed_record(**kw)
        assert a.pk == b.pk and MemberDeed.objects.count() == 1
        with pytest.raises(ValidationError):
            services.member_deed_record(actor=None, member=members["zs"], date=timezone.localdate() + timedelta(1),
                                        title="x")


class TestMobile:
    def test_outflow_inflow_both_sides_see_and_flag(self, personas, tree, members):
        rec = services.mobile_outflow_report(actor=personas.secretary, member=members["zs"], destination="乌鲁木齐",
                                             left_on=timezone.localdate() - timedelta(days=300), card_number="LD1")
        members["zs"].refresh_from_db()
        assert members["zs"].category == Category.MOBILE
        assert list(selectors.mobile_records(actor=personas.west_secretary)) == []
        services.mobile_inflow_register(actor=personas.west_secretary, record_=rec, destination_org=tree.west1_org,
                                        registered_on=timezone.localdate() - timedelta(days=290))
        assert list(selectors.mobile_records(actor=personas.west_secretary)) == [rec]
        assert list(selectors.mobile_records(actor=personas.secretary)) == [rec]
        rec.last_contact_on = timezone.localdate() - timedelta(days=250)
        rec.save()
        assert rec.last_contact_on < selectors.no_contact_cutoff()


class TestTransfers:
    def test_request_confirm_moves_member_and_keeps_history(self, personas, tree, members):
        t = services.transfer_request(actor=personas.secretary, member=members["zs"], to_org=tree.west1_org)
        with pytest.raises(ValidationError):
            services.transfer_decide(actor=personas.secretary, transfer=t, confirm=True)
        services.transfer_decide(actor=personas.west_secretary, transfer=t, confirm=True)
        m = PartyMember.objects.get(pk=members["zs"].pk)
        assert m.org == tree.west1_org
        assert {"转接申请", "组织关系转入"} <= set(m.events.values_list("kind", flat=True))
        with pytest.raises(ValidationError):
            services.transfer_decide(actor=personas.west_secretary, transfer=t, confirm=True)

    def test_batch_retirees_one_confirmation_per_receiving_org(self, personas, tree):
        firm = PartyOrg.objects.create(name="国企党委", level=OrgLevel.RESIDENT_UNIT, form=OrgForm.COMMITTEE,
                                       region=tree.east2)
        east2_org = PartyOrg.objects.create(name="东二社区党支部", level=OrgLevel.COMMUNITY, form=OrgForm.BRANCH,
                                            region=tree.east2)
        a = [add_member(firm, f"退休{i}", Category.RETIRED) for i in range(3)]
        moves = [(a[0], tree.east1_org), (a[1], tree.east1_org), (a[2], tree.west1_org)]
        batch = services.transfer_batch_create(actor=personas.street_staff, title="移交", from_org=firm, moves=moves)
        assert Transfer.objects.filter(batch=batch, status="pending").count() == 3
        assert services.transfer_batch_confirm(actor=personas.secretary, batch=batch, to_org=tree.east1_org) == 2
        with pytest.raises(ValidationError):
            services.transfer_batch_confirm(actor=personas.secretary, batch=batch, to_org=tree.west1_org)
        assert services.transfer_batch_confirm(actor=personas.west_secretary, batch=batch,
                                               to_org=tree.west1_org) == 1
        assert set(PartyMember.objects.filter(pk__in=[m.pk for m in a]).values_list("org", flat=True)) == {
            tree.east1_org.pk, tree.west1_org.pk}
        assert east2_org.pk


class TestSearch:
    @pytest.mark.parametrize("q,found", [("zs", ["张三"]), ("zhangsan", ["张三"]), ("ZS", ["张三"]), ("张", ["张三"]),
                                         ("l", ["李四"]), ("xx", [])])
    def test_name_initials_pinyin(self, personas, members, q, found):
        assert [m.name for m in selectors.member_list(actor=personas.secretary, q=q)] == found

    def test_exact_id_number_through_hash(self, personas, members):
        got = selectors.member_list(actor=personas.secretary, q=members["ls"].id_number)
        assert [m.name for m in got] == ["李四"]
        assert "id_number_hash" in str(got.query)
        assert list(selectors.member_list(actor=personas.secretary, q=members["ww"].id_number)) == []

    def test_statistics(self, personas, members):
        s = selectors.statistics(actor=personas.street_staff)
        assert s["total"] == 2 and dict(s["gender"]) == {"男": 1, "女": 1}
        assert dict(s["category"])["离退休党员"] == 1 and len(s["growth"]) == 5
