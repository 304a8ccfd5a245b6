"""`callqa rules apply PACK`: a QA lead's explicit step that makes a (proposed) pack the rules.

It validates the pack, records it in the store as a new rules version (the pack's text, file,
sha256 and who applied it, in the audit log as `rules_applied`) and re-scores every stored call
with it, from stored data, as `callqa rescore` does. Its version must be new: a version already
used for scorings is refused, unless it is this very pack being applied again after an
interruption (the re-score then finishes the calls not yet done).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from callqa.errors import CallQAError
from callqa.pipeline.rules import RulePack, load_rule_pack
from callqa.rescore import RescoreSummary, rescore_store
from callqa.store import Store


class VersionInUse(CallQAError):
    """The pack's version already scored calls with other rules: a changed pack needs a new version."""


@dataclass(frozen=True)
class Applied:
    rules: RulePack
    sha256: str
    resumed: bool
    previous: dict[str, int]      # rules version -> calls whose current result carried it before
    rescore: RescoreSummary


def apply_pack(store: Store, path: str | Path, actor: str, engine: str | None = None,
               model: str | None = None) -> Applied:
    rules = load_rule_pack(path)  # a bad pack stops here, before the store is touched
    text = Path(path).read_bytes()
    digest = hashlib.sha256(text).hexdigest()
    earlier = [a for a in store.applied_rules() if (a["details"] or {}).get("version") == rules.version]
    resumed = any(a["details"].get("sha256") == digest for a in earlier)
    used = store.scorings_with_version(rules.version)
    if (used or earlier) and not resumed:
        raise VersionInUse(f"rules version {rules.version!r} is already in the store ({used} scoring(s)); "
                           f"a changed pack needs a new `version` line")
    previous = store.current_rules_versions()
    if not resumed:
        store.record_rules_applied(actor, {
            "version": rules.version, "force": rules.force, "file": str(Path(path).resolve()), "sha256": digest,
            "previous": previous, "text": text.decode("utf-8")})
    summary = rescore_store(store, rules, engine=engine, model=model)
    return Applied(rules, digest, resumed, previous, summary)
