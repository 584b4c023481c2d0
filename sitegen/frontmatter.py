"""Split a Markdown file into its YAML front matter and body, remembering each key's line.

Editors save from every kind of editor: a UTF-8 BOM and Windows line endings must not matter,
and an error must point at the line in the file, not in the YAML fragment.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import BuildFailed, error

if TYPE_CHECKING:
    import yaml

_FENCE = "---"


@dataclass(frozen=True, slots=True)
class FrontMatter:
    fields: dict[str, Any]
    lines: dict[str, int]  # key -> 1-based line in the file
    body: str
    body_line: int  # the file line the body starts on
    item_lines: dict[str, int] = field(default_factory=dict)  # `sources[1]` -> its line


@functools.cache
def default_loader() -> type:
    """libyaml's loader where PyYAML has it (ten times faster), else the pure-Python one; both
    give the same values and the same error lines."""
    import yaml  # only builds that parse an article pay for importing PyYAML

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split(text: str, path: str, loader: type | None = None) -> FrontMatter:
    """Parse `text` (the file's decoded contents); raise BuildFailed with the file line."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        raise BuildFailed([error(path, 1, "missing front matter: an article starts with a '---' "
                                          "line, its YAML fields, and another '---' line")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in (_FENCE, "..."))
    except StopIteration:
        raise BuildFailed([error(path, 1, "front matter is not closed: add a '---' line after "
                                          "the last field")]) from None
    yaml_text = "\n".join(lines[1:end]) + "\n"
    fields, key_lines, item_lines = _load_mapping(yaml_text, path, loader or default_loader())
    return FrontMatter(fields, key_lines, "\n".join(lines[end + 1:]), end + 2, item_lines)


Lines = dict[str, int]


def _load_mapping(yaml_text: str, path: str,
                  loader_class: type) -> tuple[dict[str, Any], Lines, Lines]:
    import yaml

    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise BuildFailed([error(path, 2, "front matter must be a mapping of 'key: value' lines")])
        return _construct_fields(loader, node, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(yaml_text) - 1):
            mark = exc.context_mark  # "unexpected end": point at what was left open instead
        line = mark.line + 2 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise BuildFailed([error(path, line, f"invalid YAML in front matter: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise BuildFailed([error(path, 1, f"invalid YAML in front matter: {exc}")]) from None
    except RecursionError:
        raise BuildFailed([error(path, 2, "front matter nested too deeply to read")]) from None
    finally:
        loader.dispose()


def _construct_fields(loader: Any, node: yaml.MappingNode,
                      path: str) -> tuple[dict[str, Any], Lines, Lines]:
    """Build the values key by key, so a bad value (`date: 2015-13-45`) is reported at its line;
    the items of a list keep theirs (`sources[1]`), so a bad source is too."""
    import yaml

    fields: dict[str, Any] = {}
    key_lines: Lines = {}
    item_lines: Lines = {}
    problems = []
    for key_node, value_node in node.value:
        key, line = str(key_node.value), key_node.start_mark.line + 2
        if key in key_lines:
            problems.append(error(path, line, f"{key!r} is given twice in the front matter "
                                              f"(first on line {key_lines[key]})"))
            continue
        key_lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            item_lines.update((f"{key}[{n}]", item.start_mark.line + 2)
                              for n, item in enumerate(value_node.value))
        try:
            fields[key] = loader.construct_object(value_node, deep=True)
        except (ValueError, TypeError, OverflowError) as exc:
            shown = value_node.value if isinstance(value_node.value, str) else "value"
            problems.append(error(path, line, f"{key}: {shown!r} is not valid ({exc})"))
    if problems:
        raise BuildFailed(problems)
    return fields, key_lines, item_lines
