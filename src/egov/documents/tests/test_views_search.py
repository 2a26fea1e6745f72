"""Staff search of documents (/staff/documents/search/): only what the staff member may see."""

import pytest
from django.urls import reverse

URL = "/staff/documents/search/"


def test_the_url_is_the_one_issue_8_names():
    assert reverse("documents:search") == URL


def test_search_needs_a_staff_sign_in(client, draft):
    response = client.get(URL, {"q": "电子政务"})
    assert response.status_code == 302 and reverse("staff_accounts:login") in response["Location"]


def test_staff_find_their_drafts_and_hits_link_to_the_staff_page(client, wuxi, draft):
    client.force_login(wuxi.clerk)
    response = client.get(URL, {"q": "电子政务"})
    assert response.status_code == 200
    assert [hit.document for hit in response.context["results"].hits] == [draft]
    page = response.content.decode()
    assert f'href="{reverse("documents:detail", args=[draft.pk])}"' in page
    assert "<mark>电子政务</mark>" in page


def test_staff_of_another_organization_find_nothing(client, wuxi, draft):
    client.force_login(wuxi.police_clerk)
    response = client.get(URL, {"q": "电子政务"})
    assert response.status_code == 200 and response.context["results"].total == 0


@pytest.mark.parametrize("query", ["", "电子政务" * 500, "<script>alert(1)</script>", "。，"])
def test_any_query_gives_a_normal_page(client, wuxi, draft, query):
    client.force_login(wuxi.clerk)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200 and "<script>alert(1)</script>" not in response.content.decode()


def test_the_documents_list_has_the_search_box(client, wuxi):
    client.force_login(wuxi.clerk)
    page = client.get(reverse("documents:list")).content.decode()
    assert f'action="{URL}"' in page and 'id="documents-q"' in page


def test_staff_of_another_organization_find_published_documents_linked_to_the_portal(client, wuxi, draft,
                                                                                      settings):
    from django.utils import timezone

    from egov.documents.models import OfficialDocument

    settings.EGOV_PUBLIC_URL = "https://www.wuxi.gov.cn"
    OfficialDocument.objects.filter(pk=draft.pk).update(status="issued", disclosure="proactive",
                                                        published_at=timezone.now())
    client.force_login(wuxi.police_clerk)
    response = client.get(URL, {"q": "电子政务"})
    assert response.context["results"].total == 1
    page = response.content.decode()
    assert f'href="https://www.wuxi.gov.cn/disclosure/{draft.pk}/"' in page
    assert f'href="{reverse("documents:detail", args=[draft.pk])}"' not in page


@pytest.mark.parametrize("typed", ["锡政发〔2026〕1号", "錫政發［２０２６］１號"])
def test_a_number_typed_as_printed_or_traditional_lists_its_document(client, wuxi, draft, typed):
    # Issue 19, item 5: the page answered "没有可查找的词语" (no words to look for) for a 发文字号.
    draft.number_code, draft.number_year, draft.number_seq = "锡政发", 2026, 1
    draft.save(update_fields=["number_code", "number_year", "number_seq"])
    client.force_login(wuxi.clerk)
    response = client.get(URL, {"q": typed})
    assert [hit.document for hit in response.context["results"].hits] == [draft]
    page = response.content.decode()
    assert "没有可查找的词语" not in page and f"找到 1 份与“{typed}”相关的文件。" in page
