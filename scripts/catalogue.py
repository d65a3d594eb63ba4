"""Keep the Welsh catalogue in step with the code (docs/cymraeg.md).

    .venv/bin/python scripts/catalogue.py           # add new sentences to the .po, drop gone ones
    .venv/bin/python scripts/catalogue.py --check   # exit 1 naming every sentence not in the .po

Finds every `_("…")` and `ngettext("…", "…", n)` in `handlers/` and `bot/` with babel's
extractor (what `pybabel extract` does), the answer page's templates (`bot/page/templates/**.html`,
`{{ _("…") }}`) with Jinja2's, then merges them into
`handlers/locale/cy/LC_MESSAGES/coregroup.po`: translations already there are kept, a new
sentence arrives with an empty translation for a translator to fill in (Poedit, or any text
editor), a sentence the code no longer says is removed. `tests/i18n/` fails the build while any
sentence is missing or untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "handlers" / "locale" / "cy" / "LC_MESSAGES" / "coregroup.po"
SOURCES = ("handlers", "bot")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
#: Python everywhere; the answer page's Jinja2 templates (their `_()` is bot.page.app's `say`).
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def source_catalogue() -> Catalog:
    """Every sentence the code says, with where it says it."""
    template = Catalog(domain="coregroup", project="coregroup")
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map=METHODS, keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            template.add(
                message,
                locations=[(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def read_catalogue() -> Catalog:
    with CATALOGUE.open("rb") as fh:
        return read_po(fh, locale="cy", domain="coregroup")


def missing(template: Catalog, catalogue: Catalog) -> list[str]:
    """Sentences the code says that the catalogue does not hold."""
    return [
        str(m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id and m.id not in catalogue
    ]


def translated(string: object) -> bool:
    """A translation is there: the string, or every plural form."""
    if isinstance(string, str):
        return bool(string)
    return bool(string) and all(isinstance(s, str) and s for s in string)  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    template = source_catalogue()
    if not CATALOGUE.exists():
        catalogue = Catalog(locale="cy", domain="coregroup", project="coregroup")
    else:
        catalogue = read_catalogue()
    if "--check" in argv:
        gone = missing(template, catalogue)
        for msgid in gone:
            print(f"not in {CATALOGUE.relative_to(ROOT)}: {msgid!r}")
        return 1 if gone else 0
    catalogue.update(template, no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    catalogue.fuzzy = False
    catalogue.project = "coregroup"
    catalogue.language_team = "Cymraeg"
    catalogue.last_translator = "coregroup developers (a first draft: to be reviewed by a council translator)"
    catalogue.msgid_bugs_address = ""
    catalogue.version = ""
    catalogue.header_comment = (
        "# The bot's sentences in Welsh (docs/cymraeg.md).\n"
        "# A first draft by the developers, to be reviewed by a council's Welsh-language officer or\n"
        "# translator. Keep every {name} as it is; {day:soft} is the soft-mutated form."
    )
    CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    with CATALOGUE.open("wb") as fh:
        write_po(fh, catalogue, width=100, sort_output=False, include_previous=False, no_location=True)
    untranslated = sum(1 for m in catalogue if m.id and not translated(m.string))
    print(f"wrote {CATALOGUE.relative_to(ROOT)}: {len(catalogue)} sentences, {untranslated} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
