"""manage.py audit_db_roles: the SQL that creates the owner and application roles and their grants."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.dbroles import roles_sql


class Command(BaseCommand):
    help = "生成（或以 --apply 执行）数据库属主角色与应用角色的建立及授权 SQL（仅 PostgreSQL）"

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="dangjian_owner", help="属主角色：执行迁移与审计归档")
        parser.add_argument("--app", default="dangjian_app", help="应用角色：服务运行时连接数据库所用")
        parser.add_argument("--apply", action="store_true", help="以当前 DATABASE_URL（须为超级用户或库属主）执行")

    def handle(self, *args, owner, app, apply, **options):
        try:
            sql = roles_sql(owner=owner, app=app)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not apply:
            self.stdout.write(sql)
            return
        if connection.vendor != "postgresql":
            raise CommandError("两个数据库角色只适用于 PostgreSQL")
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
        self.stdout.write(f"已建立角色 {owner}（属主）与 {app}（应用），并完成授权")
