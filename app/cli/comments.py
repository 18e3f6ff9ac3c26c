"""Comment commands: ``sprintdeck comment add KEY TEXT`` and ``comment list KEY [--json]``.

A comment is posted as the command's actor (``--as NAME``, else ``SPRINTDECK_USER``, else
the login), as in the app.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from app.cli.common import Handlers

if TYPE_CHECKING:
    from app.services import Services
    from app.services.comments import CommentDTO


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    comment = commands.add_parser("comment", parents=[db], help="comments on cards")
    comment_cmds = comment.add_subparsers(dest="action", metavar="ACTION", required=True)
    cadd = comment_cmds.add_parser(
        "add", parents=[db], help="comment on a card (Markdown; - reads the text from stdin)"
    )
    cadd.add_argument("key", help="the card, such as SD-42")
    cadd.add_argument("text", help="the comment; - reads it from standard input")
    clist = comment_cmds.add_parser("list", parents=[db], help="a card's comments, oldest first")
    clist.add_argument("key", help="the card, such as SD-42")
    clist.add_argument("--json", action="store_true")
    return {("comment", "add"): _comment_add, ("comment", "list"): _comment_list}, {}


def comment_row(comment: CommentDTO) -> dict[str, Any]:
    """A comment as a JSON object (``text`` is empty for a deleted one)."""
    return {
        "id": comment.id,
        "card": comment.card_key,
        "author": comment.author,
        "at": comment.created_at.isoformat(),
        "text": comment.text,
        "edited": comment.edited_at.isoformat() if comment.edited_at else None,
        "deleted_by": comment.deleted_by,
    }


def _comment_add(services: Services, args: argparse.Namespace) -> int:
    import sys

    card = services.cards.find_card(args.key)
    text = sys.stdin.read() if args.text == "-" else args.text
    comment = services.comments.add(card.id, text)
    print(f"Commented on {comment.card_key} as {comment.author}.")
    return 0


def _comment_list(services: Services, args: argparse.Namespace) -> int:
    card = services.cards.find_card(args.key)
    comments = services.comments.list(card.id)
    if args.json:
        print(json.dumps([comment_row(c) for c in comments], ensure_ascii=False, indent=2))
        return 0
    if not comments:
        print(f"{card.key} has no comments.")
    for c in comments:
        when = c.created_at.strftime("%Y-%m-%d %H:%M")
        if c.deleted:
            print(f"{when}  {c.author}: (deleted by {c.deleted_by})")
            continue
        edited = " (edited)" if c.edited else ""
        print(f"{when}  {c.author}{edited}:")
        for line in c.text.splitlines():
            print(f"    {line}")
    return 0
