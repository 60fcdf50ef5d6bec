"""Scenario 3: the four connection forms of the Airflow 3.3 UI, filled in a real browser, then used by a stop task."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from harness.browser import chromium, side_by_side
from harness.procs import wait_for
from harness.scenarios import STOPPED
from harness.simclient import VENDORS, stop_counts

DAG_ID = "e2e_connection_check"
REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR") or REPO / ".work" / "e2e" / "screenshots")


def declared_extras(conn_type: str) -> set[str]:
    """The extras the provider declares for the type (``conn-fields``)."""
    from airflow_provider_campaigns import get_provider_info

    for entry in get_provider_info()["connection-types"]:
        if entry["connection-type"] == conn_type:
            return set(entry.get("conn-fields") or {})
    raise KeyError(conn_type)


def fill_form(
    browser: Any, page: Any, api_url: str, conn_type: str, conn_id: str, fields: dict[str, str], extras: dict[str, str], shot: Path
) -> dict[str, Any]:
    """Admin → Connections → Add: fill what a user would, tick "Allow plain http", screenshot, save; returns what the form showed."""
    page.goto(f"{api_url}/connections", wait_until="networkidle")
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=connection_id]").fill(conn_id)
    combo = dialog.get_by_role("combobox")
    combo.click()
    combo.fill(conn_type)
    options = page.get_by_role("option")
    wait_for(lambda: options.count() > 0, 15, 0.2, what=f"the {conn_type} connection type in the type list")
    shown = options.all_inner_texts()
    page.get_by_role("option").first.click()
    for name, value in fields.items():
        dialog.locator(f"[name={name}]").fill(value)
    standard = dialog.screenshot()
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    panel = dialog.locator("[id$='content:Extra Fields']")
    required = {}
    for name, value in extras.items():
        box = panel.locator(f"#element_{name}")
        required[name] = box.get_attribute("required") is not None
        box.fill(value)
    panel.get_by_text("Allow plain http", exact=False).first.click()
    assert panel.locator("input[name=element_allow_insecure]").is_checked()
    labels = panel.locator("label").all_inner_texts()
    shot.parent.mkdir(parents=True, exist_ok=True)
    side_by_side(
        browser,
        [("Standard Fields", standard), ("Extra Fields (the accordion shows one section at a time)", dialog.screenshot())],
        str(shot),
    )
    save = dialog.get_by_role("button", name="Save")
    assert save.is_enabled(), f"{conn_type}: Save is disabled after filling the form: {dialog.inner_text()[:1500]}"
    save.click()
    page.get_by_role("dialog").wait_for(state="detached")
    return {"type_options": shown, "required": required, "labels": labels}


def test_connection_forms_in_a_real_browser(local: Any, simulator: Any, figures: Any) -> None:
    sim = simulator.client
    creds = simulator.credentials
    forms = {
        "bsg": ({"host": simulator.base_url("bsg"), "password": creds["bsg_api_key"]}, {}),
        "cellcast": ({"host": simulator.base_url("cellcast"), "password": creds["cellcast_api_key"]}, {}),
        "comm": ({"host": simulator.base_url("comm"), "password": creds["comm_token"]}, {}),
        "kore": (
            {"host": simulator.base_url("kore"), "login": creds["kore_client_id"], "password": creds["kore_client_secret"]},
            {"account_id": creds["kore_account_id"], "stream_id": creds["kore_stream_id"]},
        ),
    }
    seen: dict[str, dict[str, Any]] = {}
    with chromium(viewport=(1100, 1800)) as browser:
        page = browser.new_page()
        for conn_type in VENDORS:
            fields, extras = forms[conn_type]
            seen[conn_type] = fill_form(
                browser, page, local.api_url, conn_type, f"form_{conn_type}", fields, extras, SHOTS / f"connection-form-{conn_type}.png"
            )

    campaigns = {
        "bsg": sim.add("bsg", status="sending"),
        "cellcast": sim.add("cellcast", status="scheduled"),
        "comm": sim.add("comm", status="in_progress"),
        "kore": sim.add("kore", status="Active"),
    }
    kwargs = {
        "bsg": {"campaign_id": campaigns["bsg"]},
        "cellcast": {"message_ids": campaigns["cellcast"]},
        "comm": {"campaign_id": campaigns["comm"][0], "campaign_send_id": campaigns["comm"][1]},
        "kore": {"campaign_id": campaigns["kore"]},
    }
    keys = {
        "bsg": str(campaigns["bsg"]),
        "cellcast": campaigns["cellcast"][0].lower(),
        "comm": campaigns["comm"][1].lower(),
        "kore": campaigns["kore"],
    }
    runs = {}
    for conn_type in VENDORS:
        runs[conn_type] = local.trigger(DAG_ID, {"vendor": conn_type, "conn_id": f"form_{conn_type}", "kwargs": kwargs[conn_type]})
    since = min(started for _, started in runs.values())
    for conn_type in VENDORS:
        run_id, _ = runs[conn_type]
        state = local.wait_run(DAG_ID, run_id, 240)
        states = local.task_states(DAG_ID, run_id)
        assert state == "success" and states[f"stop_{conn_type}[0]"] == "success", (conn_type, states)

    counts = stop_counts(sim.stops(since=since))
    checked = 0
    for conn_type in VENDORS:
        stored = local.rest("GET", f"/api/v2/connections/form_{conn_type}").json()
        extra = json.loads(stored["extra"] or "{}")
        row = local.sql(f"SELECT is_encrypted, is_extra_encrypted, password FROM connection WHERE conn_id = 'form_{conn_type}'").strip()
        is_encrypted, is_extra_encrypted, password_column = row.split("|", 2)
        print(f"{conn_type}: type options {seen[conn_type]['type_options']}, required extras {seen[conn_type]['required']}")
        saved = {k: stored[k] for k in ("host", "login", "port", "schema")}
        print(f"{conn_type}: saved {saved} extra={extra}")
        print(f"{conn_type}: DB row is_encrypted={is_encrypted} is_extra_encrypted={is_extra_encrypted}")
        assert stored["conn_type"] == conn_type and stored["host"] == forms[conn_type][0]["host"]
        assert set(extra) == declared_extras(conn_type), f"{conn_type}: the form saved {sorted(extra)}"
        assert extra["allow_insecure"] is True
        empty = {k: v for k, v in extra.items() if k not in ("allow_insecure", *forms[conn_type][1])}
        assert all(v is None for v in empty.values()), empty
        assert all(extra[k] == v for k, v in forms[conn_type][1].items())
        assert is_encrypted == "t" and is_extra_encrypted == "t"
        assert forms[conn_type][0]["password"] not in password_column
        assert counts.get((conn_type, keys[conn_type]), 0) == 1
        assert sim.state(conn_type, keys[conn_type])["state"]["status"] == STOPPED[conn_type]
        checked += 1
        figures.record("connection forms", f"{conn_type} form saved extra", json.dumps(extra, sort_keys=True), "")
    kore_required = seen["kore"]["required"]["account_id"]
    assert kore_required, "Kore's account_id is not marked required in the form"
    assert any(re.search(r"Account ID \(required\)", label) for label in seen["kore"]["labels"])
    figures.record("connection forms", "Kore account_id shown as required", kore_required, "")
    figures.record("connection forms", "forms filled in Chromium, saved and used by a stop task", checked, "of 4")
