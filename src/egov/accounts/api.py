"""Public account API: registration of natural and legal persons."""

from ninja import Router, Schema

from egov.accounts import actions
from egov.core.apischema import ErrorOut

router = Router(tags=["accounts"])


class NaturalPersonIn(Schema):
    id_number: str
    name: str
    password: str
    phone: str = ""
    email: str = ""


class LegalPersonIn(Schema):
    uscc: str
    name: str
    legal_representative: str
    password: str


class AccountOut(Schema):
    id: int
    username: str
    kind: str
    # 实名认证: True when the register holds this identifier under this name; an unverified account may
    # browse and track but not apply (403 ``rule: "unverified"``) until verified (docs/accounts.md).
    verified: bool



@router.post("/natural-persons", response={201: AccountOut, 400: ErrorOut}, auth=None)
def register_natural_person(request, payload: NaturalPersonIn):
    """Open a natural person's account, verified when the population register holds this ID number
    under this name (``verified``); 400 names the failed rule in ``extra.rule``."""
    person = actions.natural_person_register(**payload.dict())
    return 201, {"id": person.user_id, "username": person.user.username, "kind": person.user.kind,
                 "verified": person.user.is_real_name_verified}


@router.post("/legal-persons", response={201: AccountOut, 400: ErrorOut}, auth=None)
def register_legal_person(request, payload: LegalPersonIn):
    """Open a legal person's account; 400 names the failed rule in ``extra.rule``."""
    legal = actions.legal_person_register(**payload.dict())
    return 201, {"id": legal.user_id, "username": legal.user.username, "kind": legal.user.kind,
                 "verified": legal.user.is_real_name_verified}
