"""What this sitegen is: its own sources and the releases of the libraries that shape its output.

Every cache key includes this digest, so nothing that other code made (another release, a local
edit of sitegen, an upgraded Markdown) is ever taken for what this code would make.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path


@functools.cache
def code_digest() -> str:
    """sitegen's own sources and the releases of the libraries that shape what it writes, so
    that nothing another version made is taken for this one's. A library's release is read
    from the files that state it, without importing it or scanning the installed packages."""
    import importlib.util

    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.js"),
                        *(package / "templates").iterdir()]):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    for name in ("markdown", "jinja2", "babel", "yaml", "markupsafe"):
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        digest.update(f"\0{name}\0".encode())
        if origin is not None:
            for stated in (origin, origin.with_name("__meta__.py")):  # Markdown's is in __meta__
                if stated.is_file():
                    digest.update(stated.read_bytes())
    digest.update(f"\0{sys.version}".encode())
    return digest.hexdigest()
