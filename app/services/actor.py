"""Who did it: the person at the keyboard, whom every history event names.

The services write ``context.actor`` into each history event they record. It starts as
the default the runtime was built with (``SPRINTDECK_USER``, on PostgreSQL the database
user name, else the OS login: :func:`app.whoami.actor_name`); *Settings › You are* (kept
per installation by the window, in its settings) picks a member of the project's team as
"me" through :meth:`ActorService.choose`, or any name through :meth:`ActorService.set_actor`.
The change takes effect for the next change written; nothing restarts.

History keeps names, not member ids: a renamed or removed person's past events keep the
name they were made under, and a name that is nobody's member (a script's
``SPRINTDECK_USER``) is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import NotFound, ValidationError
from app.services.context import ServiceContext
from app.services.dto import TeamMemberDTO
from app.services.projects import ProjectService
from app.services.team import TeamService

ACTOR_MAX = 100  # history_event.actor is a String(100)


@dataclass(frozen=True, slots=True)
class YouAreDTO:
    """Who "me" is now: ``name`` (what the next history event records), whether it is the
    default (nobody was chosen), and, when it is a member of the project asked about, that
    member's id (else None)."""

    name: str
    is_default: bool
    member_id: int | None = None
    added: bool = False  # choose() added the person to the team


def clean_actor(value: object) -> str:
    """A name for history events: text, trimmed, at most 100 characters, no line breaks."""
    if not isinstance(value, str):
        raise ValidationError("Your name must be text.")
    name = " ".join(value.split())
    if not name:
        raise ValidationError("Your name cannot be empty.")
    if len(name) > ACTOR_MAX:
        raise ValidationError(f"Your name is longer than {ACTOR_MAX} characters.")
    return name


class ActorService:
    """The current person: ``services.me``."""

    def __init__(self, context: ServiceContext, default: str | None = None) -> None:
        self._ctx = context
        self._default = default or context.actor
        self._chosen: str | None = None

    @property
    def name(self) -> str:
        """The name the next history event records."""
        return self._ctx.actor

    @property
    def default(self) -> str:
        """The name used when nobody was chosen (``SPRINTDECK_USER``, the database user on
        PostgreSQL, the OS login)."""
        return self._default

    @property
    def chosen(self) -> str | None:
        """The name chosen with :meth:`set_actor` / :meth:`choose`; None for the default."""
        return self._chosen

    def set_actor(self, name: str | None) -> str:
        """Make ``name`` the actor of every change from now on; None or "" goes back to the
        default. The name is not checked against any team (a script may name anyone)."""
        if name is None or (isinstance(name, str) and not name.strip()):
            self._chosen = None
            self._ctx.actor = self._default
        else:
            self._chosen = clean_actor(name)
            self._ctx.actor = self._chosen
        return self._ctx.actor

    def candidates(self, project_id: int) -> list[str]:
        """The names "You are" offers in ``project_id``: its team, by name."""
        return [m.display_name for m in TeamService(self._ctx).list_team(project_id)]

    def current(self, project_id: int | None = None) -> YouAreDTO:
        """Who "me" is, and which member of ``project_id``'s team that is (if any)."""
        member_id = None
        if project_id is not None:
            found = self._find(project_id, self.name)
            member_id = None if found is None else found.member_id
        return YouAreDTO(self.name, self._chosen is None, member_id)

    def choose(self, project_id: int, name: str, add: bool = False) -> YouAreDTO:
        """Make the member called ``name`` (any case) of ``project_id``'s team "me", under
        the spelling the team has. A name that is not on the team is refused with
        :class:`NotFound` unless ``add``: then that person joins the team (a person known
        from another project, or a new one) and is "me"."""
        wanted = clean_actor(name)
        member = self._find(project_id, wanted)
        if member is not None:
            self.set_actor(member.display_name)
            return YouAreDTO(self.name, False, member.member_id)
        if not add:
            raise NotFound(f"There is nobody called {wanted} in this project's team.")
        added = ProjectService(self._ctx).add_member(project_id, wanted)
        self.set_actor(added.display_name)
        return YouAreDTO(self.name, False, added.id, added=True)

    def _find(self, project_id: int, name: str) -> TeamMemberDTO | None:
        wanted = name.strip().lower()
        team = TeamService(self._ctx).list_team(project_id)
        return next((m for m in team if m.display_name.lower() == wanted), None)
