"""manage.py audit_verify: walk the audit log's hash chain; exit 1 on a gap, a broken link or an edit."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify


class Command(BaseCommand):
    help = "校验审计日志的哈希链：发现缺失（删除）、断链或被修改的记录时以状态 1 退出"

    def handle(self, *args, **options):
        report = verify()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"审计日志校验未通过：{len(report.problems)} 处问题（已检查 {report.checked} 条）")
        if report.checked:
            self.stdout.write(f"审计日志校验通过：第 {report.first_seq}–{report.last_seq} 条，共 {report.checked} 条，"
                              f"链尾校验值 {report.head}")
        else:
            self.stdout.write("审计日志为空")
