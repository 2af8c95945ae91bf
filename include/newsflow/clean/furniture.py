"""Site furniture: the lines a page wraps around a story (promos, nav labels, headline lists, captions).

Two mechanisms, both needed: phrase rules for furniture every outlet shares, and repetition learning
for an outlet's own furniture (a line that recurs across many of one source's files on one day is not
news). ``BODY_FURNITURE_PATTERNS`` is also the list the quality gate uses to prove none reached ``body``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

_I = re.IGNORECASE

#: Whole-line furniture phrases (anchored at line start); a matching line is dropped from the body.
PROMO_LINE = re.compile(
    r"""^\W{0,3}(?:
        follow\s+(?:us|@)\S*.*\b(?:on|channel|twitter|x|facebook|instagram|whatsapp|telegram|threads|linkedin|google\snews)\b
      | (?:sign\s+up|subscribe|register)\b.{0,120}\b(?:newsletter|alerts?|updates|free|today|now|here|briefing|digest|daily|week|month|year)
      | (?:tags?|topics?|filed\s+under|etiquetas|schlagw[öo]rter|mots-cl[ée]s|themen)\s*:.{0,160}$
      | join\s+(?:us|our)\b.{0,80}\b(?:channel|whatsapp|telegram|community|newsletter)
      | get\s+(?:the\s+latest|breaking|our)\b.{0,80}\b(?:news|alerts|app|newsletter|updates)
      | download\s+(?:the|our)\b.{0,40}\bapp
      | share\s+(?:this|the)\s+(?:article|story|page|post)\b
      | share\s+(?:on|via)\s+\w+
      | (?:share|tweet|email|print|copy\s+link|save|comment|comments|whatsapp|facebook|twitter|linkedin|reddit)(?:\s*[|/·•,]\s*(?:share|tweet|email|print|copy\s+link|save|comment|comments|whatsapp|facebook|twitter|linkedin|reddit))*\s*$
      | advertisement\s*$ | advertising\s*$ | sponsored(?:\s+content)?\s*$ | story\s+continues\s+below
      | scroll\s+(?:down\s+)?to\s+continue | continue\s+reading\b | read\s+(?:more|full\s+story|the\s+full|next)\b.{0,120}$
      | (?:©|\(c\)|copyright\b).{0,160}$
      | all\s+rights\s+reserved\.?\s*$
      | our\s+standards\s*: | the\s+thomson\s+reuters\s+trust\s+principles
      | \d{1,6}\s+comments?\s*$ | (?:view|show|load|see)\s+(?:all\s+)?\d*\s*comments?\b.*$ | comments?\s*\(\d+\)\s*$
      | (?:click|tap)\s+here\b.{0,120}$
      | reading\s+time\s*:?.{0,20}$ | \d{1,3}\s+min(?:ute)?s?\s+read\s*$
      | (?:updated|last\s+updated)\s*:?\s*\d{1,2}\s+(?:hours?|minutes?|mins?|days?)\s+ago\s*$
      | listen\s+to\s+(?:this\s+)?(?:article|story)\b.{0,40}$
      | (?:image|photo|picture|video)\s*:?\s*(?:getty|reuters|ap|afp|epa|shutterstock)\b.{0,80}$
      | skip\s+to\s+(?:main\s+)?content\s*$ | cookie(?:s)?\s+(?:policy|settings|preferences)\b.{0,100}$
      | we\s+use\s+cookies\b.{0,200}$ | accept\s+(?:all\s+)?cookies\s*$
      | (?:report|suggest)\s+a\s+correction\s*$ | licensing\s+rights\s*$ | purchase\s+licensing\s+rights\s*$
      | (?:back\s+to\s+top|top\s+of\s+page)\s*$ | (?:previous|next)\s+(?:article|story)\s*:?.{0,120}$
    )""",
    _I | re.VERBOSE,
)

#: A heading that opens a list of other stories' headlines; the lines after it are related_headlines.
HEADLINE_LIST_HEADING = re.compile(
    r"""^\W{0,3}(?:next\s+in\s+\w[\w &-]{0,30}|most\s+(?:read|viewed|popular|shared|watched)(?:\s+in\s+\w[\w &-]{0,30})?
      | others\s+also\s+read | also\s+read | read\s+next | read\s+more(?:\s+(?:on|about|from)\b.{0,40})?
      | related(?:\s+(?:stories|articles|news|coverage|content|topics|links|reading))? | more\s+(?:from|in|on|stories|news)\b.{0,40}
      | (?:weitere\s+(?:nachrichten|artikel|meldungen)|autres\s+articles|otras\s+noticias|altre\s+notizie)(?:\s+(?:aus|de|di|en|in)\s+\w[\w -]{0,30})?
      | mehr\s+(?:zum\s+thema|aus\s+(?:der|dem)\s+\w+(?:\s+\w+)?|nachrichten) | auch\s+interessant | das\s+könnte\s+sie\s+auch\s+interessieren
      | (?:à\s+)?lire\s+aussi | sur\s+le\s+même\s+sujet | (?:les\s+)?plus\s+lus | dans\s+la\s+même\s+rubrique
      | noticias\s+relacionadas | te\s+puede\s+interesar | lo\s+más\s+le[íi]do | más\s+noticias | lee\s+también
      | leggi\s+anche | potrebbe\s+interessarti | pi[uù]\s+lett[ie]
      | (?:top|latest|trending|recommended|popular|editor'?s\s+picks?|you\s+may\s+also\s+like|you\s+might\s+also\s+like|recommended\s+for\s+you|in\s+other\s+news|what\s+to\s+read\s+next|more\s+like\s+this)(?:\s+(?:stories|news|now|articles|headlines|in\s+\w[\w &-]{0,30}))?
    )\s*:?\s*$""",
    _I | re.VERBOSE,
)

#: Photo captions and credits: "FILE PHOTO: ...", "... REUTERS/Name", "(AP Photo/Name)", "Photo: Getty".
CAPTION_LINE = re.compile(
    r"""^(?:\W{0,3}(?:file\s+photo|photo|picture|image|pictured|caption|foto|bild)\s*[:|-]
      | .{0,600}(?:\b(?:via\s+)?REUTERS/|\(AP\s+Photo/|\bAP\s+Photo/|\bAFP\s+(?:via\s+Getty\s+Images|PHOTO)|Getty\s+Images\s*$
      |\bEPA-EFE/|/(?:Pool|File\s+Photo)\b|\b(?:Photo|Image|Picture)\s+(?:credit|by)\s*:|\bphoto\s*:\s*[A-Z]|\(Photo\s*:|/dpa\s*$|Photograph:\s
      |\bimage\s+(?:source|caption)\s*,))""",
    re.VERBOSE,
)

#: Patterns that must never survive into a published ``body`` (checked by the quality gate too).
BODY_FURNITURE_PATTERNS: tuple[str, ...] = (
    r"(?im)^\W{0,3}follow us on\b",
    r"(?im)^\W{0,3}sign up (?:for|to) (?:our|the)\b.{0,60}newsletter",
    r"(?im)^\W{0,3}share this article\s*$",
    r"(?im)^\W{0,3}advertisement\s*$",
    r"(?im)^\W{0,3}(?:next in|most read in) \w+\s*$",
    r"(?im)^\W{0,3}others also read\s*$",
    r"(?im)^\W{0,3}file photo:",
    r"(?im)^\W{0,3}\(reporting by\b",
    r"(?im)^\W{0,3}all rights reserved\.?\s*$",
    r"(?im)^\W{0,3}\d{1,6} comments?\s*$",
)


#: The same furniture in the other languages our crawlers meet (de, fr, es, it, pt, nl).
PROMO_LINE_I18N = re.compile(
    r"""^\W{0,3}(?:
        (?:teilen|drucken|kommentieren|merken|compartir|imprimir|comentar|partager|imprimer|commenter|condividi|stampa
          |partilhar|delen|copy|link\s+copied|copy\s+link|enlace\s+copiado|lien\s+copi[ée])(?:\s*[|/·•,]\s*\w+)*\s*$
      | (?:folgen\s+sie\s+uns|síguenos|siguenos|suivez-nous|seguici)\b.{0,120}$
      | (?:anzeige|publicidad|publicité|pubblicità|werbung)\s*$
      | (?:newsletter\s+abonnieren|abonnez-vous|suscr[íi]bete|iscriviti|jetzt\s+abonnieren)\b.{0,120}$
      | (?:artikel\s+teilen|partager\s+(?:cet|l')\s*article|comparte\s+esta\s+noticia|condividi\s+(?:questo\s+)?articolo)\b.{0,40}$
      | (?:vous\s+avez\s+(?:trouvé|repéré)\s+une\s+erreur|¿?has\s+visto\s+un\s+error|fehler\s+gefunden)\b.{0,80}$
      | (?:mis\s+à\s+jour|actualizado|aktualisiert|aggiornato)\s+(?:il\s+y\s+a|hace|vor)\s+\d+\s+\w+\s*$
      | (?:tous\s+droits\s+réservés|todos\s+los\s+derechos\s+reservados|alle\s+rechte\s+vorbehalten|tutti\s+i\s+diritti\s+riservati)\b.{0,60}$
      | \d{1,5}\s+(?:kommentare?|commentaires?|comentarios?|commenti)\s*$
      | (?:kommentare?|commentaires?|comentarios?|commenti)\s*\(\d+\)\s*$
      | dpa-infocom\b.{0,80}$
      | (?:riproduzione\s+riservata|reproduction\s+interdite|reproducci[óo]n\s+prohibida)\b.{0,60}$
    )""",
    _I | re.VERBOSE,
)


def is_promo(line: str) -> bool:
    """True for a whole line of promo/share/ad/copyright/comment-count furniture (any of our languages)."""
    text = line.strip()
    return bool(PROMO_LINE.match(text) or PROMO_LINE_I18N.match(text))


def is_headline_list_heading(line: str) -> bool:
    return bool(HEADLINE_LIST_HEADING.match(line.strip()))


def is_caption(line: str) -> bool:
    return bool(CAPTION_LINE.match(line.strip()))


def line_key(line: str) -> str:
    """Normalise a line for repetition counting: case, spacing, digits and punctuation don't matter."""
    text = unicodedata.normalize("NFKC", line).casefold()
    text = re.sub(r"\d+", "0", text)
    text = re.sub(r"[\W_]+", " ", text).strip()
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest() if text else ""


#: A repeated line longer than this many words is more likely a syndicated sentence than furniture.
MAX_LEARNED_WORDS = 25
MIN_FILES = 3
MIN_SHARE = 0.3


def learn_repeated_lines(docs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Learn furniture from repetition: {source group: sorted line keys seen in many of its stories}.

    ``docs`` are (source group, text). A line counts once per *story*: copies of one syndicated story
    (same longest line) count together, so a short sentence shared by three copies of one story is not
    mistaken for furniture. A line is furniture when it recurs in at least ``MIN_FILES`` stories and
    ``MIN_SHARE`` of its group's stories.
    """
    seen_stories: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for group, text in docs:
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        if not lines:
            continue
        story = hashlib.blake2b(max(lines, key=len).encode(), digest_size=10).hexdigest()
        if story in seen_stories[group]:
            continue
        seen_stories[group].add(story)
        keys = {line_key(ln) for ln in lines if len(ln.split()) <= MAX_LEARNED_WORDS}
        keys.discard("")
        counts[group].update(keys)
    learned: dict[str, list[str]] = {}
    for group, counter in counts.items():
        n = len(seen_stories[group])
        threshold = max(MIN_FILES, MIN_SHARE * n)
        keys = sorted(k for k, c in counter.items() if c >= threshold)
        if keys:
            learned[group] = keys
    return learned


def source_group(source_file: str, url: str | None = None) -> str:
    """The key repetition is learned under: the URL's host, else the crawler's file-name prefix."""
    if url:
        host = re.sub(r"^(?:[a-z][a-z0-9+.-]*:)?//", "", url.strip().lower()).split("/", 1)[0]
        host = host.rsplit("@", 1)[-1].split(":", 1)[0]
        if host.startswith("www."):
            host = host[4:]
        if host:
            return host
    name = source_file.rsplit("/", 1)[-1]
    prefix = re.split(r"[-_. ]|\d", name, maxsplit=1)[0].lower()
    folder = source_file.rsplit("/", 1)[0] if "/" in source_file else ""
    return f"{folder}/{prefix}" if folder else (prefix or "_")
