"""The import graph stays shallow and acyclic (the contracts themselves: pyproject.toml)."""

from __future__ import annotations

import functools

import grimp

# Was 13 before the floor plan of issue 14; a new level needs a reason, not a bump here.
MOST_LEVELS = 12


def test_no_module_cycles_and_no_more_levels_than_the_floor_plan_allows() -> None:
    graph = grimp.build_graph("bot", "handlers", "storage")
    # grimp files bot.py (main, which may import anything) under the package's own name.
    modules = {m for m in graph.modules if m != "bot"}
    imports = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    visiting: set[str] = set()

    @functools.cache
    def levels(module: str) -> int:
        assert module not in visiting, f"import cycle through {module}"
        visiting.add(module)
        deepest = max((levels(m) for m in imports[module]), default=0)
        visiting.discard(module)
        return deepest + 1

    assert max(levels(m) for m in modules) <= MOST_LEVELS
