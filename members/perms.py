"""Permissions of the member registry (granted per role in apps.py)."""


class MembersPerm:
    VIEW = "members.view"        # see member records of the scope (masked personal data)
    EDIT = "members.edit"        # register and edit members, dues, mobility, request transfers
    CONFIRM = "members.confirm"  # confirm or return dual registrations and incoming transfers
    IMPORT = "members.import"    # bulk import from .xlsx
    EXPORT = "members.export"    # roster .xlsx, member and activity cards
    RULES = "members.rules"      # edit quotas and thresholds
    SELF = "members.self"        # a Party member's own record (我的档案): global, only opens the menu entry;
                                 # it grants no scope, the page shows only the linked record
