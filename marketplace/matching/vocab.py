"""The skill vocabulary shipped in seeds/skills.json: canonical skills, families and the alias index."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .normalize import compact, hangul_syllables, has_hangul, normalize, to_jamo

SEEDS_PATH = Path(__file__).resolve().parents[2] / "seeds" / "skills.json"
RELATED_PATH = SEEDS_PATH.with_name("related_skills.json")


@dataclass(frozen=True, slots=True)
class Family:
    key: str
    name: str
    name_ko: str


@dataclass(frozen=True, slots=True)
class Skill:
    """A canonical skill. `index` is its position in the vocabulary (used by the vectorised scorer)."""

    id: str
    name: str
    name_ko: str
    family: str
    aliases: tuple[str, ...] = ()
    index: int = field(default=-1, compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Every way of writing this skill: English name, Korean name, then the aliases."""
        return (self.name, self.name_ko, *self.aliases)


@dataclass(frozen=True, slots=True)
class AliasEntry:
    key: str          # spaceless lookup key
    spaced: str       # normalised form with its spaces, for token-wise comparison
    jamo: str         # key with Hangul split into letters (for Korean typo matching)
    skill: int        # index of the canonical skill
    text: str         # the alias as written in the vocabulary


class Vocabulary:
    """Loaded vocabulary with its lookup tables; build one with `load_vocabulary` or `vocabulary()`."""

    def __init__(self, skills: list[Skill], families: dict[str, Family],
                 related: list[tuple[str, str, float]] = ()):
        self.skills: tuple[Skill, ...] = tuple(skills)
        self.families: dict[str, Family] = families
        self.by_id: dict[str, Skill] = {skill.id: skill for skill in self.skills}
        self.family_keys: tuple[str, ...] = tuple(families)
        family_number = {key: number for number, key in enumerate(self.family_keys)}
        self.family_of: tuple[int, ...] = tuple(family_number[skill.family] for skill in self.skills)
        # Curated related pairs (skill index, skill index) -> credit, both ways round. Sharing a family
        # is not relatedness: C and Python are both languages, yet one is no substitute for the other.
        self.related: dict[tuple[int, int], float] = {}
        for a, b, credit in related:
            if a not in self.by_id or b not in self.by_id or a == b:
                raise ValueError(f"related pair ({a!r}, {b!r}) must name two different known skills")
            if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not 0.0 < credit < 1.0:
                raise ValueError(f"related pair ({a!r}, {b!r}): credit must be above 0 and below 1, got {credit!r}")
            i, j = self.by_id[a].index, self.by_id[b].index
            if (i, j) in self.related:
                raise ValueError(f"related pair ({a!r}, {b!r}) is listed twice")
            self.related[(i, j)] = self.related[(j, i)] = float(credit)
        self.alias_index: dict[str, int] = {}
        self.entries: list[AliasEntry] = []
        for skill in self.skills:
            for text in skill.names:
                spaced = normalize(text)
                key = compact(spaced)
                if not key:
                    raise ValueError(f"skill {skill.id!r}: alias {text!r} normalises to nothing")
                owner = self.alias_index.get(key)
                if owner is not None and owner != skill.index:
                    other = self.skills[owner].id
                    raise ValueError(f"alias {text!r} ({key!r}) names both {other!r} and {skill.id!r}")
                if owner is None:
                    self.alias_index[key] = skill.index
                    self.entries.append(AliasEntry(key, spaced, to_jamo(key), skill.index, text))
        # Candidates for typo matching: long enough to be told apart, and Korean only when long.
        self.fuzzy_latin = [e for e in self.entries if len(e.key) > 3 and not has_hangul(e.key)]
        self.fuzzy_hangul = [e for e in self.entries if has_hangul(e.key) and hangul_syllables(e.key) > 6]
        self.fuzzy_latin_keys = [e.key for e in self.fuzzy_latin]
        self.fuzzy_hangul_jamo = [e.jamo for e in self.fuzzy_hangul]
        self.entry_keys = [e.key for e in self.entries]
        self.sorted_entries = sorted(self.entries, key=lambda e: (e.jamo, e.skill))
        self.sorted_jamo = [e.jamo for e in self.sorted_entries]

    def __len__(self) -> int:
        return len(self.skills)

    def __iter__(self):
        return iter(self.skills)

    def family(self, skill: Skill) -> Family:
        return self.families[skill.family]


    def related_credit(self, a: int, b: int) -> float:
        """Credit one skill earns for the other (by vocabulary index): 0.0 unless a curated pair."""
        return self.related.get((a, b), 0.0)


def load_vocabulary(path: Path = SEEDS_PATH, related_path: Path | None = None) -> Vocabulary:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    related_path = Path(related_path) if related_path else Path(path).with_name(RELATED_PATH.name)
    related = json.loads(related_path.read_text(encoding="utf-8"))["pairs"] if related_path.exists() else []
    families = {
        key: Family(key, value["en"], value["ko"]) for key, value in data["families"].items()
    }
    skills = []
    seen_ids = set()
    for number, raw in enumerate(data["skills"]):
        skill_id = raw["id"]
        if skill_id in seen_ids:
            raise ValueError(f"duplicate skill id {skill_id!r}")
        seen_ids.add(skill_id)
        if raw["family"] not in families:
            raise ValueError(f"skill {skill_id!r} has unknown family {raw['family']!r}")
        skills.append(
            Skill(
                id=skill_id,
                name=raw["name"],
                name_ko=raw["ko"],
                family=raw["family"],
                aliases=tuple(raw.get("aliases", ())),
                index=number,
            )
        )
    return Vocabulary(skills, families, [tuple(pair) for pair in related])


_lock = threading.Lock()
_loaded: Vocabulary | None = None


def vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded on first use and cached for the life of the process."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = load_vocabulary()
    return _loaded
