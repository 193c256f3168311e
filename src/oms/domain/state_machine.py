"""One transition check for every state machine: orders, shipments, pick lists."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from oms.domain.errors import TransitionNotAllowed

S = TypeVar("S", bound=StrEnum)


class StateMachine(Generic[S]):
    """A table of allowed arrows; `check` is the one place a move is refused."""

    def __init__(
        self,
        noun: str,
        initial: S,
        transitions: Mapping[S, frozenset[S]],
        starts: Mapping[str, frozenset[S]] | None = None,
    ) -> None:
        """`starts` names actions that may begin only in some states, where an arrow serves
        several actions (leaving hold back to `confirmed` is a release, not a confirmation)."""
        missing = [s for s in type(initial) if s not in transitions]
        if missing:
            raise ValueError(f"{noun} states without a row: {', '.join(missing)}")
        self.noun = noun
        self.initial = initial
        self.transitions = dict(transitions)
        self.starts = dict(starts or {})

    def can(self, current: S, target: S, action: str | None = None) -> bool:
        if action in self.starts and current not in self.starts[action]:
            return False
        return target in self.transitions[current]

    def check(self, current: S, target: S, action: str) -> None:
        """Raise TransitionNotAllowed unless the table has an arrow current -> target (and
        the action may start from current)."""
        if self.can(current, target, action):
            return
        if action in self.starts and current not in self.starts[action]:
            raise TransitionNotAllowed(
                f"cannot {action} {_article(self.noun)} that is {current.value} ({action} "
                f"applies only to {_article(self.noun)} that is "
                f"{' or '.join(sorted(self.starts[action]))})"
            )
        after = self.transitions[current]
        raise TransitionNotAllowed(
            f"cannot {action} {_article(self.noun)} that is {current.value}"
            + (
                f" (it could move to: {', '.join(sorted(after))})"
                if after
                else " (no further transitions)"
            )
        )

    def reachable(self) -> set[S]:
        """Every state some path of arrows leads to from the initial one."""
        seen = {self.initial}
        todo = [self.initial]
        while todo:
            for target in self.transitions[todo.pop()]:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun
