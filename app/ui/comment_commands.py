"""Undo commands for comments, the only ones (the card editor's Comments tab and the
standup mode's C key both post with :class:`AddCommentCommand`): post (undo retracts it
without a trace), edit (undo puts the old text and the old "edited" mark back), delete
(undo restores). Each is a :class:`app.ui.commands.ServiceCommand`, so a refusal is reported
and the command drops itself from the stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui.commands import CommandContext, ServiceCommand

if TYPE_CHECKING:  # the DTO's module reads the database: not on the window's first paint
    from app.services.comments import CommentDTO


class AddCommentCommand(ServiceCommand):
    """Comment on a card (the Comments tab, the standup's C key); undo takes the comment
    back without a trace (``retract``), redo posts it again."""

    def __init__(self, context: CommandContext, card_id: int, card_key: str, text: str) -> None:
        super().__init__(context, f"Comment on {card_key}")
        self._card_id = card_id
        self._text = text
        self.comment: CommentDTO | None = None

    @property
    def comment_id(self) -> int | None:
        return None if self.comment is None else self.comment.id

    def _redo(self) -> None:
        self.comment = self._ctx.services.comments.add(self._card_id, self._text)

    def _undo(self) -> None:
        if self.comment is not None:
            self._ctx.services.comments.retract(self.comment.id)
            self.comment = None


class EditCommentCommand(ServiceCommand):
    def __init__(self, context: CommandContext, comment: CommentDTO, text: str) -> None:
        super().__init__(context, f"Edit a comment on {comment.card_key}")
        self._comment = comment
        self._text = text
        self.comment: CommentDTO | None = None

    def _redo(self) -> None:
        self.comment = self._ctx.services.comments.edit(self._comment.id, self._text)

    def _undo(self) -> None:
        # The old text and the old "edited" mark: a comment never edited before is not
        # "edited" once the edit is undone.
        self.comment = self._ctx.services.comments.revert_edit(
            self._comment.id, self._comment.text, self._comment.edited_at
        )


class DeleteCommentCommand(ServiceCommand):
    def __init__(self, context: CommandContext, comment: CommentDTO) -> None:
        super().__init__(context, f"Delete a comment on {comment.card_key}")
        self._comment = comment
        self.comment: CommentDTO | None = None

    def _redo(self) -> None:
        self.comment = self._ctx.services.comments.delete(self._comment.id)

    def _undo(self) -> None:
        self.comment = self._ctx.services.comments.restore(self._comment.id)


__all__ = ["AddCommentCommand", "DeleteCommentCommand", "EditCommentCommand"]
