"""Static files as production serves them: hashed names (cached for a year) and a gzip copy of every
compressible file, written by collectstatic (WhiteNoise's CompressedManifestStaticFilesStorage).

Source-map comments are left as they are: the vendored packages from npm name `.js.map` files they do
not ship, and a missing map only matters to a developer's browser tools, never to a page."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (glob, tuple(p for p in rules if "sourceMappingURL" not in (p[0] if isinstance(p, tuple) else p)))
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
    )

    def stored_name(self, name):
        # A DEBUG=0 process that never ran collectstatic (a bench, a test of production settings) still
        # renders its pages, with the plain name; a deployment runs collectstatic and gets hashed ones.
        try:
            return super().stored_name(name)
        except ValueError:
            return name
