"""Site furniture: the lines a page wraps around a story (promos, nav labels, headline lists, captions).

The one home of every furniture pattern: the text-scrape cleaner, the HTML cleaner and the quality gate
all take theirs from here. Two mechanisms, both needed: phrase rules for furniture every outlet shares,
and repetition learning for an outlet's own furniture (a line that recurs across many of one source's
files on one day is not news).

``is_furniture_line`` is the whole-line rule both cleaners apply wherever a line stands;
``BODY_FURNITURE_PATTERNS`` is the same rule written for the gate (a regex list over the whole body), plus
the structural lines the cleaners turn into fields (headline-list headings, photo captions, credit
lines), so furniture a cleaner misses is caught before analysts see it.
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
      | click\s+to\s+(?:share|email|print|tweet)\b.{0,600}$ | this\s+slideshow\s+requires\s+javascript\b.{0,20}$
      | (?:updated|posted|published)\s*:?\s+[^.;|]{0,30}?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[a-z]{2,4}\s*)?
        (?:[;,|]\s*(?:updated|posted|published)\s*:?\s+[^.;|]{0,30}?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[a-z]{2,4}\s*)?)?$
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
      | see\s+also | related\s+posts | more\s+stories | recommended\s+reading | you\s+may\s+also\s+be\s+interested\s+in
      | (?:lesen\s+sie|lies)\s+auch(?:\s+(?:die\s+folgenden|diese)\s+(?:beiträge|artikel))? | auch\s+lesen
      | (?:also|auch|aussi|tambi[ée]n)\s+(?:on|auf|sur|en)\s+[\w.-]+\.[a-z]{2,} | m[áa]s\s+sobre\s+.{1,40} | (?:zum\s+)?weiterlesen | schon\s+gelesen\??
      | (?:mehr|weitere|ähnliche|verwandte|passende)\s+(?:aktuelle\s+)?(?:themen|beiträge|artikel|news)(?:\s+(?:zum\s+thema|aus\s+.{1,40}))?
      | mehr\s+zum\s+thema\s+(?:auf|bei|im|in)\s+.{1,40} | passend\s+zum\s+thema
      | (?:das|dieses)\s+(?:thema\s+)?(?:könnte|dürfte)\s+(?:sie|dich|euch)\s+auch\s+interessieren
      | empfehlungen\s+der\s+redaktion | meistgelesen(?:e\s+(?:artikel|beiträge))?
      | (?:à\s+)?lire\s+également | (?:à\s+)?voir\s+aussi | articles\s+(?:similaires|liés|associés) | sur\s+le\s+même\s+thème
      | (?:lea|ver|vea)\s+tambi[ée]n | (?:art[íi]culos|notas|contenidos?)\s+relacionad[oa]s | te\s+recomendamos
      | (?:tambi[ée]n\s+)?(?:te|le)\s+puede\s+interesar | articoli\s+correlati | ti\s+potrebbe\s+interessare
      | (?:leia|veja)\s+tamb[ée]m | not[íi]cias\s+relacionadas | mais\s+lidas
      | (?:czytaj|zobacz|przeczytaj)\s+(?:też|także|również) | najczęściej\s+czytane
      | lees\s+ook | gerelateerde\s+artikelen
      | (?:top|latest|trending|recommended|popular|editor'?s\s+picks?|you\s+may\s+also\s+like|you\s+might\s+also\s+like|recommended\s+for\s+you|in\s+other\s+news|what\s+to\s+read\s+next|more\s+like\s+this)(?:\s+(?:stories|news|now|articles|headlines|in\s+\w[\w &-]{0,30}))?
    )[\s:|»›]*$""",
    _I | re.VERBOSE,
)

