"""发文字号 allocation under concurrent transactions on PostgreSQL: threads with their own connections."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from egov.documents.actions import document_draft, document_number_allocate, document_number_assign
from egov.documents.models import DocumentNumberCounter, OfficialDocument
from egov.documents.selectors import document_numbers_used
from egov.documents.tests.conftest import advance_to_registering

# Committed transactions, so that each thread's connection sees the documents; ``reference_data``
# (the root conftest) reloads the GB/T 2260 divisions that transactional tests empty.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

THREADS = 20


def _run_together(functions):
    """Start every function in its own thread (own database connection) at the same moment."""
    barrier = threading.Barrier(len(functions))
    errors: list[BaseException] = []

    def run(function):
        try:
            barrier.wait()
            function()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def registering(wuxi):
    assert connection.vendor == "postgresql", "the concurrency tests need PostgreSQL's row locks"
    documents = []
    for index in range(THREADS):
        document = document_draft(actor=None, issuer=wuxi.government, kind="notice", title=f"通知{index + 1}",
                                  main_to=[wuxi.finance], disclosure="proactive")
        documents.append(advance_to_registering(wuxi, document))
    return documents


def test_twenty_concurrent_allocations_give_one_to_twenty(wuxi, registering):
    # The counter row does not exist yet: the first allocations of the year also race to create it.
    assert not DocumentNumberCounter.objects.exists()
    errors = _run_together([
        (lambda d=d: document_number_allocate(document=d, actor=wuxi.clerk)) for d in registering
    ])
    assert errors == []
    year = timezone.localdate().year
    seqs = sorted(OfficialDocument.objects.filter(number_code="锡政发", number_year=year)
                  .values_list("number_seq", flat=True))
    assert seqs == list(range(1, THREADS + 1))
    assert DocumentNumberCounter.objects.get(code="锡政发", year=year).last_seq == THREADS
    assert [use.seq for use in document_numbers_used(code="锡政发", year=year)] == list(range(1, THREADS + 1))


def test_concurrent_hand_typed_and_allocated_numbers_never_collide(wuxi, registering):
    year = timezone.localdate().year
    papers = [document_draft(actor=None, issuer=wuxi.government, kind="notice", title=f"纸质{i}") for i in range(3)]
    typed = [(lambda p=p, n=n: document_number_assign(document=p, actor=wuxi.clerk, number=f"锡政发〔{year}〕{n}号"))
             for p, n in zip(papers, (2, 5, 5), strict=True)]
    allocations = [(lambda d=d: document_number_allocate(document=d, actor=wuxi.clerk)) for d in registering[:8]]
    errors = _run_together(typed + allocations)
    # Every allocation succeeds. At least one of the two hands that typed 5 is refused; the typed 2
    # is refused too when an allocation took 2 first. Nothing else fails.
    rules = [e.extra["rule"] for e in errors]
    assert rules in (["duplicate"], ["duplicate", "duplicate"])
    seqs = sorted(OfficialDocument.objects.filter(number_code="锡政发", number_year=year)
                  .values_list("number_seq", flat=True))
    assert len(seqs) == 11 - len(errors)
    # No number twice, none lost: allocations pass over typed numbers, so the set is 1..n.
    assert seqs == list(range(1, len(seqs) + 1))
