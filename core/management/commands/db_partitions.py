"""manage.py db_partitions: create the coming months' partitions of the audit log and the demand
events (PostgreSQL), and report them. Run it as the database owner role (the monthly timer
dangjian-partitions.timer); `--check` only reports and exits 1 when a month is missing or rows fell
into a DEFAULT partition (alert on it)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import partitions


class Command(BaseCommand):
    help = "为审计日志和诉求处理记录提前创建按月分区（PostgreSQL），并报告分区状况"

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=partitions.AHEAD, help="提前创建的月数（默认 3）")
        parser.add_argument("--check", action="store_true", help="只检查：缺少月份或默认分区有数据时退出码为 1")

    def handle(self, *args, ahead, check, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite 不分区：无事可做")
            return
        if ahead < 1 or ahead > 24:
            raise CommandError(f"--ahead 应在 1 到 24 之间，收到 {ahead}")
        result = partitions.status(ahead=ahead) if check else partitions.ensure(ahead=ahead)
        problems = []
        for st in result:
            if st.partitioned:
                span = f"{st.months[0]} 至 {st.months[-1]}，共 {len(st.months)} 个月" if st.months else "无月份分区"
                line = f"{st.table}（按 {st.column} 分区）：{span}；默认分区 {st.default_rows} 行"
                if st.created:
                    line += f"；新建 {'、'.join(st.created)}"
                self.stdout.write(line)
            problems.extend(st.problems)
        if problems:
            raise CommandError("；".join(problems))
