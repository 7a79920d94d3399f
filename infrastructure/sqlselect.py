"""The SQL text of read-model reads: a ``select``'s WHERE, ORDER BY and LIMIT, and the
left join behind ``get_with``. :class:`~infrastructure.sqlstore.SqlStore` runs them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from application.readmodel.store import Row
from application.readmodel.tables import Table

# (WHERE clauses, their parameters) of one select.
Where = tuple[list[str], list[Any]]

_GET_WITH: dict[tuple[str, ...], str] = {}


def equal_to(eq: Row | None) -> Where:
    """``column = ?`` for each entry of ``eq`` (``IS NULL`` for None)."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (eq or {}).items():
        if value is None:
            clauses.append(f"{column} IS NULL")
        else:
            clauses.append(f"{column} = ?")
            params.append(value)
    return clauses, params


def one_of(column: str, values: list[Any], *, is_postgres: bool) -> Where:
    """``column`` among ``values`` (not empty)."""
    if is_postgres:
        # One array parameter: the same statement text for any number of values
        # (prepared once), not a placeholder each to parse and dump.
        return [f"{column} = ANY(?)"], [values]
    return [f"{column} IN ({', '.join('?' * len(values))})"], list(values)


def select_sql(
    table: Table,
    clauses: Sequence[str],
    *,
    order_by: Sequence[str] = (),
    descending: bool = False,
    limit: int | None = None,
) -> str:
    text = f"SELECT {', '.join(table.columns)} FROM {table.name}" + _where(clauses)
    text += _order_by(order_by, direction=" DESC" if descending else "")
    if limit is not None:
        text += f" LIMIT {int(limit)}"
    return text


def _where(clauses: Sequence[str]) -> str:
    """The WHERE of ``clauses``, all of them to hold; nothing without clauses."""
    return " WHERE " + " AND ".join(clauses) if clauses else ""


def _order_by(columns: Sequence[str], *, prefix: str = "", direction: str = "") -> str:
    """The ORDER BY of ``columns`` (each given ``prefix``, a table's alias, and
    ``direction``); nothing without columns."""
    if not columns:
        return ""
    return " ORDER BY " + ", ".join(f"{prefix}{c}{direction}" for c in columns)


def where(
    eq: Row | None,
    *,
    within: tuple[str, Iterable[Any]] | None,
    between: tuple[str, Any, Any] | None,
    after: tuple[str, Any] | None,
    descending: bool,
    is_postgres: bool,
) -> Where | None:
    """The clauses of a ``select`` (see :meth:`RowReader.select`); None when ``within``
    names no value, so nothing can match."""
    among = _within(within, is_postgres=is_postgres)
    if among is None:
        return None
    clauses: list[str] = []
    params: list[Any] = []
    for more, values in (equal_to(eq), among, _between(between), _after(after, descending)):
        clauses += more
        params += values
    return clauses, params


def _within(within: tuple[str, Iterable[Any]] | None, *, is_postgres: bool) -> Where | None:
    """The clause of a ``select``'s ``within`` (none without it); None when it names no
    value."""
    if within is None:
        return [], []
    values = list(within[1])
    if not values:
        return None
    return one_of(within[0], values, is_postgres=is_postgres)


def _between(between: tuple[str, Any, Any] | None) -> Where:
    """The clause of a ``select``'s ``between``: from the first value, short of the second."""
    if between is None:
        return [], []
    column, low, high = between
    return [f"{column} >= ? AND {column} < ?"], [low, high]


def _after(after: tuple[str, Any] | None, descending: bool) -> Where:
    """The clause of a ``select``'s ``after``: past the value in the order read."""
    if after is None:
        return [], []
    column, value = after
    return [f"{column} {'<' if descending else '>'} ?"], [value]


def get_with_sql(table: Table, children: Table, order_by: Sequence[str]) -> str:
    """A row of ``table`` by its key, left-joined to its ``children`` (made once each)."""
    made = (table.name, children.name, *order_by)
    text = _GET_WITH.get(made)
    if text is None:
        text = _GET_WITH[made] = _left_join(table, children) + _order_by(order_by, prefix="c.")
    return text


def _left_join(table: Table, children: Table) -> str:
    """The row of ``table`` (alias p) with a key given, each of its ``children`` (c) beside it."""
    on = " AND ".join(f"c.{k} = p.{k}" for k in table.key)
    condition = " AND ".join(f"p.{k} = ?" for k in table.key)
    return (
        f"SELECT {_aliased('p', table.columns)}, {_aliased('c', children.columns)} "
        f"FROM {table.name} p LEFT JOIN {children.name} c ON {on} WHERE {condition}"
    )


def _aliased(alias: str, columns: Sequence[str]) -> str:
    return ", ".join(f"{alias}.{c}" for c in columns)


def parent_and_children(
    rows: list[tuple[Any, ...]], table: Table, children: Table
) -> tuple[Row | None, list[Row]]:
    """The rows of :func:`get_with_sql` as the parent's row and its children's."""
    if not rows:
        return None, []
    width = len(table.columns)
    return dict(zip(table.columns, rows[0][:width], strict=True)), _children(rows, width, children)


def _children(rows: list[tuple[Any, ...]], width: int, children: Table) -> list[Row]:
    """The children's rows: the columns after the parent's ``width`` of each row that has
    a child. Without children the left join gives one row whose child columns are all
    NULL; a child's key is never NULL."""
    present = width + children.columns.index(children.key[0])
    return [
        dict(zip(children.columns, r[width:], strict=True)) for r in rows if r[present] is not None
    ]
