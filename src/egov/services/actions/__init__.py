"""Writes of the service hall, grouped by sub-domain and re-exported here, so that ``actions`` is where
the writes are found:

- ``catalog``: service items and materials, stored material files;
- ``applying``: the applicant's writes (外网受理: submit to the intake inbox, supplement, withdraw);
- ``intake``: the intake worker (内网办理) turning intake records into cases, and operators' retry;
- ``processing``: the staff's steps on a case (内网办理);
- ``lifecycle``: the transition table of applications and the one way a status changes;
- ``rating``: ratings (好差评) and the rectification of 差评;
- ``licensing``: e-licences issued at 办结;
- ``numbers``: tracking and licence numbers;
- ``notifying``: the applicant told of each status change.

Inside the package a module imports another module of it by its own name (``actions.catalog``), never
this ``__init__``, so that no import cycle runs through here.
"""

from egov.services.actions.applying import (
    application_submit,
    application_supplement_upload,
    application_withdraw,
    intake_submit,
    materials_check,
)
from egov.services.actions.catalog import (
    MaterialSpec,
    material_file_check,
    material_file_store,
    material_spec,
    service_item_create,
    service_item_set_published,
)
from egov.services.actions.intake import intake_process_next, intake_retry, intake_work
from egov.services.actions.licensing import licence_issue
from egov.services.actions.lifecycle import application_locked, application_move
from egov.services.actions.notifying import application_notify
from egov.services.actions.numbers import licence_number_allocate, tracking_number_allocate
from egov.services.actions.processing import (
    application_accept,
    application_conclude,
    application_decide,
    application_deliver,
    application_joint_opinion,
    application_receive,
    application_refuse,
    application_review,
    application_special_procedure_end,
    application_special_procedure_start,
    application_supplement_receive,
    application_supplement_request,
    applications_mark_overdue,
)
from egov.services.actions.rating import (
    rating_submit,
    rectification_appeal,
    rectification_appeal_decide,
    rectification_call_back,
    rectification_reply,
)

__all__ = [
    "MaterialSpec", "application_accept", "application_conclude", "application_decide", "application_deliver",
    "application_joint_opinion", "application_locked", "application_move", "application_notify",
    "application_receive", "application_refuse", "application_review", "application_special_procedure_end",
    "application_special_procedure_start", "application_submit", "application_supplement_receive",
    "application_supplement_request", "application_supplement_upload", "application_withdraw",
    "intake_process_next", "intake_retry", "intake_submit", "intake_work",
    "applications_mark_overdue", "licence_issue", "licence_number_allocate", "material_file_check",
    "material_file_store", "material_spec", "materials_check", "rating_submit", "rectification_appeal",
    "rectification_appeal_decide", "rectification_call_back", "rectification_reply", "service_item_create",
    "service_item_set_published", "tracking_number_allocate",
]
