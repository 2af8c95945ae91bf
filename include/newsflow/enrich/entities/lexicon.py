"""Word lists the entity rules read: titles, roles, cue words, club/event/place nouns (data, not logic).

Compared lower-cased against spaCy tokens (``token.lower_``). Kept apart from :mod:`.rules` so a list can be
reviewed, extended or replaced per language without touching the rules that use it.
"""

from __future__ import annotations

#: Honorifics and office titles (``TITLES`` adds the roles below).
_OFFICE_TITLES = frozenset(["mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sir", "dame", "lord", "lady", "madame", "mme", "mme.", "monsieur", "herr", "frau", "prof", "prof.", "professor", "president", "president-elect", "vice", "prime", "minister", "premier", "chancellor", "secretary", "senator", "sen.", "sen", "rep.", "rep", "representative", "congressman", "congresswoman", "gov.", "gov", "governor", "governor-general", "gen.", "gen", "general", "col.", "colonel", "capt.", "captain", "lt.", "lieutenant", "maj.", "major", "adm.", "admiral", "sgt.", "judge", "justice", "pope", "king", "queen", "prince", "princess", "crown", "emperor", "sheikh", "sheik", "emir", "sultan", "ayatollah", "imam", "rabbi", "reverend", "rev.", "father", "bishop", "archbishop", "cardinal", "chairman", "chairwoman", "chair", "chief", "executive", "ceo", "deputy", "foreign", "finance", "defence", "defense", "treasury", "state", "interior", "trade", "economy", "economics", "agriculture", "energy", "labour", "labor", "commerce", "health", "justice", "home", "mayor", "ambassador", "commissioner", "director", "speaker", "spokesman", "spokeswoman", "attorney", "minister-president", "party", "leader", "opposition", "former", "acting", "outgoing", "incoming", "new", "late", "u.s.", "u.k.", "us", "uk", "federal", "central", "bank", "fed"])
#: Roles in sport and business written before a name like a title ("striker Kalusha Mwape", "tycoon Li").
ROLES = frozenset(["striker", "midfielder", "defender", "goalkeeper", "keeper", "winger", "coach", "skipper",
                    "batsman", "bowler", "all-rounder", "pitcher", "jockey", "tycoon", "magnate", "businessman",
                    "businesswoman", "playmaker", "sweeper", "fullback", "full-back", "centre-back", "opener"])
#: Titles and roles stripped from the front of PERSON spans ("President", "striker", "Mr.").
TITLES = _OFFICE_TITLES | ROLES | frozenset(["manager", "trainer", "driver", "rider", "champion", "veteran", "forward",
                                        "guard", "international", "lawyer", "analyst", "economist", "dealer",
                                        "trader", "banker", "official", "spokesperson"])
#: Title words that are also common surnames: a lone "Major" or "Bishop" stays a name.
SURNAME_TITLES = frozenset({"major", "bishop", "father", "king", "young", "chief", "justice", "speaker", "manager",
                             "trainer", "driver", "rider", "banker", "guard", "forward", "dealer", "trader"})
#: Lower-case name particles that may legitimately start a name ("de la Madrid", "al-Sayyari").
PARTICLES = frozenset(["de", "da", "del", "della", "der", "di", "du", "la", "le", "van", "von", "ter", "ten", "al", "el", "bin", "ibn", "ul", "dos", "das", "los", "las", "les", "des", "do"])
#: Headline slugs Reuters and others glue onto the first word of a title ("Analysis-Trump's ...").
SLUGS = frozenset(["analysis", "exclusive", "factbox", "explainer", "insight", "focus", "column", "commentary", "breakingviews", "update", "wrapup", "refile", "rpt", "corrected", "correction", "timeline", "graphic", "interview", "profile", "poll", "preview", "review", "instant", "view", "urgent"])
#: Titles that, right before or at the start of a non-PERSON span, mark it as a person ("chief Murat Demir");
#: ``PERSON_CUES`` adds the roles.
_CUE_TITLES = frozenset(["mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sir", "dame", "president", "premier", "chancellor", "senator", "sen.", "rep.", "gov.", "governor", "king", "queen", "prince", "princess", "pope", "sheikh", "ayatollah", "minister", "secretary", "chairman", "chairwoman", "chief", "spokesman", "spokeswoman", "analyst", "economist", "prosecutor", "inspector", "captain", "judge", "mayor", "ambassador", "executive", "director"])
#: Words that make a capitalised span an organisation whatever precedes it.
ORG_WORDS = frozenset(["bank", "corp", "corp.", "inc", "inc.", "ltd", "ltd.", "co", "co.", "plc", "ag", "sa", "nv", "ab", "ministry", "department", "committee", "council", "party", "university", "company", "group", "association", "agency", "office", "commission", "fund", "authority", "institute", "board", "union", "house", "court", "exchange", "reserve", "organization", "organisation", "federation"])
#: Corporate suffixes ignored when joining "Orlen Motors Corp" and "Orlen Motors".
CORP_SUFFIXES = frozenset(["corp", "corp.", "corporation", "inc", "inc.", "ltd", "ltd.", "co", "co.", "plc", "ag", "sa", "nv", "ab", "llc", "group"])
#: Prepositions before a place ("in Chicago"): the name is a place, not a club or person.
LOCATIVE = frozenset({"in", "at", "from", "to", "near", "outside", "across"})
#: Small words skipped when matching an acronym to its long name ("Bank of England" -> "BOE").
ACRONYM_STOP = frozenset({"of", "the", "and", "for", "&"})
#: News agencies named in datelines and credits (never entities there).
AGENCIES = frozenset({"reuters", "reuter", "ap", "afp", "upi", "dpa", "bloomberg", "xinhua", "tass", "kyodo"})
#: Last words that make a capitalised 2-4 word name a sports club, not a person ("Harrowby Town").
CLUB_SUFFIXES = frozenset(["united", "city", "town", "rovers", "athletic", "athletico", "fc", "afc", "wanderers",
                            "albion", "county", "rangers", "hotspur", "harriers", "academicals"])
