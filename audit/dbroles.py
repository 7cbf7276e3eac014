"""The two PostgreSQL roles: an owner that runs migrations and the archive, and the application role
the service connects as, which does not own the audit table and so can neither change nor empty it,
nor drop its triggers. `manage.py audit_db_roles` prints (or applies) this SQL; docs/security.md
"The two database roles" explains it."""

from __future__ import annotations

import re

AUDIT_TABLE = "audit_auditentry"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"角色名只能由小写字母、数字和下划线组成：{name!r}")
    return name


def roles_sql(*, owner: str, app: str, schema: str = "public") -> str:
    """SQL for a superuser (or the database's owner) to run once after `migrate`; safe to run again."""
    owner, app, schema = check_name(owner), check_name(app), check_name(schema)
    return f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN CREATE ROLE {owner} LOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN CREATE ROLE {app} LOGIN; END IF;
END $$;
ALTER ROLE {app} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
ALTER SCHEMA {schema} OWNER TO {owner};
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = '{schema}' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
             AND (c.relkind <> 'S' OR NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid
                                                  AND d.deptype IN ('a', 'i'))) LOOP
    EXECUTE format('ALTER %s {schema}.%I OWNER TO {owner}',
                   CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                  WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.relname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = '{schema}' AND p.proname IN ('audit_append_only', 'audit_no_truncate') LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO {owner}', r.sig);
  END LOOP;
END $$;
REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC;
GRANT USAGE ON SCHEMA {schema} TO {app};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {app};
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {schema}.{AUDIT_TABLE} FROM {app};
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = to_regclass('{schema}.{AUDIT_TABLE}') LOOP
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {schema}.%I FROM {app}', r.relname);
  END LOOP;
END $$;
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app};
""".strip() + "\n"
