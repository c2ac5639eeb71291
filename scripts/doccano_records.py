"""Corpus records <-> the records of our doccano project, where topics are spans too.

doccano 1.8.4 offers no project type whose annotation page shows span labels, relations
and document categories together: sequence labelling shows spans and relations, intent
detection spans and categories. So an article goes to doccano as a sequence-labelling
example with relations, followed by a topic list (TOPIC_LIST) on which the annotator
marks each topic of the article with its own label: one article, one pass. The corpus
records hold the article text alone, its spans and relations, and the topics as cats.

doccano's annotation page counts offsets in UTF-16 code units (JavaScript strings) and
Python in code points; they differ after any character outside the Basic Multilingual
Plane, so offsets are converted on the way in and out.
"""
import hashlib
import json

from decompile import canonical
from quotes import LABELS, TOPICS

RELATION_TYPES = {"said_by": ("QUOTE", "SPEAKER"), "cue": ("QUOTE", "CUE"),
                  "same_as": ("SPEAKER", "SPEAKER")}
TOPIC_HEADING = "TOPICS — give the article each topic that applies: mark the topic's name with its label"
TOPIC_LIST = "\n\n" + TOPIC_HEADING + "\n" + "\n".join(TOPICS)
META_KEYS = ("published", "style", "source")
# Label colours and shortcut keys in doccano: the scheme's spans stand out, topics are muted.
SCHEME = {
    "span": {"SPEAKER": ["#1f77b4", "s"], "CUE": ["#ff7f0e", "c"], "QUOTE": ["#2ca02c", "q"],
             **{topic: ["#7f7f7f", None] for topic in TOPICS}},
    "relation": {"said_by": ["#d62728", None], "cue": ["#9467bd", None], "same_as": ["#8c564b", None]},
}


def record_hash(record):
    """Hash of what a record says (text, spans, relations, topics, meta), ids aside."""
    return hashlib.sha256(json.dumps(canonical(record), ensure_ascii=False).encode()).hexdigest()


def text_hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _utf16_positions(text):
    """UTF-16 offset of each code point offset 0..len(text)."""
    positions = [0]
    for ch in text:
        positions.append(positions[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return positions


def topic_span(text, topic):
    """Code point offsets of a topic's name in the topic list appended to `text`."""
    start = len(text) + len(TOPIC_LIST) - len("\n".join(TOPICS[TOPICS.index(topic):]))
    return start, start + len(topic)


def to_doccano(record):
    """The doccano JSONL line of a corpus record: text and topic list, spans, relations, meta."""
    full = record["text"] + TOPIC_LIST
    utf16 = _utf16_positions(full)
    entities = [{"id": e["id"], "label": e["label"], "start_offset": utf16[e["start_offset"]],
                 "end_offset": utf16[e["end_offset"]]} for e in record["entities"]]
    next_id = max((e["id"] for e in record["entities"]), default=-1) + 1
    for i, topic in enumerate(t for t in TOPICS if t in record.get("cats", [])):
        start, end = topic_span(record["text"], topic)
        entities.append({"id": next_id + i, "label": topic, "start_offset": utf16[start],
                         "end_offset": utf16[end]})
    meta = record.get("meta") or {}
    return {"text": full, "entities": entities,
            "relations": [{k: r[k] for k in ("id", "from_id", "to_id", "type")} for r in record["relations"]],
            "article_id": record["id"], **{key: meta.get(key) or "" for key in META_KEYS}}


def from_doccano(example):
    """(corpus record, problems) for one line of a doccano export of our project."""
    full = example.get("text") or ""
    if not full.endswith(TOPIC_LIST):
        return None, ["the topic list at the end of the text was changed in doccano"]
    text = full[:-len(TOPIC_LIST)]
    code_point = {u: i for i, u in enumerate(_utf16_positions(full))}
    entities, cats, topic_ids, problems = [], [], set(), []
    for e in example.get("entities", []):
        label, start, end = e.get("label"), code_point.get(e.get("start_offset")), code_point.get(e.get("end_offset"))
        where = f"{label} [{e.get('start_offset')}:{e.get('end_offset')}]"
        if start is None or end is None or start >= end:
            problems.append(f"{where}: offsets do not match the text (outside it, or inside a character)")
        elif label in TOPICS:
            topic_ids.add(e.get("id"))
            if (start, end) != topic_span(text, label):
                problems.append(f"topic label {label} must mark the name {label} in the topic list, "
                                f"not {full[start:end][:40]!r}")
            elif label not in cats:
                cats.append(label)
        elif label not in LABELS:
            problems.append(f"{where}: label {label!r} is not in the scheme (SPEAKER, CUE, QUOTE, the 12 topics)")
        elif end > len(text):
            problems.append(f"{where}: a {label} span in the topic list")
        else:
            entities.append({"id": e.get("id"), "label": label, "start_offset": start, "end_offset": end})
    relations = []
    for r in example.get("relations", []):
        if r.get("type") not in RELATION_TYPES:
            problems.append(f"relation type {r.get('type')!r} is not in the scheme (said_by, cue, same_as)")
        elif {r.get("from_id"), r.get("to_id")} & topic_ids:
            problems.append(f"a {r.get('type')} relation links a topic label")
        else:
            relations.append({k: r.get(k) for k in ("id", "from_id", "to_id", "type")})
    record = {"id": example.get("article_id"), "text": text, "entities": entities, "relations": relations,
              "cats": [t for t in TOPICS if t in cats], "meta": {key: example.get(key) for key in META_KEYS}}
    return record, problems
