"""Cell suppression for a published table with margins (pure): which cells to hide so that no cell of
fewer than `threshold` deals can be read, directly or by difference.

The table is two hierarchies crossed: rows (sites, their countries, the network) and columns (years,
all years). Every node (row, column) holds a deal count and sums that add up: a parent row's node is
the sum of its child rows' nodes in the same column, and a parent column's node the sum of its child
columns' in the same row. These are the table's additive relations (`Layout.equations`); together they
cover site→country, country→network, years→all years and both at once.

The algorithm:
1. Primary: every node with 1 .. threshold-1 deals is suppressed. A node of 0 deals is published as 0:
   it says that there was no deal, and no deal's price or volume can be read off it. It is never a
   complement either: a hidden zero protects nothing (a published total of 0 pins it, by x >= 0), and
   with only positive nodes hidden the true table lies inside the attacker's x >= 0, so a node the
   relations leave free can move both ways.
2. Secondary (complementary), repeated until no suppressed node is exposed. A suppressed node is
   exposed when
   a. the published nodes and the relations determine it: with S the suppressed nodes and A the
      relations' matrix, x_i is determined exactly when some combination of the relations has x_i as
      its only unknown, i.e. when dropping column i from A_S lowers its rank. This depends only on the
      pattern, so it holds for the count and every sum at once; or
   b. (primary nodes) the largest count it can take, given the published counts, the relations and
      non-negativity (a linear programme), is below the threshold: an attacker could tell that it is
      a small cell even without pinning it.
   An exposed node that a single relation gives away (it is that relation's only hidden node) gets a
   complement from such a relation: the published node with deals, every sum positive (so the
   complement moves its relations' figures) that closes the most of the exposed nodes' open relations,
   then with the fewest deals (so little is hidden), then the finest (a cell before a margin).
   Each round hides one more node, so this ends; with every node of deals hidden nothing is exposed
   (the true table solves the relations with each of them positive, so none is forced to one value).
3. Pruning: the greedy rounds may hide complements that later ones made unnecessary. Each secondary
   node is published again, the largest first, if no suppressed node is exposed without it.

When every suppressed value is positive, (a) makes each one free to move along the relations' null
space, so its interval given the published table has a positive width in every measure. A sum that is
zero in every suppressed node of a relation stays zero for the attacker too: that says "nothing",
never a deal's price or volume.

Whole nodes are hidden: the count and every figure of a suppressed node are withheld together.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import linprog

Node = tuple[Hashable, Hashable]  # (row, column)


@dataclass(frozen=True)
class Layout:
    """The rows and columns of a table, each a hierarchy: parent -> its children (leaves have none)."""

    rows: tuple[Hashable, ...]
    columns: tuple[Hashable, ...]
    row_children: Mapping[Hashable, Sequence[Hashable]]
    column_children: Mapping[Hashable, Sequence[Hashable]]

    @property
    def nodes(self) -> list[Node]:
        return [(r, c) for r in self.rows for c in self.columns]

    def is_leaf(self, node: Node) -> bool:
        return not self.row_children.get(node[0]) and not self.column_children.get(node[1])

    def equations(self) -> list[tuple[Node, tuple[Node, ...]]]:
        """Every additive relation: (total, its parts)."""
        found = []
        for parent, children in self.row_children.items():
            if children:
                found += [((parent, c), tuple((child, c) for child in children)) for c in self.columns]
        for parent, children in self.column_children.items():
            if children:
                found += [((r, parent), tuple((r, child) for child in children)) for r in self.rows]
        return found

    def matrix(self) -> tuple[np.ndarray, dict[Node, int]]:
        """The relations as rows of A with A x = 0: +1 for the total, -1 for each part."""
        index = {node: i for i, node in enumerate(self.nodes)}
        equations = self.equations()
        a = np.zeros((len(equations), len(index)))
        for k, (total, parts) in enumerate(equations):
            a[k, index[total]] = 1
            for part in parts:
                a[k, index[part]] -= 1
        return a, index


def primary(counts: Mapping[Node, int], threshold: int) -> set[Node]:
    return {node for node, n in counts.items() if 0 < n < threshold}


def suppress(layout: Layout, counts: Mapping[Node, int], threshold: int,
             positive: Mapping[Node, bool] | None = None) -> frozenset[Node]:
    """The nodes to hide. `counts` holds every node's deals; `positive[node]` says that every sum of the
    node is above zero (complements are chosen among those first)."""
    a, index = layout.matrix()
    nodes = layout.nodes
    small = primary(counts, threshold)
    hidden = set(small)
    twins = _twins(layout)
    while exposed := _exposed(a, index, nodes, hidden, small, counts, threshold):
        # Complement where a node gives itself away alone; the others may be exposed only through it.
        target = next((n for n in exposed if _alone(layout, n, hidden)), exposed[0])
        open_relations = [members for n in exposed for members in _alone(layout, n, hidden)]
        complement = _complement(layout, target, hidden, counts, positive or {}, open_relations) \
            or _any_published(nodes, hidden, counts)
        if complement is None:
            break
        hidden |= twins.get(complement, {complement})
    # The greedy rounds may have hidden complements that later ones made unnecessary: publish each again
    # (with its twins), the largest first, where the pattern stays safe without it.
    for node in sorted(hidden - small, key=lambda n: (-counts[n], str(n))):
        group = twins.get(node, {node}) & hidden
        if not group or group & small:
            continue
        hidden -= group
        if _exposed(a, index, nodes, hidden, small, counts, threshold):
            hidden |= group
    return frozenset(hidden)


def _twins(layout: Layout) -> dict[Node, set[Node]]:
    """Nodes equal by a relation of one part (a country of one site, a row of one year), grouped: one of
    them published gives the others away, so they are hidden and published together."""
    groups: dict[Node, set[Node]] = {}
    for total, parts in layout.equations():
        if len(parts) == 1:
            merged = groups.get(total, {total}) | groups.get(parts[0], {parts[0]})
            for node in merged:
                groups[node] = merged
    return groups


def _exposed(a, index, nodes, hidden, small, counts, threshold) -> list[Node]:
    """The hidden nodes the relations determine; if none, the first small node whose largest possible
    count is below the threshold; [] when the pattern is safe."""
    ordered = [n for n in nodes if n in hidden]
    if not ordered:
        return []
    # x_i is determined exactly when every solution of A_S d = 0 has d_i = 0: row i of a null-space
    # basis is zero (the same as: dropping column i lowers the rank of A_S).
    basis = null_space(a[:, [index[n] for n in ordered]])
    determined = [node for position, node in enumerate(ordered) if not np.any(np.abs(basis[position]) > 1e-9)]
    if determined:
        return determined
    x = np.array([float(counts[n]) for n in ordered])
    return next(([node] for position, node in enumerate(ordered)
                 if node in small and not _reaches(basis, x, position, threshold)
                 and largest(a, index, nodes, hidden, counts, node) < threshold - 1e-9), [])


def _reaches(basis: np.ndarray, x: np.ndarray, position: int, threshold: int) -> bool:
    """A quick sufficient test (the linear programme decides otherwise): walking from the true counts
    along one null-space direction, as far as every count stays >= 0, x[position] reaches the threshold."""
    for direction in (*basis.T, *(-basis.T)):
        if direction[position] <= 1e-9:
            continue
        falling = direction < -1e-9
        step = np.min(x[falling] / -direction[falling]) if falling.any() else np.inf
        if x[position] + step * direction[position] >= threshold - 1e-9:
            return True
    return False


def largest(a, index, nodes, hidden, values: Mapping[Node, float], node: Node) -> float:
    """The largest value `node` can take given the published values, the relations and x >= 0."""
    return -_optimum(a, index, nodes, hidden, values, node, -1)


def interval(a, index, nodes, hidden, values: Mapping[Node, float], node: Node) -> tuple[float, float]:
    """(min, max) of a hidden node's value as an attacker can bound it by linear programming: the
    published values are known, every relation holds, every value is non-negative."""
    return (_optimum(a, index, nodes, hidden, values, node, 1),
            -_optimum(a, index, nodes, hidden, values, node, -1))


def _optimum(a, index, nodes, hidden, values, node, sign: int) -> float:
    """min of sign * x_node over the attacker's polytope (-inf when unbounded)."""
    unknown = [n for n in nodes if n in hidden]
    known = [n for n in nodes if n not in hidden]
    b = -a[:, [index[n] for n in known]] @ np.array([float(values[n]) for n in known]) if known else \
        np.zeros(a.shape[0])
    target = np.zeros(len(unknown))
    target[unknown.index(node)] = sign
    found = linprog(target, A_eq=a[:, [index[n] for n in unknown]], b_eq=b, bounds=(0, None), method="highs")
    return float("-inf") if found.status == 3 else found.fun


