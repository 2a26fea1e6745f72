"""Celery tasks of workflow: named, thin, calling one action."""

from celery import shared_task

from egov.workflow.actions import tasks_mark_overdue


@shared_task(name="workflow.mark_overdue")
def mark_overdue() -> int:
    """Mark the tasks and cases whose deadline passed (run by Celery beat, hourly); returns how many."""
    return tasks_mark_overdue()
