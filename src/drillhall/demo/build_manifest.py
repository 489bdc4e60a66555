"""Sign the demo's model and data files: ``assets/drillhall-manifest.json``.

The demo ships a signed manifest of ``assets/models/**`` and ``assets/data/**`` and the public
key that verifies it, ``assets/keys/demo-signing.pub``; ``drillhall demo`` copies the assets,
tampers with one data file and lets the manifest drill find it. Rebuild after changing a model
or data file (it must run after the models exist)::

    python -m drillhall.demo.build_manifest

The private key is generated in a temporary directory and deleted right after signing: the
demo never signs again, and a private key in the repository would itself be a finding. Each
run therefore makes a new key pair, and replaces both the manifest and the public key.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from drillhall.demo import assets_dir
from drillhall.ml.manifest import create_manifest, generate_key, load_signed, sign, write_signed
from drillhall.ml.manifest.manifest import DEFAULT_MANIFEST_NAME

INCLUDE: tuple[str, ...] = ("models/**", "data/**")
PUBLIC_KEY = Path("keys") / "demo-signing.pub"


def build(root: Path | None = None) -> tuple[Path, Path]:
    """Sign the model and data files under ``root`` (default: the package's assets); return
    the paths of the manifest and of the public key written."""
    base = root or assets_dir()
    manifest = create_manifest(base, include=INCLUDE)
    public_target = base / PUBLIC_KEY
    manifest_target = base / DEFAULT_MANIFEST_NAME
    with tempfile.TemporaryDirectory(prefix="drillhall-demo-key-") as tmp:
        private, public = Path(tmp) / "demo-signing.key", Path(tmp) / "demo-signing.pub"
        generate_key(private, public)
        signed = sign(manifest, private)
        public_target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(public, public_target)
    write_signed(signed, manifest_target)
    return manifest_target, public_target


def main() -> int:
    """Entry point of ``python -m drillhall.demo.build_manifest``."""
    base = assets_dir()
    missing = [d for d in ("models", "data") if not (base / d).is_dir()]
    if missing:
        sys.stderr.write(f"{base}: no {' or '.join(missing)} directory yet; build them first\n")
        return 2
    manifest, public = build(base)
    count = len(load_signed(manifest).manifest.files)
    sys.stdout.write(f"signed {count} files: {manifest}\npublic key: {public}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
