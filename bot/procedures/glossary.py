"""Terms the glossary forbids ("not to be used"), read from locales/GLOSSARY.md, and the search
for them in texts and message catalogs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from bot import PROJECT_ROOT

GLOSSARY_PATH = PROJECT_ROOT / "locales" / "GLOSSARY.md"
SECTION = "## not to be used"
LANGUAGE_CODES = ("ky", "ru", "en")
HEADER = ["concept", "language", "use", "not to be used"]
_VARIANT = re.compile(r"«([^«»]+)»")
_SEPARATOR = re.compile(r"^:?-+:?$")
_HEADING = re.compile(r"^#{1,2}\s")


class GlossaryError(Exception):
    """Rows of the "Not to be used" section that cannot be read, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class BannedTerm:
    concept: str
    languages: tuple[str, ...]
    use: str
    phrase: str

    def found_in(self, text: str, language: str) -> bool:
        """Case-insensitive; runs of spaces and line breaks count as one space."""
        return language in self.languages and _normal(self.phrase) in _normal(text)

    def problem(self) -> str:
        return f"«{self.phrase}» is not to be used ({self.concept}: use «{self.use}»)"


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_banned_terms(path: Path = GLOSSARY_PATH) -> list[BannedTerm]:
    """The banned variants listed in the glossary; none when the file or the section is absent.

    The section starts at a line beginning with `## Not to be used` (any case; the heading may
    go on, e.g. `## Not to be used (wrong or misleading terms)`) and ends at the next `#` or
    `##` heading. Inside it, every markdown table row is read; its first row (the header) and
    the `|---|` separator are skipped. The header and each row have four cells:

        | concept | language | use | not to be used |
        |---|---|---|---|
        | trigger | ky | машаа | «курокко тийгизбеңиз» · «курокту баспаңыз» |

    - concept: what is meant, for the message (English);
    - language: `ky`, `ru` or `en`, several separated by commas (`ky, ru`), or `all` (or an
      empty cell) for every language; a variant is only searched for in the texts of its
      languages, since a word wrong in Kyrgyz may be the right one in Russian;
    - use: the term to use instead, shown in the refusal;
    - not to be used: every banned variant wrapped in «guillemets», separated by ` · `
      (anything outside the guillemets is ignored). A variant is found case-insensitively
      anywhere in a text, so a stem such as «курок» also catches «курокту».

    Raises GlossaryError naming the line of each row that cannot be read: a glossary that
    silently banned nothing would let the wrong word through.
    """
    if not path.exists():
        return []
    return parse_banned_terms(path.read_text(encoding="utf-8"), path.name)


def parse_banned_terms(text: str, name: str = GLOSSARY_PATH.name) -> list[BannedTerm]:
    """The banned variants in a glossary's text (format: see read_banned_terms)."""
    terms: list[BannedTerm] = []
    errors: list[str] = []
    inside = header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if _HEADING.match(stripped):
            inside, header_seen = stripped.casefold().startswith(SECTION), False
            continue
        if not inside or not stripped.startswith("|"):
            continue
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        if all(_SEPARATOR.match(cell) for cell in cells):
            continue
        if not header_seen:
            header_seen = True
            if [cell.casefold() for cell in cells] == HEADER:
                continue
        where = f"{name}: line {number}"
        if len(cells) != len(HEADER):
            errors.append(f"{where}: {len(cells)} cells, expected | {' | '.join(HEADER)} |")
            continue
        concept, language, use, banned = cells
        languages = _languages(language)
        if languages is None:
            errors.append(f"{where}: unknown language '{language}' (ky, ru, en or all)")
            continue
        variants = [variant.strip() for variant in _VARIANT.findall(banned) if variant.strip()]
        if not variants:
            errors.append(f"{where}: no variant in «guillemets» in the last cell")
            continue
        use = use.strip().strip("«»").strip()
        terms += [BannedTerm(concept, languages, use, variant) for variant in variants]
    if errors:
        raise GlossaryError(errors)
    return terms


def _languages(cell: str) -> tuple[str, ...] | None:
    if cell.casefold() in ("", "all", "*"):
        return LANGUAGE_CODES
    codes = tuple(code.strip().casefold() for code in re.split(r"[,/ ]+", cell) if code.strip())
    return codes if all(code in LANGUAGE_CODES for code in codes) else None


def banned_in(text: str, language: str, terms: list[BannedTerm]) -> list[BannedTerm]:
    return [term for term in terms if term.found_in(text, language)]


def catalog_problems(path: Path, terms: list[BannedTerm]) -> list[str]:
    """Banned terms in the translations of a catalog `<lang>/LC_MESSAGES/messages.po`, one line
    each: `ky/LC_MESSAGES/messages.po: line 5 ('Finger off the trigger'): «…» is not to be used
    (…)`. The catalog's language is the name of its folder."""
    language = path.parent.parent.name
    name = "/".join(path.parts[-3:])
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        found = {term: None for text in translations for term in banned_in(text, language, terms)}
        problems += [
            f"{name}: line {message.lineno} ({source[:40]!r}): {term.problem()}" for term in found
        ]
    return problems
