"""党费标准 outside the admin: view (members.view), edit (members.rules), validation, audit."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditAction, AuditEntry
from members import services
from members.models import DuesBase, DuesTier, RegistrySettings

pytestmark = pytest.mark.django_db

D = Decimal


def tier_rows():
    return [(t.base, t.lower, t.upper, t.rate) for t in DuesTier.objects.order_by("base", "lower")]


def form_data(income, retiree, fixed="0.20", extra_income=None, delete=()):
    """POST data of the page: formsets `income` / `retiree` (rows of lower, upper, rate) and the fixed amount."""
    data = {"fixed_amount": fixed}
    for prefix, rows in (("income", income), ("retiree", retiree)):
        rows = list(rows) + ([extra_income] if prefix == "income" and extra_income else [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "20"
        for i, (lower, upper, rate) in enumerate(rows):
            data[f"{prefix}-{i}-lower"] = lower
            data[f"{prefix}-{i}-upper"] = upper
            data[f"{prefix}-{i}-rate"] = rate
            if (prefix, i) in delete:
                data[f"{prefix}-{i}-DELETE"] = "on"
    return data


NATIONAL_INCOME = [("0", "3000", "0.5"), ("3000", "5000", "1"), ("5000", "10000", "1.5"), ("10000", "", "2")]
NATIONAL_RETIREE = [("0", "5000", "0.5"), ("5000", "", "1")]


def test_district_admin_edits_tiers_and_the_amounts_follow(personas, members, client_for):
    services.dues_tiers()
    c = client_for(personas.district_admin)
    page = c.get("/members/dues/tiers/").content.decode()
    assert 'id="tiers-form"' in page and 'name="income-0-lower"' in page and "第 4 档" in page
    # Split the top band at 20,000 (3 %) and raise the fixed amount to 0.50.
    income = NATIONAL_INCOME[:3] + [("10000", "20000", "2"), ("20000", "", "3")]
    resp = c.post("/members/dues/tiers/", form_data(income, NATIONAL_RETIREE, fixed="0.50"))
    assert resp.status_code == 302 and resp["Location"] == "/members/dues/tiers/"
    income_rows = [r for r in tier_rows() if r[0] == DuesBase.INCOME]
    assert income_rows[-2:] == [(DuesBase.INCOME, D("10000.00"), D("20000.00"), D("2.00")),
                                (DuesBase.INCOME, D("20000.00"), None, D("3.00"))]
    assert RegistrySettings.current().student_monthly_dues == D("0.50")
    zs = members["zs"]
    zs.monthly_income = D("25000")
    assert services.monthly_dues(zs) == D("750.00")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="members.duestier")
    assert entry.actor == personas.district_admin and entry.object_repr == "党费标准"
    assert entry.changes["student_monthly_dues"] == ["0.20", "0.50"]
    assert any("20000.00" in line for line in entry.changes["tiers"][1])
    # The dues page links here and shows the new band.
    dues = c.get("/members/dues/").content.decode()
    assert 'href="/members/dues/tiers/"' in dues and "修改党费标准" in dues and "20000" in dues


def test_blank_or_ticked_rows_are_dropped(personas, client_for):
    services.dues_tiers()
    c = client_for(personas.district_admin)
    income = [("0", "5000", "1"), ("5000", "", "2"), ("5000", "9000", "7")]
    data = form_data(income, NATIONAL_RETIREE, extra_income=("", "", ""), delete={("income", 2)})
    assert c.post("/members/dues/tiers/", data).status_code == 302
    assert [r[1:] for r in tier_rows() if r[0] == DuesBase.INCOME] == [(D("0.00"), D("5000.00"), D("1.00")),
                                                                       (D("5000.00"), None, D("2.00"))]


@pytest.mark.parametrize("income, retiree, fixed, message", [
    ([("0", "3000", "0.5"), ("4000", "", "1")], NATIONAL_RETIREE, "0.2", "3000 到 4000 之间没有档次"),
    ([("0", "3000", "0.5"), ("2500", "", "1")], NATIONAL_RETIREE, "0.2", "重叠"),
    ([("0", "", "0.5"), ("3000", "", "1")], NATIONAL_RETIREE, "0.2", "没有上限，与后面的档次重叠"),
    ([("100", "3000", "0.5"), ("3000", "", "1")], NATIONAL_RETIREE, "0.2", "最低一档的收入下限应为 0"),
    ([("0", "3000", "0.5"), ("3000", "9000", "1")], NATIONAL_RETIREE, "0.2", "最高一档应不设上限"),
    ([("0", "3000", "0.5"), ("3000", "", "120")], NATIONAL_RETIREE, "0.2", "比例应在 0 到 100% 之间"),
    ([("0", "3000", "-1"), ("3000", "", "1")], NATIONAL_RETIREE, "0.2", "比例应在 0 到 100% 之间"),
    ([("0", "3000", "0.5"), ("3000", "2000", "1")], NATIONAL_RETIREE, "0.2", "收入上限（2000）应大于下限（3000）"),
    ([("-5", "3000", "0.5"), ("3000", "", "1")], NATIONAL_RETIREE, "0.2", "收入下限不能为负数"),
    ([("0", "3000", ""), ("3000", "", "1")], NATIONAL_RETIREE, "0.2", "请填写比例"),
    ([("0", "3000", "abc"), ("3000", "", "1")], NATIONAL_RETIREE, "0.2", "比例应为数字"),
    ([("0", "3000", "0.5"), ("3000", "", "1")], [], "0.2", "离退休党员（按月离退休费）：至少需要一档"),
    (NATIONAL_INCOME, NATIONAL_RETIREE, "-0.1", "金额不能为负数"),
    (NATIONAL_INCOME, NATIONAL_RETIREE, "", "请填写学生、下岗失业、困难党员每月党费"),
    (NATIONAL_INCOME, NATIONAL_RETIREE, "<b>1</b>", "应为数字"),
])
def test_bad_tiers_are_refused_and_nothing_changes(income, retiree, fixed, message, personas, client_for):
    services.dues_tiers()
    before = tier_rows()
    resp = client_for(personas.district_admin).post("/members/dues/tiers/", form_data(income, retiree, fixed))
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert tier_rows() == before
    assert RegistrySettings.current().student_monthly_dues == D("0.20")
    assert not AuditEntry.objects.filter(object_type="members.duestier").exists()


def test_error_names_the_base_and_row(personas):
    with pytest.raises(ValidationError) as exc:
        services.dues_rules_update(actor=personas.district_admin, income=[("0", "3000", "0.5"), ("3000", "1000", "1")],
                                   retiree=[("0", None, "150")], fixed_amount=D("0.2"))
    errors = exc.value.message_dict
    assert errors["income"] == ["在职党员（按月税后收入）第 2 档：收入上限（1000）应大于下限（3000）"]
    assert errors["retiree"] == ["离退休党员（按月离退休费）第 1 档：比例应在 0 到 100% 之间"]


def test_service_refuses_without_rules_permission(personas):
    services.dues_tiers()
    for who in ("street_staff", "secretary", "community_staff", "grid_worker", "member"):
        with pytest.raises(ValidationError):
            services.dues_rules_update(actor=getattr(personas, who), income=[("0", None, "1")],
                                       retiree=[("0", None, "1")], fixed_amount=D("1"))
    assert len(tier_rows()) == 6


VIEWERS = ["street_staff", "secretary", "community_staff", "west_secretary"]
BLIND = ["grid_worker", "member", "liaison", "sysadmin", "auditor", "nobody"]


@pytest.mark.parametrize("who", ["district_admin", *VIEWERS, *BLIND])
def test_role_matrix_dues_tiers(who, personas, client_for):
    services.dues_tiers()
    c = client_for(getattr(personas, who))
    page = c.get("/members/dues/tiers/")
    post = c.post("/members/dues/tiers/", form_data([("0", "", "9")], [("0", "", "9")], "1"))
    if who == "district_admin":
        assert page.status_code == 200 and 'id="tiers-form"' in page.content.decode()
        assert post.status_code == 302 and len(tier_rows()) == 2
        return
    assert len(tier_rows()) == 6
    assert post.status_code == 403
    if who in VIEWERS:  # those who record dues see the tiers in force, read-only
        body = page.content.decode()
        assert page.status_code == 200 and 'id="tiers-form"' not in body and "10000 以上" in body
        assert "查看党费标准" in c.get("/members/dues/").content.decode()
    else:
        assert page.status_code == 403


def test_admin_shows_the_rules_read_only(personas, client_for):
    """The admin would change tiers and the fixed amount without audit: it only shows them."""
    services.dues_tiers()
    tier = DuesTier.objects.first()
    rules = RegistrySettings.current()
    c = client_for(personas.superuser)
    assert c.get("/admin/members/duestier/").status_code == 200
    assert c.get("/admin/members/duestier/add/").status_code == 403
    assert c.get(f"/admin/members/duestier/{tier.pk}/delete/").status_code == 403
    page = c.get(f"/admin/members/duestier/{tier.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    resp = c.post(f"/admin/members/duestier/{tier.pk}/change/", {"base": tier.base, "lower": "0", "upper": "",
                                                                  "rate": "9"})
    assert resp.status_code == 403
    tier.refresh_from_db()
    assert tier.rate != D("9")
    assert c.get("/admin/members/registrysettings/add/").status_code == 403
    resp = c.post(f"/admin/members/registrysettings/{rules.pk}/change/", {"student_monthly_dues": "0.90"})
    assert resp.status_code == 403
    assert RegistrySettings.current().student_monthly_dues == D("0.20")


def test_fixed_amount_is_edited_on_the_tiers_page_only(personas, client_for):
    from members.forms import RulesForm

    assert "student_monthly_dues" not in RulesForm.base_fields
    admin = client_for(personas.district_admin)
    assert 'name="student_monthly_dues"' not in admin.get("/members/dues/").content.decode()
    data = {"deed_quota_min": 1, "deed_quota_max": 2, "mobile_no_contact_months": 6, "arrears_months": 5,
            "student_monthly_dues": "0.90"}
    assert admin.post("/members/dues/", data).status_code == 302
    s = RegistrySettings.current()
    assert s.arrears_months == 5 and s.student_monthly_dues == D("0.20")
    with pytest.raises(TypeError):
        services.settings_update(actor=personas.district_admin, student_monthly_dues=D("0.90"))
    assert 'name="fixed_amount"' in admin.get("/members/dues/tiers/").content.decode()


def _section(body: str, key: str) -> str:
    """The HTML of one card of the form (`income`, `retiree`, `fixed`)."""
    start = body.index(f'id="tiers-{key}"')
    ends = [i for k in ("income", "retiree", "fixed") if (i := body.find(f'id="tiers-{k}"', start + 1)) > 0]
    return body[start:min(ends, default=len(body))]


def _without_management_form(data, prefix):
    return {k: v for k, v in data.items() if not (k.startswith(f"{prefix}-") and k.endswith("_FORMS"))}


@pytest.mark.parametrize("data, section, messages", [
    pytest.param(form_data([("0", "-100", "0.5"), ("3000", "", "1")], NATIONAL_RETIREE), "income",
                 ["在职党员（按月税后收入）第 1 档：收入上限不能为负数"], id="negative-upper"),
    pytest.param(form_data(NATIONAL_INCOME, [("0", "-5000", "0.5"), ("5000", "", "1")]), "retiree",
                 ["离退休党员（按月离退休费）第 1 档：收入上限不能为负数"], id="negative-upper-retiree"),
    pytest.param(form_data([("0", "3000", "0.5"), ("0", "5000", "1"), ("5000", "", "2")], NATIONAL_RETIREE), "income",
                 ["在职党员（按月税后收入）：0–3000 与 0 起的一档重叠"], id="same-lower"),
    pytest.param(form_data([("0", "6000", "0.5"), ("5000", "10000", "1"), ("10000", "", "2")], NATIONAL_RETIREE),
                 "income", ["在职党员（按月税后收入）：0–6000 与 5000 起的一档重叠"], id="overlapping-bands"),
    pytest.param(form_data([("0", "3000", "0.125"), ("3000", "", "1")], NATIONAL_RETIREE), "income",
                 ["比例最多两位小数"], id="rate-3-decimals"),
    pytest.param(form_data(NATIONAL_INCOME, NATIONAL_RETIREE, fixed="100.01"), "fixed",
                 ["学生、下岗失业、困难党员每月党费：金额不能超过 100 元"], id="fixed-above-100"),
    pytest.param(form_data(NATIONAL_INCOME, NATIONAL_RETIREE, fixed="0.205"), "fixed",
                 ["学生、下岗失业、困难党员每月党费（元）最多两位小数"], id="fixed-3-decimals"),
    pytest.param(_without_management_form(form_data(NATIONAL_INCOME, NATIONAL_RETIREE), "income"), "income",
                 ["ManagementForm 数据缺失或被篡改", "income-TOTAL_FORMS", "income-INITIAL_FORMS"],
                 id="no-management-form"),
    pytest.param(_without_management_form(form_data(NATIONAL_INCOME, NATIONAL_RETIREE), "retiree"), "retiree",
                 ["ManagementForm 数据缺失或被篡改", "retiree-TOTAL_FORMS"], id="no-management-form-retiree"),
    pytest.param({**form_data(NATIONAL_INCOME, NATIONAL_RETIREE), "income-TOTAL_FORMS": "abc"}, "income",
                 ["ManagementForm 数据缺失或被篡改", "income-TOTAL_FORMS"], id="garbled-management-form"),
])
def test_more_bad_input_is_refused_in_chinese_and_nothing_is_saved(data, section, messages, personas, client_for):
    """Each refusal is a 400 (never a 500) whose message names the field, shown in the card it concerns; the
    tiers, the fixed amount and the audit trail stay as they were."""
    services.dues_tiers()
    before = tier_rows()
    resp = client_for(personas.district_admin).post("/members/dues/tiers/", data)
    assert resp.status_code == 400
    card = _section(resp.content.decode(), section)
    for message in messages:
        assert message in card
    assert "已保存党费标准" not in resp.content.decode()
    assert tier_rows() == before
    assert RegistrySettings.current().student_monthly_dues == D("0.20")
    assert not AuditEntry.objects.filter(object_type="members.duestier").exists()
    assert not AuditEntry.objects.exists()


def test_service_refuses_the_same_inputs_without_writing(personas):
    """The service checks everything before it writes: with bad retiree bands the valid income bands and
    fixed amount are not saved either (no half-way update)."""
    services.dues_tiers()
    before = tier_rows()
    cases = [
        dict(income=[("0", "-100", "0.5"), ("3000", None, "1")], retiree=[("0", None, "1")], fixed_amount=D("0.2")),
        dict(income=[("0", "3000", "0.5"), ("0", None, "1")], retiree=[("0", None, "1")], fixed_amount=D("0.2")),
        dict(income=[("0", None, "9")], retiree=[("0", None, "1")], fixed_amount=D("100.01")),
        dict(income=[("0", None, "9")], retiree=[("0", "5000", "1"), ("4000", None, "2")], fixed_amount=D("0.5")),
    ]
    fields = ["income", "income", "fixed_amount", "retiree"]
    for kwargs, field in zip(cases, fields, strict=True):
        with pytest.raises(ValidationError) as exc:
            services.dues_rules_update(actor=personas.district_admin, **kwargs)
        assert list(exc.value.message_dict) == [field]
        assert tier_rows() == before
        assert RegistrySettings.current().student_monthly_dues == D("0.20")
    assert not AuditEntry.objects.exists()
