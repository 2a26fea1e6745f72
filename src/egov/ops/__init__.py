"""Operations of a running platform: backups and the restore drill (``egov ops``; docs/operations.md).

``egov.ops.backup``: pgBackRest backups to every repository with the stored files and the audit
anchor file beside each; ``egov.ops.drill``: the restore drill. The command is
``egov.management.commands.ops``.
"""
