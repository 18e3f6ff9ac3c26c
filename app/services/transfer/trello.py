"""Trello's board export ("Menu > Print, export and share > Export as JSON") as an import plan.

Every value is type-checked where it is read: a file Trello did not write (a list where an
object belongs, ``"pos": "top"``, a label without an ``id``) is refused naming the place.
Actions are history hints, so one that does not fit is skipped rather than refused.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from app.services.transfer.checks import (
    Cleaner,
    ImportRefused,
    json_type,
    load_json,
    read_text,
    shown,
    shown_name,
)
from app.services.transfer.common import (
    ImportPlan,
    PlannedCard,
    PlannedColumn,
    PlannedComment,
    derive_key,
    label_name,
)
from app.services.validation import NAME_MAX, TITLE_MAX

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
POINTS_PREFIX = re.compile(r"^\s*\(([0-9]+(?:[.,][0-9]+)?)\)\s*")
CREATE_ACTIONS = ("createCard", "copyCard", "convertToCardFromCheckItem", "moveCardToBoard")
_NUMERIC = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?\s*")


def _color(name: str | None) -> str:
    if not name:
        return "#5e6c84"
    base = name.split("_")[0]
    return COLORS.get(base, "#5e6c84")


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value or len(value) > 40:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _time(value: Any, cleaner: Cleaner) -> dt.datetime | None:
    """A card's date: dropped (and counted) when it is not a date or outside 1970-2199."""
    if value is None or value == "":
        return None
    parsed = _parse_time(value)
    if parsed is None:
        cleaner.note("date:unknown")
        return None
    return cleaner.moment(parsed)


def _id_time(object_id: str) -> dt.datetime | None:
    """Trello ids are MongoDB ObjectIds: the first 8 hex digits are the creation time."""
    if not re.fullmatch(r"[0-9a-fA-F]{8}", object_id[:8]):
        return None
    return dt.datetime.fromtimestamp(int(object_id[:8], 16), dt.UTC)


def _category(name: str) -> str:
    if DONE_WORDS.search(name):
        return "done"
    if DOING_WORDS.search(name):
        return "in_progress"
    return "todo"


class _Reader:
    """Typed access to the board's objects; a wrong type is refused saying where it is."""

    def __init__(self, path: str | Path) -> None:
        self.name = shown_name(path)

    def refuse(self, where: str, problem: str) -> ImportRefused:
        return ImportRefused(f"{self.name}: {where} {problem}; expected {EXPECTED}.")

    def objects(
        self, data: dict[str, Any], key: str, what: str, owner: str = ""
    ) -> list[dict[str, Any]]:
        """The list under ``key``, each item an object (``owner`` says whose list it is)."""
        of = f" of {owner}" if owner else ""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.refuse(f"the key {key!r}{of}", f"should hold a list, not {json_type(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.refuse(
                    f"{what} {index + 1} in {key!r}{of}", f"is {json_type(item)}, not an object"
                )
        return value

    def ident(self, obj: dict[str, Any], where: str, key: str = "id") -> str:
        value = obj.get(key)
        if value is None:
            raise self.refuse(where, f"has no key {key!r}")
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise self.refuse(where, f"has {key!r} = {shown(value)}, which is not an id")
        return value

    def text(self, obj: dict[str, Any], key: str, where: str) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.refuse(where, f"has {key!r} = {shown(value)}, which is not text")

    def number(self, obj: dict[str, Any], key: str, where: str) -> float:
        """Trello's ``pos``: a number (a number written as text is read as one)."""
        value = obj.get(key)
        if value is None:
            return 0.0
        if isinstance(value, str) and _NUMERIC.fullmatch(value):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.refuse(where, f"has {key!r} = {shown(value)}, which is not a number")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.refuse(where, f"has {key!r} = {shown(value)}, which is too large")
        return number

    def flag(self, obj: dict[str, Any], key: str, where: str) -> bool:
        value = obj.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.refuse(where, f"has {key!r} = {shown(value)}, not true or false")
        return value

    def ids(self, obj: dict[str, Any], key: str, where: str) -> list[str]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.refuse(where, f"has {key!r} = {shown(value)}, not a list of ids")
        return value


