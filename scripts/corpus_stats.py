"""Corpus statistics: size, quote types, speaker kinds, patterns, topics, places."""
from collections import Counter

from quotes import LABELS, PRONOUNS, TOPICS, quote_type

# Enough of a gazetteer to count how many countries and bodies the corpus covers.
PLACES = """Afghanistan Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bangladesh
Belarus Belgium Bolivia Brazil Bulgaria Cambodia Cameroon Canada Chile China Colombia Congo
Croatia Cuba Czech Denmark Djibouti Ecuador Egypt Estonia Ethiopia Fiji Finland France Gabon
Georgia Germany Ghana Greece Guatemala Haiti Hungary India Indonesia Iran Iraq Ireland Israel
Italy Japan Jordan Kazakhstan Kenya Kuwait Kyrgyzstan Laos Latvia Lebanon Libya Lithuania
Malawi Malaysia Maldives Mali Mexico Moldova Mongolia Morocco Mozambique Myanmar Namibia Nepal
Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Panama Paraguay Peru Philippines
Poland Portugal Qatar Romania Russia Rwanda Senegal Serbia Singapore Slovakia Somalia Spain
Sudan Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Tunisia Turkey Türkiye
Turkmenistan Uganda Ukraine Uruguay Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe
Palau Tonga Samoa Vanuatu""".split() + [
    "Saudi Arabia", "South Africa", "South Korea", "North Korea", "New Zealand", "Sri Lanka",
    "United States", "United Kingdom", "Britain", "Ivory Coast", "Côte d'Ivoire",
    "United Arab Emirates", "UAE", "Solomon Islands", "Papua New Guinea", "Costa Rica",
    "Dominican Republic", "Sierra Leone", "Burkina Faso", "Bosnia",
    "United Nations", "Security Council", "WHO", "World Health Organization", "WTO",
    "World Trade Organization", "IMF", "International Monetary Fund", "World Bank", "G7",
    "G20", "NATO", "European Union", "European Commission", "ASEAN", "African Union",
    "OPEC", "BRICS", "SCO", "OAS", "Mercosur", "ECOWAS", "GCC", "Arab League", "IAEA",
    "OECD", "Interpol", "ITU", "UNFCCC", "Pacific Islands Forum", "CARICOM", "SADC",
    "Human Rights Council", "UNESCO", "UNICEF", "UNHCR"]
DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "one", "two", "three",
               "several", "some", "many", "another", "both", "senior", "officials", "this",
               "that", "these", "those"}


def speaker_kind(text):
    """'pronoun', 'description' (title, description, organisation; no name) or 'name'.

    A heuristic for statistics only: a mention is a description when it starts with a
    determiner, a possessive (`China's foreign ministry`) or has no capitalised word.
    """
    words = text.split()
    first = words[0].lower() if words else ""
    if text.lower() in PRONOUNS:
        return "pronoun"
    if first in DETERMINERS or first.endswith(("'s", "’s")) or not any(w[0].isupper() for w in words):
        return "description"
    return "name"


def corpus_stats(records, raw_pages=None):
    raw_pages = raw_pages or {}
    labels, qtypes, skinds, topics, styles, rels = Counter(), Counter(), Counter(), Counter(), Counter(), Counter()
    words = no_attr = 0
    places = set()
    for r in records:
        text = r["text"]
        words += len(text.split())
        ents = {e["id"]: e for e in r.get("entities", [])}
        for e in ents.values():
            labels[e["label"]] += 1
            span = text[e["start_offset"]:e["end_offset"]]
            if e["label"] == "QUOTE":
                qtypes[quote_type(span)] += 1
            elif e["label"] == "SPEAKER":
                skinds[speaker_kind(span)] += 1
        rels.update(rel["type"] for rel in r.get("relations", []))
        cue_of = {rel["from_id"] for rel in r.get("relations", []) if rel["type"] == "cue"}
        rels["continuation (quote without cue)"] += sum(
            1 for e in ents.values() if e["label"] == "QUOTE" and e["id"] not in cue_of)
        no_attr += not ents
        topics.update(r.get("cats", []))
        styles[(r.get("meta") or {}).get("style", "?")] += 1
        places.update(p for p in PLACES if p in text)
    n_quotes, n_speakers = labels["QUOTE"] or 1, labels["SPEAKER"] or 1
    return {
        "articles": len(records), "words": words,
        "spans": dict(labels), "relations": dict(rels),
        "quote_types": {k: f"{v} ({v / n_quotes:.0%})" for k, v in sorted(qtypes.items())},
        "speaker_kinds": {k: f"{v} ({v / n_speakers:.0%})" for k, v in sorted(skinds.items())},
        "topics": {t: topics[t] for t in TOPICS},
        "styles": dict(styles),
        "raw_pages": f"{len(raw_pages)} ({len(raw_pages) / max(len(records), 1):.0%})",
        "no_attribution": f"{no_attr} ({no_attr / max(len(records), 1):.0%})",
        "countries_and_bodies": len(places),
    }


def print_stats(stats):
    width = max(len(k) for k in stats) + 2
    for key, value in stats.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"    {k:<32} {v}")
        else:
            print(f"{key:<{width}} {value}")
