"""Re-import of residents: the residents of the file, found by ID number through the keyed hash, get the
values of the file's filled cells, after a preview of every change (imports previews). Each resident
is saved through grid.services.resident_update, so it is audited as an edit. The address must be the
resident's own house: moving is 户内迁移 (grid.services.resident_transfer), not an import."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.scope import scope_filter
from bulkimport import cell_text
from core.crypto import blind_index
from core.masking import mask_value

from .apps import GridPerm
from .imports import ResidentImporter
from .models import CARE_TAGS, Relation, Resident, ResidentKind, ResidentStatus

# Column key → what the file may change (a blank cell leaves the value as it is).
UPDATABLE = ["name", "phone", "kind", "relation", "care", "arrival_date", "permit_expiry", "joined_on"]
_CARE_KEYS = {bit: key for key, bit, _ in CARE_TAGS}


def _current(r: Resident, key: str):
    return r.care_flags if key == "care" else getattr(r, key)


def _shown(key: str, value, column) -> str:
    if value in (None, "") or (key == "care" and not value):
        return ""
    if key == "kind":
        return ResidentKind(value).label
    if key == "relation":
        return Relation(value).label
    if key == "care":
        return "、".join(label for _, bit, label in CARE_TAGS if value & bit)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return mask_value(column.mask, text) if column is not None and column.mask else text


class ResidentUpdateImporter(ResidentImporter):
    kind = "grid.resident_update"
    label = "居民信息更新"
    template_name = "居民导入模板"
    intro = ("按身份证号找到已登记的在住居民，用文件中填写的单元格更新其信息（空单元格不改动）；"
             "上传后先逐人列出将修改的内容，确认后才保存。住址须与系统一致，搬家请在居民页面办理户内迁移。")
    done_message = "已更新 {n} 名居民。"
    streaming = False
    previews = True

    def prepare(self, rows) -> None:
        super().prepare(rows)
        residents = scope_filter(Resident.objects.filter(status=ResidentStatus.ACTIVE), self.actor, GridPerm.PEOPLE)
        self.residents = {r.id_number_hash: r for r in residents.filter(
            id_number_hash__in=list(self.hashes.values())).select_related("household__house", "grid")}

    def check_rows(self, rows) -> None:
        for r in rows:
            v = r.values
            number = v.get("id_number")
            if not number:
                r.add_error("id_number", "按身份证号更新，须填写身份证号")
                continue
            resident = self.residents.get(self.hashes.get(number) or blind_index(number, purpose="id_number"))
            if resident is None:
                r.add_error("id_number", "您的管辖范围内没有该身份证号的在住居民；新居民请用“Excel 导入”登记")
                continue
            house_id = self.houses.get((v["building_id"], v.get("unit") or "", v["number"]))
            if house_id != resident.household.house_id:
                r.add_error("number", f"住址与系统中的“{resident.household.house.address}”不同；搬家请办理户内迁移")
                continue
            r.resident = resident
            try:
                self._check(resident, self._updates(r))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        r.add_error("care" if field == "care_tags" else field, message)

    def _updates(self, row) -> dict:
        resident, v = row.resident, row.values
        out = {}
        for key in UPDATABLE:
            if cell_text(row.raw.get(key)) != "" and v.get(key) != _current(resident, key):
                out[key] = v[key]
        return out

    def _arguments(self, resident: Resident, updates: dict) -> dict:
        flags = updates.get("care", resident.care_flags)
        return {"name": updates.get("name", resident.name), "phone": updates.get("phone"),
                "kind": updates.get("kind", resident.kind), "relation": updates.get("relation", resident.relation),
                "care_tags": [_CARE_KEYS[bit] for _, bit, _ in CARE_TAGS if flags & bit],
                "arrival_date": updates.get("arrival_date", resident.arrival_date),
                "permit_expiry": updates.get("permit_expiry", resident.permit_expiry),
                "joined_on": updates.get("joined_on")}

    def _check(self, resident: Resident, updates: dict) -> None:
        """What resident_update checks that the row's own checks cannot see: the merged values."""
        from .services.residents import clean_resident

        a = self._arguments(resident, updates)
        if not updates:
            return
        clean_resident(name=a["name"], id_number=resident.id_number, phone=a["phone"] or resident.phone,
                       kind=a["kind"], relation=a["relation"], arrival_date=a["arrival_date"],
                       permit_expiry=a["permit_expiry"])

    def preview(self, rows):
        changes = []
        for r in rows:
            updates = self._updates(r)
            if not updates:
                continue
            res = r.resident
            fields = [{"label": self.column_by_key[k].header, "old": _shown(k, _current(res, k), self.column_by_key[k]),
                       "new": _shown(k, val, self.column_by_key[k])} for k, val in updates.items()]
            changes.append({"row": r.number, "title": f"{res.name}（{res.household.house.address}）",
                            "url": reverse("grid:resident", args=[res.pk]), "fields": fields,
                            "key": [res.pk, r.number, sorted((k, str(_current(res, k)), str(val))
                                                             for k, val in updates.items())]})
        return changes

    def save_rows(self, rows) -> int:
        from .services import resident_update

        count = 0
        for r in rows:
            updates = self._updates(r)
            if updates:
                resident_update(actor=self.actor, resident=r.resident, **self._arguments(r.resident, updates))
                count += 1
        return count

    @classmethod
    def fix_link(cls, error):
        reason = error.get("reason", "")
        if reason.startswith("您的管辖范围内没有该身份证号的在住居民"):
            return ("登记新居民", reverse("grid:import"))
        return None
