"""The English staff UI is complete: every staff page, rendered for a staff user who chose English, shows
no Dutch text.

Dutch is detected in the visible text (tags, scripts and styles stripped) in two ways:
(a) a text that equals a Dutch msgid of the English catalog whose English differs (an untranslated or
unwrapped string), and (b) Dutch function words that never occur in English. User data (names, case
references, typed answers) is left out; domain words that stay Dutch by design are allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from portal.extensions import db
from tests.conftest import visible_texts
from tests.test_route_access import client_for, routes, url_of, world  # noqa: F401 (the fixture)

STAFF_ROLES = ("regisseur", "teamleider", "beheerder", "fg", "ontwerper")
CATALOG = Path(__file__).resolve().parents[1] / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# Dutch function words that do not occur in English text.
DUTCH_WORDS = ("het", "een", "niet", "voor", "wordt", "naar", "geen", "deze", "jouw", "je", "zijn", "bij",
               "nog", "van", "en", "de", "met", "uw", "worden", "ook", "maar", "wel", "welke", "dit")
DUTCH_WORD = re.compile(r"(?<![\w'-])(" + "|".join(DUTCH_WORDS) + r")(?![\w'-])", re.IGNORECASE)

# Words that stay Dutch by design (DESIGN.md: domain words) — a text made only of these is fine.
DOMAIN_WORDS = {"regisseur", "pip", "brede intake", "leerroute", "participatieladder", "inburgeraar", "beschikking",
                "klantmanager", "coa", "bsn", "v-nummer", "duo", "kns", "mom", "z-route", "b1", "wet inburgering",
                "inburgering"}
# Texts that are a Dutch msgid but also plain English (msgid "Stage" means internship; "Stage" is also the
# English for "Fase"), and language names, which the language menu shows in their own language.
AMBIGUOUS = {"Stage", "Nederlands", "English", "Status", "Details", "Logo"}

# Text that is user data in the test's world: typed reasons and answers, municipality names (by prefix)…
USER_TEXTS = ("Wachtwoord kwijt", "Besproken in het gesprek.", "De leerbaarheidstoets wijst B1", "Gemeente ")
# … and names (exactly).
USER_NAMES = {"Utrecht", "Ria", "Amina", "Omar", "Yusuf", "Demir", "Late", "Tom", "Bea", "Fiona", "Otto"}

# KNOWN offenders tolerated for now (reported, not failed): (path prefix, text). Keep this list short and
# shrinking; a NEW Dutch text anywhere fails the test.
KNOWN: set[tuple[str, str]] = set()


def dutch_msgids() -> set[str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    found = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=False):
            if "%(" not in msgid and msgid.strip() != (msgstr or "").strip() and len(msgid) > 2:
                found.add(" ".join(msgid.split()))
    return found


def is_user_data(text: str, names: set[str]) -> bool:
    return text in names or text in USER_NAMES or text.startswith(USER_TEXTS)


def dutch_in(text: str, msgids: set[str], names: set[str]) -> bool:
    if is_user_data(text, names) or text in AMBIGUOUS or text.lower().strip(" :.,()") in DOMAIN_WORDS:
        return False
    if text in msgids or text.rstrip(":") in msgids:
        return True
    scrubbed = text
    for name in names:
        scrubbed = scrubbed.replace(name, " ")
    for word in DOMAIN_WORDS:
        scrubbed = re.sub(rf"\b{re.escape(word)}\b", " ", scrubbed, flags=re.IGNORECASE)
    return bool(DUTCH_WORD.search(scrubbed))


def test_dutch_is_detected():
    msgids = dutch_msgids()
    assert dutch_in("Opslaan", msgids, set()) or "Opslaan" not in msgids
    assert dutch_in("Er is geen taak", msgids, set())
    assert not dutch_in("There is no task for the regisseur", msgids, set())
    assert not dutch_in("Brede intake", msgids, set())


def test_every_staff_page_in_english_shows_no_dutch(app, world):  # noqa: F811
    case, users, _others, ids = world
    for role in STAFF_ROLES:
        users[role].locale = "en"
    db.session.commit()
    names = {case.reference, case.full_name, case.v_number or "", *(u.display_name for u in users.values()),
             *(u.username for u in users.values())} - {""}
    msgids = dutch_msgids()
    offenders, known = [], []
    for role in STAFF_ROLES:
        client = client_for(app, users[role])
        for rule, method, (kind, roles) in routes(app):
            if method != "GET" or kind == "public" or (roles and role not in roles) or rule.endpoint == "auth.logout":
                continue
            url = url_of(rule, ids, role)
            answer = client.get(url)
            if answer.status_code != 200 or not answer.mimetype == "text/html":
                continue
            for text in visible_texts(answer.get_data(as_text=True)):
                if dutch_in(text, msgids, names):
                    entry = f"{role} {url}: {text!r}"
                    prefix = next((p for p, t in KNOWN if url.startswith(p) and t == text), None)
                    (known if prefix else offenders).append(entry)
    for entry in sorted(set(known)):
        print("KNOWN Dutch:", entry)
    assert not offenders, "Dutch text in the English staff UI:\n" + "\n".join(sorted(set(offenders)))
