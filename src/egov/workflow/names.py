"""The names of a definition's elements (process, steps, gateways, flows, events) in two languages.

A BPMN ``name`` is Chinese, the text of record. Its English text sits beside it as the attribute
``egov:name_en`` (namespace ``NAME_EN_NS``) on the same element, as ``name_en`` sits beside ``name``
on a model (``core.i18n``):

    <bpmn:definitions xmlns:egov="https://egov.example/bpmn/i18n" …>
      <bpmn:userTask id="receive" name="接件" egov:name_en="Receive">

SpiffWorkflow and bpmn-js ignore the attribute. Pages show the English name on English pages when
the element has one, else the Chinese (``WorkTask.local_name``, ``ProcessDefinition.local_name``,
``localized_xml`` for the diagram). A definition stored before it had English names keeps showing
its Chinese names: a stored version never changes.
"""

import functools

from lxml import etree

from egov.core.i18n import english

NAME_EN_NS = "https://egov.example/bpmn/i18n"
_NAME_EN = f"{{{NAME_EN_NS}}}name_en"


def _parse(bpmn_xml: str):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(bpmn_xml.encode("utf-8"), parser)


@functools.lru_cache(maxsize=64)
def names_en(bpmn_xml: str) -> dict[str, str]:
    """``{element id: English name}`` of every element of ``bpmn_xml`` that has ``egov:name_en``
    (the process's id is its key). ``{}`` for a text that cannot be read. A stored definition never
    changes, so each text is read once per process."""
    try:
        root = _parse(bpmn_xml)
    except etree.XMLSyntaxError:
        return {}
    return {element.get("id"): element.get(_NAME_EN) for element in root.iter()
            if isinstance(element.tag, str) and element.get("id") and element.get(_NAME_EN)}


def local_name(bpmn_xml: str, element_id: str, name: str) -> str:
    """``name`` (the element's Chinese name) on Chinese pages; its ``egov:name_en`` on English pages
    when it has one."""
    if english():
        return names_en(bpmn_xml).get(element_id) or name
    return name


@functools.lru_cache(maxsize=16)
def _english_xml(bpmn_xml: str) -> str:
    try:
        root = _parse(bpmn_xml)
    except etree.XMLSyntaxError:
        return bpmn_xml
    for element in root.iter():
        if isinstance(element.tag, str) and element.get(_NAME_EN):
            element.set("name", element.get(_NAME_EN))
    return etree.tostring(root, encoding="unicode")


def localized_xml(bpmn_xml: str) -> str:
    """The definition's XML as the diagram shows it: unchanged on Chinese pages; on English pages each
    element with an English name carries it as its ``name``."""
    return _english_xml(bpmn_xml) if english() else bpmn_xml
