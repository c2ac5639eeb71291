"""Metrics for attribution spans, quote links and topics, shared by evaluate and tests."""
from collections import defaultdict

from quotes import LABELS, TOPICS, paragraph_of, prf, same_name
from quotes import score_links as link_scores  # noqa: F401  (one definition, used by evaluate)


def overlaps(a, b):
    """Share at least 50% of the longer span's characters."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared >= 0.5 * max(a[1] - a[0], b[1] - b[0])


def spans_of(doc):
    from quotes import SPANS_KEY

    return [(s.start_char, s.end_char, s.label_) for s in doc.spans.get(SPANS_KEY, [])]


def span_scores(pairs):
    """Exact and overlap P/R/F per label over (predicted doc, gold doc) pairs."""
    counts = {mode: defaultdict(lambda: [0, 0, 0]) for mode in ("exact", "overlap")}
    for pred, gold in pairs:
        p_spans, g_spans = spans_of(pred), spans_of(gold)
        for label in LABELS:
            ps = [s[:2] for s in p_spans if s[2] == label]
            gs = [s[:2] for s in g_spans if s[2] == label]
            for mode, match in (("exact", lambda a, b: a == b), ("overlap", overlaps)):
                c = counts[mode][label]
                unused = list(gs)
                for p in ps:
                    hit = next((g for g in unused if match(p, g)), None)
                    if hit is not None:
                        unused.remove(hit)
                        c[0] += 1
                c[1] += len(ps)
                c[2] += len(gs)
    return {mode: {label: prf(*counts[mode][label]) for label in LABELS} for mode in counts}


def overlap_link_scores(pairs):
    """said_by P/R/F and canonical-name accuracy where a predicted quote (and speaker)
    counts when it overlaps the gold one (see `overlaps`): how often a quote that is found,
    even with loose boundaries, gets the right source."""
    tp = n_pred = n_gold = right = n_quotes = 0
    for pred, gold in pairs:
        unused = list(pred.user_data.get("attribution_links", []))
        n_pred += sum(bool(link["speaker"]) for link in unused)
        for link in gold.user_data.get("attribution_links", []):
            n_quotes += 1
            n_gold += bool(link["speaker"])
            hit = next((g for g in unused if overlaps(g["quote"], link["quote"])), None)
            if hit is None:
                continue
            unused.remove(hit)
            right += same_name(hit["name"], link["name"])
            tp += bool(link["speaker"] and hit["speaker"] and overlaps(hit["speaker"], link["speaker"]))
    return {"said_by": prf(tp, n_pred, n_gold), "canonical_name_accuracy": right / n_quotes if n_quotes else 0.0}


def topic_threshold(nlp, default=0.5):
    """The score at which the pipeline's topic classifier assigns a topic (its `threshold`)."""
    for _, pipe in nlp.pipeline:
        if "threshold" in getattr(pipe, "cfg", {}) and hasattr(pipe, "labels"):
            return pipe.cfg["threshold"]
    return default


def topic_scores(pairs, threshold=0.5):
    counts = {t: [0, 0, 0] for t in TOPICS}
    for pred, gold in pairs:
        for t in TOPICS:
            p, g = pred.cats.get(t, 0.0) >= threshold, gold.cats.get(t, 0.0) >= 0.5
            counts[t][0] += p and g
            counts[t][1] += p
            counts[t][2] += g
    micro = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {"per_label": {t: prf(*c) for t, c in counts.items()}, "micro": prf(*micro)}


def quote_cases(gold):
    """The hard cases each gold quote belongs to: pronoun, title or description, surname
    only, continuation, cross-paragraph, headline (a quote may be in several, or none)."""
    from corpus_stats import speaker_kind

    text, paragraph = gold.text, paragraph_of(gold)
    for link in gold.user_data.get("attribution_links", []):
        cases = set()
        q0 = link["quote"][0]
        if link["speaker"]:
            s0, s1 = link["speaker"]
            mention = text[s0:s1]
            kind = speaker_kind(mention)
            if kind == "pronoun":
                cases.add("pronoun")
            elif kind == "description":
                cases.add("title or description")
            elif len(mention.split()) == 1 and link["name"] and link["name"] != mention \
                    and link["name"].split()[-1] == mention:
                cases.add("surname only")
            if paragraph(s0) != paragraph(q0):
                cases.add("cross-paragraph")
        if not link["cue"]:
            cases.add("continuation")
        if paragraph(q0) == 0:
            cases.add("headline")
        yield tuple(link["quote"]), link, cases


CASES = ("all", "pronoun", "title or description", "surname only", "continuation",
         "cross-paragraph", "headline")


def link_cases(pairs):
    """Per case: quotes, said_by accuracy and canonical-name accuracy over gold quotes."""
    counts = {case: [0, 0, 0] for case in CASES}
    for pred, gold in pairs:
        predicted = {tuple(link["quote"]): link for link in pred.user_data.get("attribution_links", [])}
        for quote, link, cases in quote_cases(gold):
            guess = predicted.get(quote) or {}
            said = bool(guess.get("speaker")) and list(guess["speaker"]) == list(link["speaker"] or [])
            named = same_name(guess.get("name"), link["name"])
            for case in ("all", *cases):
                c = counts[case]
                c[0] += 1
                c[1] += said
                c[2] += named
    return {case: {"quotes": n, "said_by_acc": s / n if n else 0.0, "name_acc": m / n if n else 0.0}
            for case, (n, s, m) in counts.items()}
