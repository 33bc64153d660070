"""Calling the dashboard's callbacks the way Dash's front end does: the JSON body of one request."""

from __future__ import annotations

from dashboard.charts import CHARTS

UPDATE_URL = "/_dash-update-component"
RUN_OUTPUTS = [("kitchen-choice", "options"), ("run-choice", "options"), ("status", "children"), ("run", "data")]


NOT_UPDATED = object()
"""What `values` gives for an output the callback left as it was (no_update)."""


def payload(
    outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]], states: list[tuple[str, str, object]] = ()
) -> dict:
    ids = [f"{i}.{p}" for i, p in outputs]
    specs = [{"id": i, "property": p} for i, p in outputs]
    multi = len(outputs) > 1
    return {
        "output": f"..{'...'.join(ids)}.." if multi else ids[0],
        "outputs": specs if multi else specs[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in states],
    }


def values(response_body: dict, outputs: list[tuple[str, str]]) -> list:
    return [response_body["response"].get(i, {}).get(p, NOT_UPDATED) for i, p in outputs]


def run_request(chosen=None, kitchen=None, shown=None) -> dict:
    """The refresh of the header and the kitchen and run choices, which every tick starts with; `shown` is
    what the page shows already (the run store's data)."""
    return payload(
        RUN_OUTPUTS,
        [("tick", "n_intervals", 1), ("kitchen-choice", "value", kitchen), ("run-choice", "value", chosen)],
        [("run", "data", shown)],
    )


def chart_requests(run: dict | None) -> list[dict]:
    """Every chart's refresh, as the new run data sets them off."""
    return [payload([(chart.id, "figure")], [("run", "data", run)]) for chart in CHARTS]