#: Words right after a name that say it is a place ("the Algarve coast", "Kericho and Bomet counties").
PLACE_NOUNS = frozenset(["coast", "region", "regions", "province", "provinces", "county", "counties", "valley",
                          "peninsula", "state", "district", "districts", "prefecture", "highlands", "lowlands"])
#: Last words of a street or square, which the model tags as a person ("Mill Road").
STREET_WORDS = frozenset(["street", "st.", "road", "rd.", "avenue", "ave.", "lane", "boulevard", "square"])
#: Speech verbs that corroborate a lone surname as a person ("Munoz said", "said Munoz").
SPEECH = frozenset(["said", "says", "told", "added", "asked", "wrote", "explained", "insisted", "argued",
                     "replied", "recalled", "warned", "noted", "stressed", "admitted", "acknowledged", "declared"])
PERSON_CUES = _CUE_TITLES | ROLES
#: Any title or cue before a lone surname corroborates it as a person ("Mr. Holt", "striker Mwape").
HONORIFICS = TITLES | PERSON_CUES
#: Wire title slugs of team sports ("SOCCER - ..."): there a city or county on its own is the club.
TEAM_SPORTS = ("SOCCER", "FOOTBALL", "RUGBY", "RUGBY UNION", "RUGBY LEAGUE", "BASEBALL", "BASKETBALL",
                "ICE HOCKEY", "HOCKEY", "NHL", "NBA", "NFL", "CRICKET", "AUSTRALIAN RULES", "HANDBALL",
                "VOLLEYBALL", "WATER POLO", "NFL FOOTBALL", "COLLEGE FOOTBALL", "MLB")
#: Words after a city that keep it a place in a sports story ("the Eindhoven club", "Madrid-based").
CLUB_NOUNS = frozenset({"club", "side", "team", "outfit", "-based", "based", "fans", "stadium"})
#: Last words of an event's name: competitions are not organisations or places ("British Open", "Asian Cup").
EVENT_WORDS = frozenset({"open", "masters", "cup", "championship", "championships", "games", "olympics", "olympiad",
                          "trophy", "classic", "marathon", "tournament", "prix", "memorial", "invitational",
                          "series", "regatta", "grand slam", "paralympics", "world cup"})
#: First words of events named "<word> de/of ..." ("Tour de France", "Giro d'Italia").
EVENT_FIRST = frozenset({"tour", "giro", "vuelta"})
#: One-word "organisations" that are generic nouns at a sentence start or in a title ("Council", "Resort").
GENERIC_ORGS = frozenset({"council", "committee", "ministry", "department", "company", "group", "association",
                           "agency", "office", "commission", "fund", "authority", "institute", "board", "bank",
                           "resort", "courier", "hotel", "club", "school", "hospital", "university", "college",
                           "airport", "station", "police", "firm", "team", "government", "men", "women",
                           "men's", "women's", "juniors", "seniors", "shr", "shrs", "revs", "net", "qtr", "qtly",
                           "avg", "oper", "div"})
#: Government portfolios before an office word ("Farm Commissioner", "Interior Minister").
PORTFOLIOS = frozenset({"farm", "interior", "agriculture", "foreign", "finance", "defence", "defense", "trade",
                         "economy", "energy", "health", "justice", "education", "environment", "transport",
                         "industry", "labour", "labor", "home", "culture", "sports", "tourism", "oil", "mines",
                         "fisheries", "housing", "information", "communications", "telecommunications"})

#: Office words that follow a portfolio ("Interior Minister", "Farm Commissioner"): the portfolio is no name.
OFFICES = frozenset({"minister", "ministers", "secretary", "commissioner", "spokesman", "spokeswoman", "ministry",
                      "undersecretary", "official", "officials", "correspondent", "editor"})
#: Compass words that end group names after a region ("Fair Fares North").
COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central"})
#: "the port of Whitby", "the village of Khasavyurt": what follows "of" is a place.
SETTLEMENTS = frozenset({"port", "town", "city", "village", "capital", "province", "region", "island", "county",
                          "district", "suburb", "resort", "hamlet", "islands", "state", "provinces", "outskirts"})
#: Labels whose spans are names (trimmed of scores and lower-case edges); the rest are titles of things.
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