def load_board(path: str | Path) -> dict[str, Any]:
    text = read_text(path, EXPECTED)
    name = shown_name(path)
    data = load_json(text, path, EXPECTED)
    if not isinstance(data, dict):
        raise ImportRefused(
            f"{name} holds {json_type(data)}, not a JSON object; expected {EXPECTED}."
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
            raise ImportRefused(
                f"{name}: the key {key!r} should hold a list, not {json_type(data[key])}; "
                f"expected {EXPECTED}."
            )
    return data


def _get(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...`` when each step is an object, else None (for actions)."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


class _History:
    """What the actions say about each card: creation, moves, comments, the last archive.

    Trello lists actions newest first and keeps only the latest 1,000, so on a busy board
    many cards have no creation action: such a card starts in the list its oldest recorded
    move came from, so that no recorded move is lost.
    """

    def __init__(self) -> None:
        self.created: dict[str, tuple[tuple[dt.datetime, int], str | None]] = {}
        self.moves: dict[str, list[tuple[tuple[dt.datetime, int], str | None, str]]] = {}
        self.comments: dict[str, list[tuple[tuple[dt.datetime, int], PlannedComment]]] = {}
        self.archived: dict[str, dt.datetime] = {}

    def read(
        self,
        actions: list[Any],
        list_names: dict[str, str],
        members: dict[str, str],
        cleaner: Cleaner,
    ) -> None:
        count = len(actions)
        for index, action in enumerate(actions):
            card_id = _get(action, "data", "card", "id")
            kind = _get(action, "type")
            if not isinstance(card_id, str) or not isinstance(kind, str):
                continue
            when = _time(_get(action, "date"), cleaner)
            if when is None:
                continue
            order = (when, count - index)  # same second: the file's later line is older
            data = action["data"]
            if kind in CREATE_ACTIONS:
                list_id = _get(data, "list", "id")
                known = self.created.get(card_id)
                if known is None or order < known[0]:
                    place = list_names.get(list_id) if isinstance(list_id, str) else None
                    self.created[card_id] = (order, place)
            elif kind == "commentCard":
                text = _get(data, "text")
                if not isinstance(text, str):
                    continue
                creator = _get(action, "idMemberCreator")
                author = members.get(creator) if isinstance(creator, str) else None
                if author is None:
                    full = _get(action, "memberCreator", "fullName")
                    user = _get(action, "memberCreator", "username")
                    author = next((a for a in (full, user) if isinstance(a, str) and a), None)
                author = cleaner.line(author or "unknown", "comment author", 100)
                comment = PlannedComment(author, when, cleaner.block(text, "comment"))
                self.comments.setdefault(card_id, []).append((order, comment))
            elif kind == "updateCard":
                after = _get(data, "listAfter", "id")
                if isinstance(after, str) and after in list_names:
                    before = _get(data, "listBefore", "id")
                    self.moves.setdefault(card_id, []).append(
                        (
                            order,
                            list_names.get(before) if isinstance(before, str) else None,
                            list_names[after],
                        )
                    )
                # newest first: the card's last archive is the latest one, not the first
                if _get(data, "card", "closed") is True and when > self.archived.get(
                    card_id, when - dt.timedelta(seconds=1)
                ):
                    self.archived[card_id] = when

    def start(self, card_id: str) -> tuple[dt.datetime | None, str | None]:
        """When and in which list the card began, as far as the actions tell."""
        created = self.created.get(card_id)
        moves = sorted(self.moves.get(card_id, []), key=lambda m: m[0])
        when = created[0][0] if created else None
        where = created[1] if created else None
        if where is None and moves:
            where = moves[0][1]
        return when, where

    def card_moves(self, card_id: str) -> list[tuple[dt.datetime, str]]:
        return [(o[0], after) for o, _b, after in sorted(self.moves.get(card_id, []))]

    def card_comments(self, card_id: str) -> list[PlannedComment]:
        return [c for _o, c in sorted(self.comments.get(card_id, []), key=lambda e: e[0])]


def parse_trello(path: str | Path) -> ImportPlan:
    data = load_board(path)
    read = _Reader(path)
    cleaner = Cleaner()
    board_name = (
        cleaner.line(read.text(data, "name", "the board"), "board name", NAME_MAX).strip()
        or "Trello board"
    )
    plan = ImportPlan(
        source="trello",
        project_name=board_name,
        project_key=derive_key(board_name),
        methodology="kanban",
        cleaner=cleaner,
    )
    lists = []
    for index, lst in enumerate(read.objects(data, "lists", "list")):
        where = f"list {index + 1} in 'lists'"
        lists.append((read.number(lst, "pos", where), read.ident(lst, where), index, lst, where))
    lists.sort(key=lambda entry: (entry[0], entry[1]))
    list_names: dict[str, str] = {}
    archived_lists: set[str] = set()
    used: set[str] = set()
    for _pos, list_id, _index, lst, where in lists:
        if list_id in list_names:
            raise read.refuse(where, f"has the id {shown(list_id)} of an earlier list")
        base = cleaner.line(read.text(lst, "name", where), "column name", 60).strip()
        base = base or "Untitled"
        column_name, n = base, 2
        while column_name.lower() in used:  # two lists with one name stay two columns
            column_name = f"{base[:55]} ({n})"
            n += 1
        used.add(column_name.lower())
        list_names[list_id] = column_name
        closed = read.flag(lst, "closed", where)
        if closed:
            archived_lists.add(list_id)
        plan.columns.append(PlannedColumn(column_name, _category(column_name), closed))
    # With no done-like name the last open list is done; a board with a single open list
    # has no done column (it is a to-do list: its cards would all be finished at creation).
    if plan.columns and not any(c.category == "done" for c in plan.columns):
        live = [c for c in plan.columns if not c.archived]
        if len(live) >= 2:
            live[-1].category = "done"

    labels: dict[str, str] = {}
    for index, label in enumerate(read.objects(data, "labels", "label")):
        where = f"label {index + 1} in 'labels'"
        label_id = read.ident(label, where)
        color = read.text(label, "color", where)
        text = label_name(cleaner.line(read.text(label, "name", where), "label", 50))
        text = text or label_name(cleaner.line(color, "label", 50)) or "label"
        labels[label_id] = text
        plan.labels.setdefault(text, _color(color))

    members: dict[str, str] = {}
    for index, member in enumerate(read.objects(data, "members", "member")):
        where = f"member {index + 1} in 'members'"
        member_id = read.ident(member, where)
        shown_as = (
            read.text(member, "fullName", where).strip()
            or read.text(member, "username", where).strip()
        )
        members[member_id] = cleaner.line(shown_as or member_id, "member name", 100).strip()
    plan.members = [m for m in dict.fromkeys(members.values()) if m]

    checklists: dict[str, list[tuple[float, list[tuple[str, bool]]]]] = {}
    for index, checklist in enumerate(read.objects(data, "checklists", "checklist")):
        where = f"checklist {index + 1} in 'checklists'"
        card_id = read.ident(checklist, where, "idCard")
        items = []
        for item_index, item in enumerate(read.objects(checklist, "checkItems", "item", where)):
            item_where = f"item {item_index + 1} of {where}"
            text = cleaner.line(read.text(item, "name", item_where), "checklist item", TITLE_MAX)
            done = read.text(item, "state", item_where) == "complete"
            items.append((read.number(item, "pos", item_where), item_index, text, done))
        items.sort()
        entries = [(text, done) for _pos, _i, text, done in items if text.strip()]
        checklists.setdefault(card_id, []).append((read.number(checklist, "pos", where), entries))

    history = _History()
    history.read(data.get("actions") or [], list_names, members, cleaner)

    cards = []
    seen: set[str] = set()
    list_order = {list_id: i for i, (_p, list_id, *_rest) in enumerate(lists)}
    for index, card in enumerate(read.objects(data, "cards", "card")):
        where = f"card {index + 1} in 'cards'"
        for key in ("id", "name", "idList"):
            if key not in card:
                raise read.refuse(where, f"has no key {key!r}")
        card_id = read.ident(card, where)
        list_id = read.ident(card, where, "idList")
        if card_id in seen:
            raise read.refuse(where, f"has the id {shown(card_id)} of an earlier card")
        seen.add(card_id)
        if list_id not in list_names:
            raise ImportRefused(
                f"{read.name}: card {shown(card_id)} names the list {shown(list_id)} "
                "(key 'idList'), which is not in 'lists'."
            )
        cards.append((list_order[list_id], read.number(card, "pos", where), card_id, card, where))
    cards.sort(key=lambda entry: entry[:3])
    for _order, _pos, card_id, card, where in cards:
        plan.cards.append(
            _card(
                read,
                cleaner,
                card,
                card_id,
                where,
                list_names,
                labels,
                members,
                checklists,
                history,
                archived_lists,
            )
        )
    return plan


def _card(
    read: _Reader,
    cleaner: Cleaner,
    card: dict[str, Any],
    card_id: str,
    where: str,
    list_names: dict[str, str],
    labels: dict[str, str],
    members: dict[str, str],
    checklists: dict[str, list[tuple[float, list[tuple[str, bool]]]]],
    history: _History,
    archived_lists: set[str],
) -> PlannedCard:
    title = cleaner.line(read.text(card, "name", where), "title", TITLE_MAX)
    points = None
    match = POINTS_PREFIX.match(title)
    if match:
        points = cleaner.points(match.group(1))
        if points is not None and title[match.end() :].strip():
            title = title[match.end() :]  # a prefix that cannot be stored stays in the title
    if not title.strip():
        cleaner.note("empty", "title")
        title = "(untitled)"
    member_names = [members[m] for m in read.ids(card, "idMembers", where) if m in members]
    when_created, created_list = history.start(card_id)
    when_created = when_created or _id_time(card_id)
    items: list[tuple[str, bool]] = []
    for _pos, entries in sorted(checklists.get(card_id, []), key=lambda e: e[0]):
        items.extend(entries)
    due = _time(card.get("due"), cleaner)
    last = _time(card.get("dateLastActivity"), cleaner)
    list_id = card["idList"]
    archived = read.flag(card, "closed", where) or list_id in archived_lists
    return PlannedCard(
        external_id=card_id,
        title=title,
        column=list_names[list_id],
        description=cleaner.block(read.text(card, "desc", where), "description"),
        type="task",
        points=points,
        assignee=member_names[0] if member_names else None,
        watchers=member_names[1:],
        labels=[labels[i] for i in read.ids(card, "idLabels", where) if i in labels],
        due_date=due.date() if due else None,
        archived=archived,
        created_at=when_created,
        updated_at=last or when_created,
        archived_at=history.archived.get(card_id) or last,
        checklist=items,
        comments=history.card_comments(card_id),
        created_in=created_list,
        moves=history.card_moves(card_id),
    )
