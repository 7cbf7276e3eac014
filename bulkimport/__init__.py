"""Excel (.xlsx) bulk import shared by every app: declare an importer, get upload, validation,
result pages, bad-row export, background processing and a template download.

An app declares::

    class MemberImporter(Importer):
        kind = "members.member"                 # unique key, also in ImportJob.kind
        label = "党员"
        perm = "members.import"
        sheet_name = "党员"                     # None: the first sheet
        columns = [
            Column("name", "姓名", required=True, parser=text(50), mask="name"),
            Column("id_number", "身份证号", required=True, parser=id_number, mask="id_number"),
        ]
        unique_columns = ["id_number"]          # duplicates inside the file are reported

        def prepare(self, rows): ...            # prefetch lookups (optional)
        def clean_org(self, value): ...         # per-cell check needing the importer's state (optional)
        def clean_row(self, row): ...           # row-level checks: raise ValidationError({key: msg})
        def check_rows(self, rows): ...         # cross-row / database checks: row.add_error(key, msg)
        def build(self, row): return Member(**row.values)   # or override save_rows()

and mounts the pages in its urls.py: ``urlpatterns += import_urls(MemberImporter)``.

Flow: the upload is checked (size, zip container, sheet, headers, merged header cells,
formulas, row limit) while the user waits; small files are validated and saved in the request,
bigger ones (over ``IMPORT_SYNC_ROWS`` rows) by the ``run_import_job`` background task while the
result page polls its progress with htmx. Saving is all-or-nothing inside one transaction
(``bulk_create`` in batches) unless the user chose to import only the good rows; then the bad
rows can be downloaded as .xlsx: the error report, written when the job ends, with personal
columns masked. The uploaded workbook itself (private storage) is deleted when the job ends.

The package, by topic: ``parsers`` (cell parsers), ``importer`` (declaring an importer, checking
and saving its rows, the registry), ``reading`` (the workbook), ``jobs`` (running a job, the
background task), ``files`` (template and bad rows), ``views`` (the pages), ``bulk`` (fast inserts).
Everything public is re-exported here: import from ``imports``.
"""

from .bulk import (
    RowPlan,
    RowStream,
    allocate_ids,
    bulk_insert,
    existing_values,
    file_hashes,
    insert_rows,
    iter_chunks,
    side_query,
)
from .files import XLSX_CONTENT_TYPE, bad_rows_xlsx, template_xlsx
from .importer import (
    IMPORTERS,
    Column,
    FileProblem,
    Importer,
    ImportOutcome,
    ImportRow,
    get_importer,
    register_importer,
)
from .jobs import preview_import, run_import, run_import_job, start_import
from .parsers import (
    cell_text,
    choice,
    date_value,
    decimal_value,
    id_number,
    integer,
    mobile,
    text,
    today,
)
from .reading import SheetData, read_sheet
from .views import import_urls

__all__ = [
    "Column",
    "FileProblem",
    "IMPORTERS",
    "ImportOutcome",
    "ImportRow",
    "Importer",
    "RowPlan",
    "RowStream",
    "SheetData",
    "XLSX_CONTENT_TYPE",
    "allocate_ids",
    "bad_rows_xlsx",
    "bulk_insert",
    "cell_text",
    "choice",
    "date_value",
    "decimal_value",
    "existing_values",
    "file_hashes",
    "get_importer",
    "id_number",
    "import_urls",
    "insert_rows",
    "integer",
    "iter_chunks",
    "mobile",
    "preview_import",
    "read_sheet",
    "register_importer",
    "run_import",
    "run_import_job",
    "side_query",
    "start_import",
    "template_xlsx",
    "text",
    "today",
]