#: Photo captions and credits: "FILE PHOTO: ...", "... REUTERS/Name", "(AP Photo/Name)", "Photo: Getty".
CAPTION_LINE = re.compile(
    r"""^(?:\W{0,3}(?:file\s+photo|photo|picture|image|pictured|caption|foto|bild)\s*[:|-]
      | .{0,600}(?:\b(?:via\s+)?REUTERS/|\(AP\s+Photo/|\bAP\s+Photo/|\bAFP\s+(?:via\s+Getty\s+Images|PHOTO)|Getty\s+Images\s*$
      |\bEPA-EFE/|/(?:Pool|File\s+Photo)\b|\b(?:Photo|Image|Picture)\s+(?:credit|by)\s*:|\bphoto\s*:\s*[A-Z]|\(Photo\s*:|/dpa\s*$|Photograph:\s
      |\bimage\s+(?:source|caption)\s*,|\((?i:image|picture|pic|photo)\s*:\s*[^()]{1,60}\)\s*$)
      | \W{0,3}(?i:image|media)\s+caption\s+\S)""",
    re.VERBOSE,
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
      | (?:zurück|back|retour|volver|regresar|torna(?:re)?|voltar|terug|powrót|wróć)(?:\s+(?:zur|zum|zu\s+den|to(?:\s+the)?|à\s+la|au|aux|al|a\s+la|a|alla|all'|ao|naar\s+het|naar|do)
          \s*(?:übersicht|liste|startseite|overview|list|listing|home(?:page)?|index|accueil|listado|inicio|portada|elenco|panoramica|início|overzicht|listy|strony\s+głównej))?\s*[«‹<]*\s*$
    )""",
    _I | re.VERBOSE,
)


#: Short whole lines of page furniture as HTML pages render them (share prompts, newsletters, related
#: boxes, media labels), matched against a line lower-cased with its spacing collapsed.
SHORT_FURNITURE_LINE = re.compile(
    r"^(?:"
    r"(?:share|share this(?: article| story)?|share on \w+|tweet|email|print|copy link|comments?|"
    r"advertisement|advertising|sponsored|ad|skip advertisement|continue reading(?: below)?|"
    r"read more|read more:.*|related|related (?:articles|stories|content|coverage|topics):?.*|"
    r"more on this story|most (?:viewed|read|popular)|trending|recommended(?: for you)?|"
    r"you may also like|top stories|more from .{0,40}|listen to (?:this )?article.*|"
    r"\d+ min(?:ute)?s? read|sign up|subscribe|log ?in|sign in|register|"
    r"follow us(?: on .*)?|image|photo|video|getty images|"
    r"(?:image|photo|photograph|picture|illustration) ?(?:credit|:).{0,80}|"
    r"(?:sign up|subscribe) (?:to|for) (?:our|the) .{0,80}newsletter.*|"
    r".{0,60}newsletter(?: sign-?up)?\W*|"
    r"we use cookies.*|this (?:web)?site uses cookies.*|accept(?: all)? cookies"
    r")(?:[.:!]|\.\.\.|…)?)$",
    re.IGNORECASE,
)

#: A newsletter or subscription prompt anywhere in a short line (see ``is_newsletter_promo``).
NEWSLETTER_PROMO = re.compile(r"\b(?:subscribe|sign up|signup|sign-up)\b.{0,120}\b(?:newsletters?|inbox)\b|"
                              r"\b(?:newsletters?|inbox)\b.{0,120}\b(?:subscribe|sign up)\b", re.IGNORECASE)

#: A call to action or a notice to the reader, anywhere in a short line (see ``is_call_to_action``): a login or
#: subscription wall ("Sie sind aktuell nicht eingeloggt.", "To view the full story, please subscribe"), a
#: newsletter or app promo ("Zum Newsletter anmelden", "... download the Nationnews apps for iOS and Android"),
#: the outlet's own channels ("¡Mira lo que tiene nuestro canal de YouTube!"), push prompts, advertising
#: disclosures ("*Werbung. Dieser Beitrag enthält Werbung", "We may receive compensation ..."), reading time,
#: letters to the editor, RSS, comment moderation and membership appeals, "Lesen Sie hier: <headline>".
#: First or second person and the outlet's voice, so a story that reports an app or a channel does not match.
CALL_TO_ACTION = re.compile(
    r"\b(?:sie\s+sind|du\s+bist)\s+(?:\w+\s+)?nicht\s+(?:eingeloggt|angemeldet)\b|\bbitte\s+(?:einloggen|anmelden)\b"
    r"|\b(?:müssen|musst)\s+(?:sie\s+|du\s+)?(?:\w+\s+){0,3}?(?:eingeloggt|angemeldet)\s+sein\b|\bmust\s+be\s+logged\s+in\b"
    r"|\b(?:log|sign)\s+in\s+(?:to\s+(?:comment|reply|continue\s+reading|read\s+(?:more|the\s+full))|for\s+(?:immediate|full)\s+access)"
    r"|\balready\s+a\s+subscriber\b|\bdéjà\s+abonné|\bya\s+eres\s+suscriptor|\bbereits\s+abonnent"
    r"|\bnewsletter\b.{0,80}\b(?:anmelden|abonnieren|bestellen|erhalten\s+sie|signing\s+up|inscri|suscrib)"
    r"|\b(?:anmelden|abonnieren|bestellen|signing\s+up|inscrivez-vous|suscr[íi]bete)\b.{0,80}\bnewsletter"
    r"|\b(?:for|get)\s+(?:the\s+)?(?:latest|breaking)\b.{0,80}\bdownload\b.{0,60}\bapps?\b"
    r"|\b(?:nuestro|our|unser(?:em|en)?|notre)\s+(?:(?:youtube|telegram|whatsapp|instagram|tiktok)[- ]?(?:canal|channel|kanal|chaîne)"
    r"|(?:canal|channel|kanal|chaîne)\s+(?:de\s+|on\s+|auf\s+)?(?:youtube|telegram|whatsapp|instagram|tiktok))\b"
    r"|\btenemos\s+canal\s+de\s+(?:youtube|telegram|whatsapp)\b"
    r"|\b(?:send\s+you|get|receive|enable|allow|turn\s+on)\s+(?:\w+\s+)?push[- ]?notifications?\b|^\W{0,3}push[- ]?notifications?\W*$"
    r"|\bpush[- ]?(?:benachrichtigungen|mitteilungen)\s+(?:aktivieren|erhalten|abonnieren)\b"
    r"|^\W{0,3}(?:werbung|anzeige)\s*[-.:]|\b(?:contains|enthält)\s+(?:references\s+to\s+products|werbung)"
    r"|\bwe\s+may\s+(?:receive|earn)\s+(?:a\s+)?(?:compensation|commission)"
    r"|\bto\s+(?:view|read)\s+the\s+full\s+(?:story|article)|\bpour\s+(?:lire\s+la\s+suite|accéder\s+en\s+illimité)"
    r"|\bpara\s+(?:seguir|continuar)\s+leyendo"
    r"|\b(?:przeczytasz\s+w|lesezeit|temps\s+de\s+lecture|tiempo\s+de\s+lectura)\b"
    r"|^\W{0,3}follow\s+(?:the\s+)?\w+(?:\s+\w+)?\s+on\s+(?:twitter|facebook|instagram|linkedin|whatsapp|telegram)\b"
    r"|\bsubmit\s+(?:your|a)\s+letter\s+to\s+the\s+editor\b|\bnever\s+miss\b.{0,80}\b(?:sign(?:ing)?\s+up|newsletter|by\s+email)\b"
    r"|\brss[- ]?feed\s+abonnieren\b|\bsubscribe\s+to\s+(?:our\s+|the\s+)?rss\b|^%d\s+(?:bloggers?|bloggern)\b"
    r"|\b(?:kommentare?|comments?|comentários?|comentarios?|commentaires?)\b.{0,120}"
    r"\b(?:erst\s+nach\s+(?:unserer\s+)?freigabe|moderated|moderador|modérés?)"
    r"|\bhazte\s+(?:miembro|socio)\b|\bsupport\s+our\s+journalism\b"
    r"|^\W{0,3}(?:unterstütze|unterstützen\s+sie)\s+\w+\s+(?:bereits\s+)?(?:ab|mit)\s+\d|\bunterstützen\s+sie\s+uns\b"
    r"|\bcancela\s+cuando\s+quieras\b|\bzapraszamy\b.{0,40}\bsubskrypcj"
    r"|^\W{0,3}(?:lesen\s+sie\s+hier|dowiedz\s+się\s+więcej)\s*:"
    r"|\bmit\s+der\s+(?:registrierung|anmeldung)\s+akzeptiere|\bby\s+(?:signing\s+up|registering|subscribing),?\s+you\s+agree",
    re.IGNORECASE)
#: Longest line ``CALL_TO_ACTION`` may drop: the notices run a sentence or two; a paragraph that says more is story.
CALL_TO_ACTION_MAX_WORDS = 25
#: A word every ``CALL_TO_ACTION`` match holds (lower-cased): a line with none is ruled out without the pattern,
#: which costs four times as much as this look-up and runs on every short line of every page.
_CALL_TO_ACTION_KEYS = (
    "eingeloggt", "angemeldet", "einloggen", "anmelden", "logged", "log in", "sign in", "subscriber", "abonné",
    "suscriptor", "abonnent", "newsletter", "download", "canal", "channel", "kanal", "chaîne", "push", "werbung",
    "anzeige", "references to products", "compensation", "commission", "full story", "full article",
    "lire la suite", "illimité", "leyendo", "przeczytasz", "lesezeit", "lecture", "lectura", "follow",
    "letter to the editor", "never miss", "rss", "blogger", "freigabe", "moderat", "modéré", "hazte", "journalism",
    "unterstütz", "cancel", "subskrypcj", "dowiedz", "lesen sie hier", "akzeptier", "you agree")

#: Byline-position lines that credit no person: "by: KXRV 7 News Staff", "Redacción", "Staff Writer".
STAFF_LINE = re.compile(
    r"^\W*(?:(?:by|por|par|von)\s*:?\s+)?(?:[\w .]+\s)?(?:staff(?:\s+writers?|\s+reports?)?|redacci[oó]n|r[ée]daction|"
    r"redaktion|redazione|newsroom|news\s+desk|wire\s+services?|staff\s+writer)\W*$", re.I)
#: "Also Read: <headline>", "Lire aussi : <headline>", "Lea también: <headline>" on one line.
INLINE_RELATED = re.compile(
    r"^\W{0,3}(?:also\s+read|read\s+also|read\s+more|related|see\s+also|lire\s+aussi|à\s+lire\s+aussi|"
    r"le[ae]\s+tambi[ée]n|vea\s+tambi[ée]n|(?:te|le)\s+puede\s+interesar|leia\s+tamb[ée]m|veja\s+tamb[ée]m|"
    r"lesen\s+sie\s+auch|lies\s+auch|auch\s+lesen|mehr\s+zum\s+thema|leggi\s+anche|czytaj\s+(?:też|także|również)|"
    r"zobacz\s+(?:też|także|również)|przeczytaj\s+(?:też|także|również))\s*[:|»›-]\s*(.{8,200})$",
    re.I)
#: An author bio or contact line closing a story ('Reach him at x@y.example'), searched within the line.
CONTRIBUTOR_BIO = re.compile(
    r"\b(?:reach|contact|email|e-mail|write\s+to)\s+(?:him|her|them|me|us|the\s+\w+|[A-Z]\w+(?:\s+[A-Z]\w+)?)\s+(?:at|on|via)\b"
    r"|\S+@\S+\.\w{2,}|\bfollow\s+(?:him|her|them)\s+on\b|\bhave\s+a\s+news\s+tip\b|\bcomments\s+are\s+closed\b"
    r"|\bthis\s+(?:story|article)\s+(?:was|is)\s+(?:syndicated|republished|reprinted)\b"
    r"|^(?:want|how)\s+to\s+help\?|^(?:got|have)\s+a\s+(?:news\s+)?tip\?",
    re.I)


#: A photo credit within a line ("... in Filzbach © Burkard Meyer", "Foto: Michael Bönte", "(Foto: Pixabay.com /
#: irfanahmad)", "Credit: Ou Dongqu/Xinhua/ZUMA", "© AFP / JEFF PACHOUD", "... pasado. EFE"): the line is a
#: caption, never the headline. "Photo:" and its kin count only with at most six words after them at the line's
#: end, as a credit has them ("PHOTOS: Flooding hits downtown Springfield" is a headline); an agency after a
#: sentence's full stop is a credit, after a comma a byline's ("Von Tobias Reinhardt, dpa").
PHOTO_CREDIT = re.compile(
    r"""©|(?<!\w)\(c\)\s
      | (?<![-\w])(?:fotos?|bilder?|photos?|image|picture|pic|credit|cr[ée]dito|imagen|zdj[ęe]cie|fot)\s*:\s*\S+(?:\s+\S+){0,5}\s*$
      | \b(?:getty\s+images|shutterstock|istock(?:photo)?|wikimedia\s+commons|unsplash|pixabay|adobe\s+stock
           |picture\s+alliance|imago\s+images)\b
      | \b(?:AFP|AP|EPA|SID|dpa|REUTERS|EFE)\s*/\s*[A-Z] | /\s*(?:dpa|AFP|EFE|Reuters)\s*$ | [^\W\d_]\.\s*(?:EFE|AFP|REUTERS|dpa)\s*$""",
    re.VERBOSE | re.IGNORECASE)


#: What every :data:`PHOTO_CREDIT` match holds (a mark, a colon, a slash, a stock agency's name, an agency at the
#: end): a line with none of it is no credit, and most lines are ruled out without running the pattern.
_CREDIT_MARKS = ("©", "(c)", ":", "/", "getty", "shutterstock", "istock", "wikimedia", "unsplash", "pixabay",
                 "adobe", "picture", "imago")
_CREDIT_ENDS = ("efe", "afp", "reuters", "dpa")


def has_photo_credit(line: str) -> bool:
    """Does the line carry a photo credit (a caption, whatever else it says)? Title candidates leave it out."""
    text = line.strip()
    low = text.lower()
    if not (any(mark in low for mark in _CREDIT_MARKS) or low.endswith(_CREDIT_ENDS)):
        return False
    return bool(PHOTO_CREDIT.search(text))


def is_furniture_line(line: str) -> bool:
    """A whole line of site furniture, wherever it stands on the page, in any format: drop it."""
    text = line.strip()
    if PROMO_LINE.match(text) or PROMO_LINE_I18N.match(text):
        return True
    norm = " ".join(text.split()).lower()
    return bool(SHORT_FURNITURE_LINE.match(norm)) or is_newsletter_promo(norm) or is_call_to_action(norm)


def is_newsletter_promo(line: str) -> bool:
    """A short line (at most 14 words) asking the reader to subscribe to a newsletter."""
    return len(line.split()) <= 14 and bool(NEWSLETTER_PROMO.search(line))


def is_call_to_action(line: str) -> bool:
    """A short line (at most 25 words) with a call to action or a notice to the reader (``CALL_TO_ACTION``)."""
    if len(line.split()) > CALL_TO_ACTION_MAX_WORDS:
        return False
    low = line.lower()
    return any(key in low for key in _CALL_TO_ACTION_KEYS) and bool(CALL_TO_ACTION.search(line))


def inline_related(line: str) -> str | None:
    """The other story's headline of a "Read also: <headline>" line (brackets around it dropped), else None."""
    m = INLINE_RELATED.match(line.strip())
    if m is None:
        return None
    headline = m.group(1).strip()
    return headline[:-1].rstrip() if headline.endswith(")") and line.lstrip().startswith("(") else headline


def is_headline_list_heading(line: str) -> bool:
    return bool(HEADLINE_LIST_HEADING.match(line.strip()))


def is_caption(line: str) -> bool:
    return bool(CAPTION_LINE.match(line.strip()))


def _at_line_start(pattern: re.Pattern[str]) -> str:
    """A whole-line pattern (``pattern.match(line.strip())``) as a regex over a body: at any line's start."""
    flags = "".join(letter for letter, bit in (("i", re.IGNORECASE), ("x", re.VERBOSE)) if pattern.flags & bit)
    body = pattern.pattern[1:] if pattern.pattern.startswith("^") else pattern.pattern
    return f"(?m{flags})^[^\\S\\n]*(?:{body})"


#: What must never survive into a published ``body``: the quality gate's ``regex_list`` (searched in the
#: whole body). It covers every line ``is_furniture_line`` drops (tests/unit/clean/test_furniture.py
#: proves it on generated lines), plus structural lines the text cleaner turns into fields.
BODY_FURNITURE_PATTERNS: tuple[str, ...] = (
    _at_line_start(PROMO_LINE),
    _at_line_start(PROMO_LINE_I18N),
    _at_line_start(SHORT_FURNITURE_LINE),
    # is_newsletter_promo: at most 14 words on the line, the prompt anywhere in it.
    r"(?mi)^(?=[^\S\n]*(?:\S+[^\S\n]+){0,13}\S+[^\S\n]*$)[^\n]*?(?:" + NEWSLETTER_PROMO.pattern + ")",
    # is_call_to_action: at most 25 words on the line, the notice anywhere in it.
    r"(?mi)^(?=[^\S\n]*(?:\S+[^\S\n]+){0,24}\S+[^\S\n]*$)[^\n]*?(?:" + CALL_TO_ACTION.pattern + ")",
    r"(?im)^\W{0,3}(?:next in|most read in) \w+\s*$",
    r"(?im)^\W{0,3}others also read\s*$",
    r"(?im)^\W{0,3}file photo:",
    r"(?im)^\W{0,3}\(reporting by\b",
)


def body_furniture(body: str) -> list[str]:
    """The ``BODY_FURNITURE_PATTERNS`` found in ``body`` (what the gate flags), for tests and tools."""
    return [p for p in BODY_FURNITURE_PATTERNS if re.search(p, body)]


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
