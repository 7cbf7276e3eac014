"""The permission audit's pages check. accounts.roles grants it (to the audit admin); audit asks Django's
``user.has_perm``, which accounts' backend answers from the roles, so audit imports nothing above it."""

AUDIT_VIEW = "audit.view"  # read and export the audit log
