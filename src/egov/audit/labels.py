"""How a recorded read is named to the person it is about ("who read my data": the exchange's
/accounts/me/data-reads/ and the registries' /accounts/me/data-use/).

The log stores what the reader wrote, in Chinese (``purpose`` of an audit event, ``case`` of a
``SubjectRead``): the purposes the platform itself writes are known and shown in the active
language; anything else (a 办件编号, a purpose an organization typed) is shown as stored. A read
with no organization was made by the platform itself (``core.actors.SYSTEM``: the real-name check
at registration, 实名认证), and is named as the platform, not left blank."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Purposes the platform writes (accounts.actions.account_verify: 实名认证, issue 17).
KNOWN_PURPOSES = {
    "实名认证": _("Real-name verification"),
}
# services.once_only.PREFILL_CASE: "预填申请表：<item name>" (the item's name stays as stored).
PREFILL_PREFIX = "预填申请表："


def purpose_label(purpose: str) -> str:
    """``purpose`` as stored (``"实名认证"``, ``"预填申请表：食品经营许可（新办）"``, a 办件编号) →
    the text shown in the active language: a known purpose translated, the prefill's prefix
    translated before the item's name, anything else unchanged; ``""`` for ``""``."""
    purpose = purpose or ""
    if purpose in KNOWN_PURPOSES:
        return str(KNOWN_PURPOSES[purpose])
    if purpose.startswith(PREFILL_PREFIX):
        return gettext("Filling in the application form: %(item)s") % {"item": purpose[len(PREFILL_PREFIX):]}
    return purpose


def reader_label(organization, recorded_label: str) -> str:
    """The reader's name: ``organization`` (an ``orgs.Organization`` or None) in the active
    language while it exists, else the label recorded with the read, else — for a read with no
    organization at all — the platform itself (市政务服务平台 / the city's e-government platform)."""
    if organization is not None:
        return organization.local_name
    return recorded_label or gettext("The city's e-government platform")
