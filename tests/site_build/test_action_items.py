"""The internal site's action items page: open first, overdue marked against "now", by owner and due date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from incidents.mkdocs_plugin.actionitems import action_items_context
from incidents.mkdocs_plugin.i18n import Words
from incidents.records.model import ActionItem, Postmortem


def item(title, owner, due, status="open"):
    return ActionItem(title=title, owner=owner, due=due, priority="P1", status=status)


def test_open_first_overdue_marked_by_owner_and_due_date():
    pms = (
        Postmortem(
            incident="INC-1",
            status="published",
            authors=("a",),
            action_items=(
                item("late", "bob", date(2026, 3, 1)),
                item("done", "alice", date(2026, 1, 1), "done"),
                item("soon", "@alice", date(2026, 4, 1)),
            ),
        ),
        Postmortem(
            incident="INC-2",
            status="draft",
            authors=("a",),
            action_items=(
                item("nobody", None, date(2026, 3, 20)),
                item("bob later", "bob", date(2026, 5, 1)),
                item("due today", "carol", date(2026, 3, 15)),
            ),
        ),
    )
    data = SimpleNamespace(
        now=datetime(2026, 3, 15, 12, tzinfo=UTC),
        repo=SimpleNamespace(postmortems=pms),
        words=Words(),
        incident=lambda i: SimpleNamespace(title=f"title {i}"),
    )
    ctx = action_items_context(data)
    assert [r["title"] for r in ctx["open_items"]] == ["soon", "late", "bob later", "due today", "nobody"]
    assert [r["overdue_days"] for r in ctx["open_items"]] == [0, 14, 0, 0, 0]  # due today is not overdue
    assert [r["title"] for r in ctx["closed_items"]] == ["done"]
    assert ctx["overdue_count"] == 1 and ctx["total"] == 6
    assert ctx["by_owner"][0] == {"owner": "bob", "open": 2, "overdue": 1, "next_due": date(2026, 3, 1)}
    assert ctx["open_items"][1]["postmortem_status"] == "Published"
