"""Writes of the catalogue and of stored material files. Each is atomic and audited."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, ValidationFailed
from egov.core.text import text_clean
from egov.facilities.files import FileSpec, StoredUpload, file_check, file_store, files_store
from egov.facilities.models import StoredFile
from egov.orgs.models import Organization
from egov.services.codes import item_code_check
from egov.services.formschema import form_schema_check
from egov.services.models import ItemTheme, LifeEvent, Material, ServiceItem
from egov.services.permissions import require_catalog_editor, require_uploader

APPLICANT_KINDS = ("natural", "legal")
_NAME_MAX = 200
_LIMIT_MAX = 365  # working days; no statute sets more for a service item
# The English texts of an item (``egov.core.i18n``) and their longest length in characters.
_ENGLISH_LIMITS = {"name_en": 300, "conditions_en": 5000, "time_limit_note_en": 500, "fee_description_en": 5000,
                   "licence_name_en": 300}


@dataclass
class MaterialSpec:
    """What ``service_item_create`` needs to know about one material (办理材料).

    ``accepted_types`` are ``StoredFile.Kind`` values; ``max_size_bytes`` at most
    ``settings.EGOV_MATERIAL_MAX_BYTES``; ``copies`` at least 1; ``name_en``/``note_en`` the English
    texts (``egov.core.i18n``), empty when there are none.
    """

    name: str
    required: bool = True
    form: str = Material.Form.ELECTRONIC
    copies: int = 1
    accepted_types: list[str] = field(default_factory=lambda: ["pdf", "ofd", "jpeg", "png"])
    max_size_bytes: int = 10 * 1024 * 1024
    note: str = ""
    name_en: str = ""
    note_en: str = ""
    held_as: str = ""  # 免提交: what the platform holds in its place (``services.once_only``)


HELD_AS_REGISTERS = ("register:population", "register:legal-entity")


def _fail(field_name: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": field_name, "rule": rule})


def _text(value: str, field_name: str, *, required: bool = True, max_length: int = _NAME_MAX) -> str:
    return text_clean(value, field=field_name, limit=max_length, required=required)


def _check_limits(legal: int | None, promised: int) -> None:
    """法定时限 and 承诺时限 in working days: 0 ≤ promised ≤ legal ≤ 365 (promised 0 = 即办)."""
    if legal is not None and not (isinstance(legal, int) and 0 <= legal <= _LIMIT_MAX):
        raise _fail("legal_limit_days", "range", _("The legal time limit is a number of working days from 0 to "
                                                   "%(max)d.") % {"max": _LIMIT_MAX})
    if not (isinstance(promised, int) and 0 <= promised <= _LIMIT_MAX):
        raise _fail("promised_limit_days", "range", _("The promised time limit is a number of working days from 0 "
                                                      "to %(max)d.") % {"max": _LIMIT_MAX})
    if legal is not None and promised > legal:
        raise _fail("promised_limit_days", "exceeds_legal_limit",
                    _("The promised time limit (%(promised)d working days) cannot exceed the legal time limit "
                      "(%(legal)d).") % {"promised": promised, "legal": legal})


def _check_legal_basis(basis: Any) -> list[dict]:
    if not isinstance(basis, list) or not basis:
        raise _fail("legal_basis", "required", _("Name at least one law or regulation that sets this item."))
    checked = []
    for entry in basis:
        title = _text(entry.get("title", "") if isinstance(entry, dict) else "", "legal_basis", max_length=300)
        provision = _text(entry.get("provision", ""), "legal_basis", required=False, max_length=300)
        english = {key: _text(entry.get(key, ""), "legal_basis", required=False, max_length=500)
                   for key in ("title_en", "provision_en")}
        checked.append({"title": title, "provision": provision, **{k: v for k, v in english.items() if v}})
    return checked


def _check_material(spec: MaterialSpec, index: int) -> Material:
    path = f"materials.{index}"
    kinds = set(StoredFile.Kind.values)
    if not spec.accepted_types or not set(spec.accepted_types) <= kinds:
        raise _fail(f"{path}.accepted_types", "file_type",
                    _("Accepted file types are chosen among %(kinds)s.") % {"kinds": ", ".join(sorted(kinds))})
    if spec.form not in Material.Form.values:
        raise _fail(f"{path}.form", "choice", _("A material is an original, a copy or electronic."))
    if not 1 <= spec.max_size_bytes <= settings.EGOV_MATERIAL_MAX_BYTES:
        raise _fail(f"{path}.max_size_bytes", "range", _("The largest file may be at most %(n)d bytes.")
                    % {"n": settings.EGOV_MATERIAL_MAX_BYTES})
    if not 1 <= spec.copies <= 99:
        raise _fail(f"{path}.copies", "range", _("Copies are counted from 1 to 99."))
    held_as = (spec.held_as or "").strip()
    if held_as and held_as not in HELD_AS_REGISTERS and not (held_as.startswith("licence:") and len(held_as) > 8):
        raise _fail(f"{path}.held_as", "choice", _("A material is held as register:population, "
                                                   "register:legal-entity or licence:<item code>."))
    return Material(name=_text(spec.name, f"{path}.name"), required=bool(spec.required), form=spec.form,
                    held_as=held_as, copies=spec.copies, accepted_types=sorted(set(spec.accepted_types)),
                    max_size_bytes=spec.max_size_bytes, note=(spec.note or "").strip(), sort_order=index,
                    name_en=_text(spec.name_en, f"{path}.name_en", required=False, max_length=400),
                    note_en=(spec.note_en or "").strip())


def _check_parent(parent: ServiceItem | None, level: str, code: str) -> None:
    """A sub-item hangs under its main item; a business-handling item under its sub-item, or under its
    main item when the sub-item digits are 000. The parent's code is this code with the lower parts
    zeroed, so the hierarchy and the codes cannot disagree."""
    if level == ServiceItem.Level.MAIN:
        if parent is not None:
            raise _fail("parent", "level", _("A main item (sub-item code 000) has no parent item."))
        return
    if parent is None:
        raise _fail("parent", "required", _("A sub-item or business-handling item needs its parent item."))
    expected = code[:27] + "00000" if level == ServiceItem.Level.SUB else code[:30] + "00"
    if parent.code != expected:
        raise _fail("parent", "code_prefix", _("The parent item's code must be %(code)s.") % {"code": expected})


@transaction.atomic
def service_item_create(
    *,
    actor,
    organization: Organization,
    code: str,
    name: str,
    item_type: str,
    legal_basis: list[dict],
    promised_limit_days: int,
    online_depth: int,
    legal_limit_days: int | None = None,
    time_limit_note: str = "",
    applicant_kinds: Iterable[str] = APPLICANT_KINDS,
    conditions: str = "",
    charges_fee: bool = False,
    fee_description: str = "",
    max_visits: int = 1,
    issues_licence: bool = False,
    licence_name: str = "",
    licence_valid_years: int | None = None,
    process_key: str = "standard_permit",
    process_steps: Iterable[str] = (),
    form_schema: dict | None = None,
    materials: Iterable[MaterialSpec] = (),
    parent: ServiceItem | None = None,
    handling_kind: str = "",
    is_published: bool = True,
    sort_order: int = 0,
    themes: Iterable[str] = (),
    english: dict | None = None,
) -> ServiceItem:
    """Add an item to the catalogue (政务服务事项实施清单) with its materials and form.

    Args:
        actor: an operator of ``organization`` or above (``orgs.permissions``), or None for the platform.
        code: the implementation code, checked by ``egov.services.codes.item_code_check`` against
            ``item_type`` and the organization's USCC; its level (main/sub/handling) follows from it.
        legal_basis: ``[{"title": "《中华人民共和国行政许可法》", "provision": "第四十二条"}, ...]``, at least one.
        legal_limit_days, promised_limit_days: 法定时限 and 承诺时限 in working days, 0 ≤ promised ≤ legal
            ≤ 365; ``legal_limit_days=None`` when no statute sets one; promised 0 = done on the spot.
        online_depth: 1–4 (``ServiceItem.OnlineDepth``); ``max_visits`` 0 when ``online_depth`` is 4.
        applicant_kinds: ``"natural"`` and/or ``"legal"``.
        form_schema: JSON Schema of the application form (``egov.services.formschema``), or None.
        materials: ``MaterialSpec`` rows, names unique within the item.
        parent, handling_kind: for a sub-item or business-handling item (新设/变更/延续/注销).
        licence_valid_years: how long the item's licence is valid, 1–99 years; None: without limit (长期).
        themes: its life events (主题分类), ``LifeEvent`` values.
        english: the English texts (``egov.core.i18n``), any of ``name_en``, ``conditions_en``,
            ``time_limit_note_en``, ``fee_description_en``, ``licence_name_en`` and
            ``process_steps_en`` (a list, one per step); ``legal_basis`` entries and form fields
            carry theirs as ``title_en``/``provision_en`` and ``title_en``/``description_en``.

    Returns:
        The saved item with its materials.

    Raises:
        PermissionDenied: the actor is not an operator over ``organization``.
        ValidationFailed: ``extra["field"]`` names the field (``code``, ``name``, ``item_type``,
            ``legal_basis``, ``legal_limit_days``, ``promised_limit_days``, ``online_depth``,
            ``max_visits``, ``applicant_kinds``, ``fee_description``, ``licence_name``, ``licence_valid_years``,
            ``parent``, ``handling_kind``, ``form_schema…``, ``materials.<i>.<field>``, ``themes``,
            ``english``). Nothing is written.
        Conflict: an item with this code exists already.
    """
    require_catalog_editor(actor, organization)
    if item_type not in ServiceItem.ItemType.values:
        raise _fail("item_type", "choice", _("Unknown item type: %(type)s") % {"type": item_type})
    parsed = item_code_check(code, item_type=item_type, organization_uscc=organization.uscc)
    _check_limits(legal_limit_days, promised_limit_days)
    if online_depth not in ServiceItem.OnlineDepth.values:
        raise _fail("online_depth", "choice", _("The online depth is a level from 1 to 4."))
    if not (isinstance(max_visits, int) and 0 <= max_visits <= 9) or (online_depth == 4 and max_visits != 0):
        raise _fail("max_visits", "range", _("Visits are 0 to 9, and 0 when the item is fully online."))
    kinds = sorted(set(applicant_kinds))
    if not kinds or not set(kinds) <= set(APPLICANT_KINDS):
        raise _fail("applicant_kinds", "choice", _("Applicants are natural persons, legal persons or both."))
    if charges_fee and not (fee_description or "").strip():
        raise _fail("fee_description", "required", _("Say what the fee is and by which rule it is charged."))
    if issues_licence and not (licence_name or "").strip():
        raise _fail("licence_name", "required", _("Name the licence the item issues."))
    valid_years = licence_valid_years
    if valid_years is not None and not (isinstance(valid_years, int) and 1 <= valid_years <= 99):
        raise _fail("licence_valid_years", "range", _("A licence is valid for 1 to 99 years, or without limit."))
    if parsed.level == ServiceItem.Level.HANDLING and handling_kind not in ServiceItem.HandlingKind.values:
        raise _fail("handling_kind", "choice", _("A business-handling item is new, change, renewal, cancellation "
                                                 "or other."))
    if parsed.level != ServiceItem.Level.HANDLING and handling_kind:
        raise _fail("handling_kind", "level", _("Only business-handling items have a handling kind."))
    _check_parent(parent, parsed.level, parsed.code)
    english = dict(english or {})
    unknown = set(english) - set(_ENGLISH_LIMITS) - {"process_steps_en"}
    if unknown:
        raise _fail("english", "unknown", _("Unknown English text: %(name)s") % {"name": sorted(unknown)[0]})
    steps_en = [_text(step, "process_steps_en", max_length=200) for step in english.pop("process_steps_en", [])]
    if steps_en and len(steps_en) != len(list(process_steps)):
        raise _fail("process_steps_en", "length", _("Give one English name for each process step."))
    english = {key: _text(value, key, required=False, max_length=_ENGLISH_LIMITS[key])
               for key, value in english.items()}
    themes = sorted(set(themes))
    if not set(themes) <= set(LifeEvent.values):
        raise _fail("themes", "choice", _("Unknown life event: %(theme)s")
                    % {"theme": sorted(set(themes) - set(LifeEvent.values))[0]})
    item = ServiceItem(
        code=parsed.code, name=_text(name, "name"), item_type=item_type, level=parsed.level, parent=parent,
        handling_kind=handling_kind, organization=organization, legal_basis=_check_legal_basis(legal_basis),
        conditions=(conditions or "").strip(), applicant_kinds=kinds, legal_limit_days=legal_limit_days,
        promised_limit_days=promised_limit_days, time_limit_note=_text(time_limit_note, "time_limit_note",
                                                                       required=False, max_length=300),
        charges_fee=bool(charges_fee), fee_description=(fee_description or "").strip(), online_depth=online_depth,
        max_visits=max_visits, issues_licence=bool(issues_licence), licence_name=(licence_name or "").strip(),
        licence_valid_years=valid_years if issues_licence else None,
        process_key=_text(process_key, "process_key", max_length=100),
        process_steps=[_text(step, "process_steps", max_length=100) for step in process_steps],
        form_schema=form_schema_check(form_schema or {}), is_published=is_published, sort_order=sort_order,
        process_steps_en=steps_en, **english,
    )
    rows = [_check_material(spec, index) for index, spec in enumerate(materials)]
    names = [row.name for row in rows]
    if len(set(names)) != len(names):
        raise _fail("materials", "unique", _("Two materials have the same name."))
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise Conflict(_("An item with the code %(code)s exists already.") % {"code": parsed.code},
                       extra={"field": "code", "rule": "unique"}) from None
    for row in rows:
        row.item = item
    Material.objects.bulk_create(rows)
    ItemTheme.objects.bulk_create([ItemTheme(item=item, theme=theme) for theme in themes])
    audit_record(
        action="services.item.create", actor=actor, organization=organization, obj=item,
        summary=f"catalogue item {item.code} {item.name}",
        changes={"code": item.code, "name": item.name, "item_type": item_type, "level": item.level,
                 "legal_limit_days": legal_limit_days, "promised_limit_days": promised_limit_days,
                 "materials": names, "form_fields": list(item.form_schema.get("x-order", [])),
                 "process_key": item.process_key, "published": is_published, "themes": themes,
                 "english": sorted(key for key, value in english.items() if value) + (["process_steps_en"]
                                                                                       if steps_en else [])},
    )
    return item


@transaction.atomic
def service_item_set_published(*, actor, item: ServiceItem, published: bool) -> ServiceItem:
    """Show (True) or withdraw (False) an item on the public site.

    Raises:
        PermissionDenied: the actor is not an operator over the item's organization.
    """
    require_catalog_editor(actor, item.organization)
    before = item.is_published
    item.is_published = bool(published)
    item.save(update_fields=["is_published", "updated_at"])
    audit_record(action="services.item.publish" if published else "services.item.withdraw", actor=actor,
                 organization=item.organization, obj=item, summary=f"{item.code} published={published}",
                 changes={"is_published": [before, item.is_published]})
    return item


def material_spec(material: Material | None) -> FileSpec:
    """The ``FileSpec`` of a catalogue material: its accepted types and largest file; None: PDF, JPEG,
    PNG or OFD up to ``settings.EGOV_MATERIAL_MAX_BYTES``."""
    if material is None:
        return FileSpec()
    return FileSpec(kinds=frozenset(material.accepted_types), max_bytes=material.max_size_bytes)


def material_file_check(*, content, material: Material | None = None) -> tuple[bytes, str]:
    """Check one uploaded material file without storing it (``facilities.files.file_check`` with the
    material's spec, ``material_spec``).

    Returns:
        ``(data, kind)``: the file's bytes and its ``StoredFile.Kind`` found from its magic bytes.

    Raises:
        ValidationFailed: ``extra = {"field": "file", "rule": r}``, ``r`` one of ``empty``,
            ``max_size`` (with ``limit`` in bytes), ``file_type`` (with ``accepted``).
    """
    return file_check(content=content, spec=material_spec(material))


def material_file_store(*, actor, content, material: Material | None = None) -> StoredFile:
    """Store one uploaded material file (``facilities.files.file_store``, content-addressed) under the
    material's spec (``material_spec``), audited as ``services.material_file.store``.

    Args:
        actor: the signed-in user uploading (public or staff).
        content: the bytes, or an open file (Django ``UploadedFile``).
        material: the catalogue material the file is for, or None (see ``material_spec``).

    Returns:
        The ``StoredFile`` (an existing one when these bytes were stored before).

    Raises:
        PermissionDenied: no signed-in active user.
        ValidationFailed: as ``material_file_check``; a refused file leaves nothing on disk or in
            the database.
    """
    require_uploader(actor)
    return file_store(actor=actor, content=content, spec=material_spec(material),
                      audit_action="services.material_file.store",
                      changes={"material": material.pk if material is not None else None})


def material_files_store(*, actor, files: Sequence[tuple[Material, Any]], digests: Sequence[str] | None = None
                         ) -> list[tuple[Material, StoredUpload]]:
    """Store the uploaded files of several materials at once (``facilities.files.files_store``: one
    query for the hashes stored already, one insert of the new ones), each under its material's spec.

    Records no audit event: the caller's event carries each file's ``StoredUpload.facts()`` (the
    submission's ``services.application.submit`` lists them under ``changes["files"]``).

    Args:
        actor: the signed-in user uploading (public or staff).
        files: ``[(material, bytes or open file)]``.
        digests: each file's SHA-256 (hex), in order, when the caller hashed them already (as
            ``facilities.files.files_store``).

    Returns:
        ``[(material, StoredUpload)]`` in the order given.

    Raises:
        PermissionDenied: no signed-in active user.
        ValidationFailed: as ``material_file_check`` for the first refused file; then nothing is stored.
    """
    require_uploader(actor)
    uploads = files_store(actor=actor, uploads=[(content, material_spec(material)) for material, content in files],
                          digests=digests)
    return [(material, upload) for (material, _content), upload in zip(files, uploads, strict=True)]


# The materials of each item, per process: ``{item id: (item.updated_at, [Material])}``.
_materials_cache: dict[int, tuple[Any, list[Material]]] = {}


def item_materials(item: ServiceItem) -> list[Material]:
    """The materials of ``item`` in their order (``sort_order``, id), read once per process while
    the item is unchanged.

    The key is the item's ``updated_at``, which the caller has just read with the item itself
    (the intake worker loads the item of each submission): saving the item (an edit, 上架/下架 via
    ``service_item_set_published``) or one of its materials (``Material.save``/``delete`` touch the
    item) moves it, and every process sees the move in the row it reads next, so no cache server
    and no extra query are needed. Materials are written with their item only
    (``service_item_create``); the admin shows them read-only.

    Returns a new list each time (the ``Material`` objects are shared: do not change them).
    """
    cached = _materials_cache.get(item.pk)
    if cached is None or cached[0] != item.updated_at:
        cached = (item.updated_at, list(Material.objects.filter(item_id=item.pk).order_by("sort_order", "id")))
        if len(_materials_cache) > 4096:
            _materials_cache.clear()
        _materials_cache[item.pk] = cached
    return list(cached[1])
