"""sitegen: a static site generator for bilingual newsrooms."""

__version__ = "0.1.0"
