"""Trello's board export ("Menu > Print, export and share > Export as JSON") as an import plan."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from app.services.transfer.common import (
    ImportPlan,
    ImportRefused,
    PlannedCard,
    PlannedColumn,
    PlannedComment,
    derive_key,
    label_name,
    parse_points,
    read_text,
)

EXPECTED = "a Trello board export (Export as JSON)"

# Trello's label colours (and their _light/_dark variants) as hex.
COLORS = {
    "green": "#4bce97",
    "yellow": "#f5cd47",
    "orange": "#fea362",
    "red": "#f87168",
    "purple": "#9f8fef",
    "blue": "#579dff",
    "sky": "#6cc3e0",
    "lime": "#94c748",
    "pink": "#e774bb",
    "black": "#8590a2",
}
DONE_WORDS = re.compile(r"\b(done|complete[d]?|closed|finished|shipped|released|live)\b", re.I)
DOING_WORDS = re.compile(
    r"\b(doing|in progress|progress|review|testing|test|qa|wip|blocked|started|ongoing)\b", re.I
)
POINTS_PREFIX = re.compile(r"^\s*\((\d+(?:[.,]\d+)?)\)\s*")


def _color(name: str | None) -> str:
    if not name:
        return "#5e6c84"
    base = name.split("_")[0]
    return COLORS.get(base, "#5e6c84")


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _id_time(object_id: str) -> dt.datetime | None:
    """Trello ids are MongoDB ObjectIds: the first 8 hex digits are the creation time."""
    try:
        return dt.datetime.fromtimestamp(int(object_id[:8], 16), dt.UTC)
    except (ValueError, TypeError, OverflowError, OSError):
        return None


def _category(name: str, index: int, count: int) -> str:
    if DONE_WORDS.search(name):
        return "done"
    if DOING_WORDS.search(name):
        return "in_progress"
    return "todo"


def load_board(path: str | Path) -> dict[str, Any]:
    text = read_text(path, EXPECTED)
    name = Path(path).name
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"expected {EXPECTED}. Is the file complete?"
        ) from exc
    if not isinstance(data, dict):
        raise ImportRefused(
            f"{name} holds a JSON {type(data).__name__}, not an object; expected {EXPECTED}."
        )
    missing = [k for k in ("name", "lists", "cards") if k not in data]
    if missing:
        hint = ""
        if "username" in data or "idBoards" in data or "fullName" in data:
            hint = " This looks like a Trello member (account) export, not a board."
        elif "idOrganization" in data and "displayName" in data:
            hint = " This looks like a Trello workspace export, not a board."
        raise ImportRefused(
            f"{name} has no key {missing[0]!r} at the top level; expected {EXPECTED}.{hint}"
        )
    for key in ("lists", "cards", "labels", "members", "checklists", "actions"):
        if key in data and not isinstance(data[key], list):
            raise ImportRefused(f"{name}: the key {key!r} should hold a list; expected {EXPECTED}.")
    return data


def parse_trello(path: str | Path) -> ImportPlan:
    data = load_board(path)
    name = Path(path).name
    board_name = str(data.get("name") or "Trello board")
    plan = ImportPlan(
        source="trello",
        project_name=board_name,
        project_key=derive_key(board_name),
        methodology="kanban",
    )
    lists = sorted(
        (lst for lst in data["lists"] if isinstance(lst, dict) and "id" in lst),
        key=lambda lst: (float(lst.get("pos") or 0), str(lst.get("id"))),
    )
    list_names: dict[str, str] = {}
    archived_lists: set[str] = set()
    used: set[str] = set()
    for index, lst in enumerate(lists):
        base = str(lst.get("name") or "Untitled").strip()[:60] or "Untitled"
        column_name, n = base, 2
        while column_name.lower() in used:  # two lists with one name stay two columns
            column_name = f"{base[:55]} ({n})"
            n += 1
        used.add(column_name.lower())
        list_names[lst["id"]] = column_name
        if lst.get("closed"):
            archived_lists.add(lst["id"])
        plan.columns.append(
            PlannedColumn(
                column_name, _category(column_name, index, len(lists)), bool(lst.get("closed"))
            )
        )
    if plan.columns and not any(c.category == "done" for c in plan.columns):
        live = [c for c in plan.columns if not c.archived]
        if len(live) >= 2:
            live[-1].category = "done"

    labels: dict[str, str] = {}
    for label in data.get("labels") or []:
        if not isinstance(label, dict):
            continue
        text = label_name(str(label.get("name") or "")) or label_name(
            str(label.get("color") or "label")
        )
        labels[label["id"]] = text
        plan.labels.setdefault(text, _color(label.get("color")))

    members = {
        m["id"]: str(m.get("fullName") or m.get("username") or m["id"])
        for m in data.get("members") or []
        if isinstance(m, dict) and "id" in m
    }
    plan.members = list(dict.fromkeys(members.values()))

    checklists: dict[str, list[tuple[float, list[tuple[str, bool]]]]] = {}
    for checklist in data.get("checklists") or []:
        if not isinstance(checklist, dict) or "idCard" not in checklist:
            continue
        items = sorted(checklist.get("checkItems") or [], key=lambda i: float(i.get("pos") or 0))
        entries = [
            (str(i.get("name") or "").strip(), i.get("state") == "complete")
            for i in items
            if str(i.get("name") or "").strip()
        ]
        checklists.setdefault(checklist["idCard"], []).append(
            (float(checklist.get("pos") or 0), entries)
        )

    created: dict[str, tuple[dt.datetime, str | None]] = {}
    comments: dict[str, list[PlannedComment]] = {}
    moves: dict[str, list[tuple[dt.datetime, str]]] = {}
    archived_at: dict[str, dt.datetime] = {}
    for action in data.get("actions") or []:
        if not isinstance(action, dict):
            continue
        kind = action.get("type")
        adata = action.get("data") or {}
        card_id = (adata.get("card") or {}).get("id")
        when = _time(action.get("date"))
        if not card_id or when is None:
            continue
        if kind in ("createCard", "copyCard", "convertToCardFromCheckItem", "moveCardToBoard"):
            list_id = (adata.get("list") or {}).get("id")
            created[card_id] = (when, list_names.get(list_id))
        elif kind == "commentCard":
            author = action.get("memberCreator") or {}
            author_name = (
                members.get(action.get("idMemberCreator", ""))
                or author.get("fullName")
                or author.get("username")
                or "unknown"
            )
            comments.setdefault(card_id, []).append(
                PlannedComment(str(author_name), when, str(adata.get("text") or ""))
            )
        elif kind == "updateCard":
            after = (adata.get("listAfter") or {}).get("id")
            if after in list_names:
                moves.setdefault(card_id, []).append((when, list_names[after]))
            if (adata.get("card") or {}).get("closed") is True:
                archived_at[card_id] = when

    cards = [c for c in data["cards"] if isinstance(c, dict)]
    list_order = {lst["id"]: i for i, lst in enumerate(lists)}
    for index, card in enumerate(cards):
        for key in ("id", "name", "idList"):
            if key not in card:
                raise ImportRefused(
                    f"{name}: card {index + 1} in 'cards' has no key {key!r}; expected {EXPECTED}."
                )
        if card["idList"] not in list_names:
            raise ImportRefused(
                f"{name}: card {card['id']!r} names the list {card['idList']!r} (key 'idList'), "
                "which is not in 'lists'."
            )
    cards.sort(key=lambda c: (list_order[c["idList"]], float(c.get("pos") or 0), str(c["id"])))
    for card in cards:
        card_id = str(card["id"])
        title = str(card.get("name") or "").strip() or "(untitled)"
        points = None
        match = POINTS_PREFIX.match(title)
        if match:
            points = parse_points(match.group(1))
            title = title[match.end() :].strip() or title
        member_names = [members[m] for m in card.get("idMembers") or [] if m in members]
        when_created, created_list = created.get(card_id, (None, None))
        when_created = when_created or _id_time(card_id)
        items: list[tuple[str, bool]] = []
        for _pos, entries in sorted(checklists.get(card_id, []), key=lambda e: e[0]):
            items.extend(entries)
        due = _time(card.get("due"))
        last = _time(card.get("dateLastActivity"))
        archived = bool(card.get("closed")) or card["idList"] in archived_lists
        plan.cards.append(
            PlannedCard(
                external_id=card_id,
                title=title,
                column=list_names[card["idList"]],
                description=str(card.get("desc") or ""),
                type="task",
                points=points,
                assignee=member_names[0] if member_names else None,
                watchers=member_names[1:],
                labels=[labels[i] for i in card.get("idLabels") or [] if i in labels],
                due_date=due.date() if due else None,
                archived=archived,
                created_at=when_created,
                updated_at=last or when_created,
                archived_at=archived_at.get(card_id) or last,
                checklist=items,
                comments=sorted(comments.get(card_id, []), key=lambda m: m.at),
                created_in=created_list,
                moves=sorted(moves.get(card_id, []), key=lambda m: m[0]),
            )
        )
    return plan
