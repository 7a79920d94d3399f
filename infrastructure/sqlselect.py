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
    text = f"SELECT {', '.join(table.columns)} FROM {table.name}"
    if clauses:
        text += " WHERE " + " AND ".join(clauses)
    if order_by:
        direction = " DESC" if descending else ""
        text += " ORDER BY " + ", ".join(f"{c}{direction}" for c in order_by)
    if limit is not None:
        text += f" LIMIT {int(limit)}"
    return text


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
    clauses, params = equal_to(eq)
    if within is not None:
        values = list(within[1])
        if not values:
            return None
        among, values = one_of(within[0], values, is_postgres=is_postgres)
        clauses += among
        params += values
    if between is not None:
        clauses.append(f"{between[0]} >= ? AND {between[0]} < ?")
        params += [between[1], between[2]]
    if after is not None:
        clauses.append(f"{after[0]} {'<' if descending else '>'} ?")
        params.append(after[1])
    return clauses, params


def get_with_sql(table: Table, children: Table, order_by: Sequence[str]) -> str:
    """A row of ``table`` by its key, left-joined to its ``children`` (made once each)."""
    text = _GET_WITH.get((table.name, children.name, *order_by))
    if text is None:
        on = " AND ".join(f"c.{k} = p.{k}" for k in table.key)
        condition = " AND ".join(f"p.{k} = ?" for k in table.key)
        text = (
            f"SELECT {', '.join(f'p.{c}' for c in table.columns)}, "
            f"{', '.join(f'c.{c}' for c in children.columns)} "
            f"FROM {table.name} p LEFT JOIN {children.name} c ON {on} WHERE {condition}"
        )
        if order_by:
            text += " ORDER BY " + ", ".join(f"c.{c}" for c in order_by)
        _GET_WITH[(table.name, children.name, *order_by)] = text
    return text


def parent_and_children(
    rows: list[tuple[Any, ...]], table: Table, children: Table
) -> tuple[Row | None, list[Row]]:
    """The rows of :func:`get_with_sql` as the parent's row and its children's."""
    if not rows:
        return None, []
    width = len(table.columns)
    row = dict(zip(table.columns, rows[0][:width], strict=True))
    # Without children the left join gives one row whose child columns are all NULL;
    # a child's key is never NULL.
    present = width + children.columns.index(children.key[0])
    return row, [
        dict(zip(children.columns, r[width:], strict=True)) for r in rows if r[present] is not None
    ]
