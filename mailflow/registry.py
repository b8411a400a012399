"""A registry of named functions (inbound handlers, rule actions, rule conditions), built and
filled by an explicit call — never at import — and passed to whoever looks names up.

It lives at the top of the package because flows/ and timeline/ both use it and neither should
import the other for it. Registering a name twice is a mistake (two handlers for one kind, an
action defined in two modules), so `add` refuses it instead of letting the later one win silently.
"""

from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar

F = TypeVar("F", bound=Callable)


class Registry(Generic[F]):
    """A name -> function mapping that refuses duplicates. `kind` ("action", "condition", …) only
    makes the error messages say what was meant."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, F] = {}

    def add(self, name: str, fn: F) -> F:
        if name in self._items:
            old = self._items[name]
            raise ValueError(f"{self.kind} {name!r} is registered twice: "
                             f"{_where(old)} and {_where(fn)}")
        self._items[name] = fn
        return fn

    def get(self, name: str, default: F | None = None) -> F | None:
        return self._items.get(name, default)

    def __getitem__(self, name: str) -> F:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r} (known: {', '.join(sorted(self._items))})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self):
        return self._items.items()

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._items)} names)"


def _where(fn: Callable) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
