"""What staff pages of a process share: the data of its diagram (``workflow/_diagram.html``).

The task pages and the inbox live above the business apps (``egov.casework``), where completing a
task can carry out its subject's own action.
"""

from egov.workflow import names, selectors
from egov.workflow.models import WorkTask


def diagram_context(instance) -> dict:
    """What ``workflow/_diagram.html`` needs: the definition's XML and the steps to mark."""
    tasks = list(instance.tasks.values_list("bpmn_id", "status"))
    active = {WorkTask.Status.OPEN, WorkTask.Status.CLAIMED}
    current = sorted({bpmn_id for bpmn_id, status in tasks if status in active})
    return {
        "xml": names.localized_xml(instance.definition.bpmn_xml),
        "current": current,
        "done": sorted({bpmn_id for bpmn_id, status in tasks if status == WorkTask.Status.COMPLETED} - set(current)),
        "current_names": [t.local_name for t in selectors.instance_active_tasks(instance=instance)],
    }
