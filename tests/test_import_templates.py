"""The import templates, opened as real .xlsx files: a valid example row, a drop-down list for every
choice column, what each column accepts in its header comment."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from bulkimport import Column, Importer, choice, template_xlsx, text
from bulkimport.files import column_options
from core.idnumber import parse_id_number
from grid.imports import ResidentImporter
from members.imports import MemberImporter

IMPORTERS = [MemberImporter, ResidentImporter]


def _open(importer_cls):
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(importer_cls)))
    return wb, wb[importer_cls.sheet_name]


def _list_values(wb, validation) -> list[str]:
    formula = validation.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells = formula.lstrip("=").split("!")
    first, last = cells.replace("$", "").split(":")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[first:last] for c in row]


@pytest.mark.parametrize("importer_cls", IMPORTERS, ids=lambda c: c.kind)
def test_the_example_row_is_valid(importer_cls):
    wb, ws = _open(importer_cls)
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in importer_cls.columns]
    example = {col.key: ws.cell(row=2, column=i + 1).value for i, col in enumerate(importer_cls.columns)}
    assert all(example[c.key] for c in importer_cls.columns if c.required), example
    # Every example cell passes its column's own parser; the ID number has the right check digit.
    for col in importer_cls.columns:
        if example[col.key] and col.parser:
            col.parser(example[col.key])
    parse_id_number(example["id_number"])


@pytest.mark.parametrize("importer_cls", IMPORTERS, ids=lambda c: c.kind)
def test_every_choice_column_has_a_drop_down_list(importer_cls):
    wb, ws = _open(importer_cls)
    lists = {}
    for v in ws.data_validations.dataValidation:
        if v.type == "list":
            for rng in v.sqref.ranges:
                lists[rng.min_col] = (v, str(rng))
    choice_columns = [(i + 1, c) for i, c in enumerate(importer_cls.columns) if column_options(c)]
    assert choice_columns, "the importer has choice columns"
    for number, col in choice_columns:
        validation, cells = lists[number]
        letter = openpyxl.utils.get_column_letter(number)
        assert cells == f"{letter}2:{letter}5001", col.header
        values = _list_values(wb, validation)
        assert values == column_options(col), col.header
        assert validation.showErrorMessage and col.header in validation.error
        # Every option offered is accepted by the import.
        for option in values:
            col.parser(option)
    assert set(lists) == {n for n, _ in choice_columns}


def test_member_template_lists_and_comments():
    wb, ws = _open(MemberImporter)
    by_header = {c.value: c for c in ws[1]}
    assert "男、女" in by_header["性别"].comment.text
    assert "在职党员" in by_header["党员类别"].comment.text and "下拉" in by_header["党员类别"].comment.text
    assert "校验码" in by_header["身份证号"].comment.text
    assert "不晚于今天" in by_header["入党日期"].comment.text
    assert "最多 50 个字" in by_header["姓名"].comment.text
    assert by_header["姓名"].comment.text.startswith("必填")
    assert by_header["手机号"].comment.text.startswith("选填")
    lengths = {rng.min_col: v for v in ws.data_validations.dataValidation if v.type == "textLength"
               for rng in v.sqref.ranges}
    assert lengths[1].formula1 == "50" and lengths[1].operator == "lessThanOrEqual"
    # The category column offers the six labels, not the aliases the import also accepts.
    category = MemberImporter.columns[[c.key for c in MemberImporter.columns].index("category")]
    assert column_options(category) == ["在职党员", "离退休党员", "下岗失业党员", "流动党员", "困难党员", "学生党员"]
    with pytest.raises(ValidationError):
        category.parser("党员")


def test_a_long_list_goes_to_a_hidden_sheet():
    class LongImporter(Importer):
        kind = "test.long_list"
        label = "长列表"
        sheet_name = "数据"
        columns = [Column("name", "名称", required=True, parser=text(10)),
                   Column("place", "地点", parser=choice({f"第{i}号很长很长的地点名称": i for i in range(40)}))]

    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(LongImporter)))
    assert wb.sheetnames == ["数据", "可选值"] and wb["可选值"].sheet_state == "hidden"
    (validation,) = [v for v in wb["数据"].data_validations.dataValidation if v.type == "list"]
    assert _list_values(wb, validation) == [f"第{i}号很长很长的地点名称" for i in range(40)]
