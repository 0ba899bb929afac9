"""No import cycles between the modules of `services`.

The graph is grimp's: an edge for every import a module makes, at the top or inside a function, of a
module of `services` (`from package import name` points at the package's `__init__` unless `name` is a
submodule). A cycle is a strongly connected component of more than one module, or a module importing
itself. A package's `__init__` importing its own submodules is no cycle by itself (grimp adds no edge
from a submodule to its package); it is one when the submodule also imports from the `__init__`, as
importing either then depends on the order. Imports under `if TYPE_CHECKING:` are left out: they never
run, so an annotation-only reference back (the usual way to type a two-way relation) is no cycle.
"""
from __future__ import annotations

import textwrap
from collections import defaultdict, deque
from typing import Iterable, Mapping

import grimp
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

Imports = Mapping[str, Iterable[str]]


def import_cycles(imports: Imports) -> list[list[str]]:
    """The modules of each cycle of `imports` (module -> modules it imports), sorted."""
    modules = sorted(set(imports) | {target for targets in imports.values() for target in targets})
    index = {module: i for i, module in enumerate(modules)}
    edges = [(index[source], index[target]) for source, targets in imports.items() for target in targets]
    matrix = csr_matrix(([1] * len(edges), ([s for s, _ in edges], [t for _, t in edges])),
                        shape=(len(modules), len(modules)))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    components: dict[int, list[str]] = defaultdict(list)
    for module, label in zip(modules, labels):
        components[label].append(module)
    return sorted(members for members in components.values()
                  if len(members) > 1 or members[0] in set(imports.get(members[0], ())))


def closed_path(imports: Imports, members: list[str]) -> list[str]:
    """A shortest way round a cycle, from its first module back to it: what to read to break it."""
    start, inside = members[0], set(members)
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for target in sorted(imports.get(module, ())):
            if target == start:
                path = [module]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target in inside and target not in previous:
                previous[target] = module
                queue.append(target)
    raise ValueError(f"{members} is not a cycle of the graph")


def describe(imports: Imports, cycles: list[list[str]]) -> str:
    return "\n".join(f"{' -> '.join(closed_path(imports, members))}  (modules in the cycle: {', '.join(members)})"
                     for members in cycles)


def imports_of(graph) -> dict[str, set[str]]:
    return {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}


# --- the services -----------------------------------------------------------------------------------

def test_no_module_of_services_is_part_of_an_import_cycle():
    imports = imports_of(grimp.build_graph("services", exclude_type_checking_imports=True, cache_dir=None))
    assert len(imports) > 100  # the whole package was read
    cycles = import_cycles(imports)
    assert not cycles, "import cycles:\n" + describe(imports, cycles)


# --- the cycle finder itself, on small graphs ----------------------------------------------------------

def test_a_package_importing_its_submodules_and_siblings_importing_each_other_one_way_is_acyclic():
    imports = {"pkg": {"pkg.a", "pkg.b"}, "pkg.a": {"pkg.b", "kernel"}, "pkg.b": {"kernel"}, "kernel": set()}
    assert import_cycles(imports) == []


def test_a_cycle_is_found_with_its_members_and_a_way_round_it():
    imports = {"a": {"b"}, "b": {"c", "x"}, "c": {"a", "b"}, "d": {"a"}, "x": set()}
    assert import_cycles(imports) == [["a", "b", "c"]]
    assert closed_path(imports, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    assert describe(imports, [["a", "b", "c"]]) == "a -> b -> c -> a  (modules in the cycle: a, b, c)"


def test_two_separate_cycles_and_a_self_import_are_each_reported():
    imports = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}, "e": {"e"}, "f": {"a"}}
    assert import_cycles(imports) == [["a", "b"], ["c", "d"], ["e"]]
    assert closed_path(imports, ["e"]) == ["e", "e"]


def test_a_submodule_importing_its_packages_init_that_imports_it_is_a_cycle():
    assert import_cycles({"pkg": {"pkg.sub"}, "pkg.sub": {"pkg"}}) == [["pkg", "pkg.sub"]]


def test_grimp_sees_an_init_cycle_but_not_an_annotation_only_one(tmp_path, monkeypatch):
    package = tmp_path / "cycle_probe"
    package.mkdir()
    files = {
        "__init__.py": "from cycle_probe import sub\nVALUE = 1\n",
        "sub.py": "def value():\n    from cycle_probe import VALUE\n    return VALUE\n",  # in a function: still an edge
        "model.py": "from cycle_probe import typed\n",
        "typed.py": """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from cycle_probe.model import Model
            """,
    }
    for name, text in files.items():
        (package / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))

    imports = imports_of(grimp.build_graph("cycle_probe", exclude_type_checking_imports=True, cache_dir=None))
    assert import_cycles(imports) == [["cycle_probe", "cycle_probe.sub"]]
    with_annotations = imports_of(grimp.build_graph("cycle_probe", cache_dir=None))
    assert import_cycles(with_annotations) == [["cycle_probe", "cycle_probe.sub"],
                                               ["cycle_probe.model", "cycle_probe.typed"]]