def _containing(layout: Layout, node: Node) -> list[tuple[Node, ...]]:
    return [(total, *parts) for total, parts in layout.equations() if node == total or node in parts]


def _alone(layout: Layout, node: Node, hidden: set[Node]) -> list[tuple[Node, ...]]:
    """The relations in which `node` is the only hidden member: each gives it away by itself."""
    return [members for members in _containing(layout, node) if not (set(members) & hidden) - {node}]


def _complement(layout: Layout, node: Node, hidden: set[Node], counts: Mapping[Node, int],
                positive: Mapping[Node, bool], open_relations: list[tuple[Node, ...]]) -> Node | None:
    """A published node to hide beside `node`; of those, one that also closes most of the other exposed
    nodes' open relations, then the fewest deals."""
    containing = _containing(layout, node)
    alone = _alone(layout, node, hidden)
    related = {member for members in (alone or containing) for member in members
               if member not in hidden and counts[member] > 0}
    if not related:
        return None
    return min(related, key=lambda n: (not positive.get(n, True),
                                       -sum(n in members for members in open_relations), counts[n],
                                       not layout.is_leaf(n), str(n)))


def _any_published(nodes: Iterable[Node], hidden: set[Node], counts: Mapping[Node, int]) -> Node | None:
    rest = [n for n in nodes if n not in hidden and counts[n] > 0]
    return min(rest, key=lambda n: (counts[n], str(n))) if rest else None
