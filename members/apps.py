from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "党员管理"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import Role, register_global_permissions, register_permissions

        from . import imports  # noqa: F401  (registers the importer)
        from .perms import MembersPerm as P
        from .selectors import has_own_record

        everything = {P.VIEW, P.EDIT, P.CONFIRM, P.IMPORT, P.EXPORT}
        register_permissions({
            Role.DISTRICT_ADMIN: everything | {P.RULES},
            Role.STREET_STAFF: everything,
            Role.COMMUNITY_SECRETARY: everything,
            Role.COMMUNITY_STAFF: {P.VIEW, P.EDIT, P.IMPORT},
            Role.PARTY_MEMBER: {P.SELF},  # the menu entry of 我的档案; the page shows only the linked record
        })
        # members.self only gates the menu entry: it must never scope a query to the 党员's community.
        register_global_permissions({P.SELF})
        register(
            MenuEntry("党员名册", "members:list", P.VIEW, "党员管理", 300),
            MenuEntry("党员一览表", "members:roster", P.VIEW, "党员管理", 305),
            MenuEntry("双报到", "members:dual", P.VIEW, "党员管理", 310),
            MenuEntry("流动党员", "members:mobile", P.VIEW, "党员管理", 320),
            MenuEntry("组织关系转接", "members:transfers", P.VIEW, "党员管理", 330),
            MenuEntry("党费", "members:dues", P.VIEW, "党员管理", 340),
            MenuEntry("党员统计", "members:stats", P.VIEW, "党员管理", 350),
            MenuEntry("导入党员", "members:import", P.IMPORT, "党员管理", 360),
            MenuEntry("我的档案", "members:me", P.SELF, "工作台", 20, also_for=has_own_record),
        )

        from django.db.models.signals import post_migrate

        from .services.dues import restore_default_rules

        post_migrate.connect(restore_default_rules, sender=self, dispatch_uid="members-default-rules")
