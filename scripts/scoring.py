"""Metrics for attribution spans, quote links and topics, shared by evaluate and tests."""
from collections import defaultdict

from quotes import LABELS, TOPICS


def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0, "n_gold": n_gold}


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


def _links(doc):
    return doc.user_data.get("attribution_links", [])


def link_scores(pairs):
    """said_by and cue link F1 (quote and target both exact) and canonical-name accuracy."""
    said = [0, 0, 0]
    cue = [0, 0, 0]
    names_right = names_total = 0
    for pred, gold in pairs:
        p_links = {tuple(link["quote"]): link for link in _links(pred)}
        g_links = {tuple(link["quote"]): link for link in _links(gold)}
        for key, counter in (("speaker", said), ("cue", cue)):
            p_set = {(q, tuple(link[key])) for q, link in p_links.items() if link[key]}
            g_set = {(q, tuple(link[key])) for q, link in g_links.items() if link[key]}
            counter[0] += len(p_set & g_set)
            counter[1] += len(p_set)
            counter[2] += len(g_set)
        for q, link in g_links.items():
            names_total += 1
            guess = p_links.get(q, {}).get("name")
            names_right += bool(guess) and normalise_name(guess) == normalise_name(link["name"])
    return {"said_by": prf(*said), "cue": prf(*cue),
            "canonical_name_accuracy": names_right / names_total if names_total else 0.0,
            "n_quotes": names_total}


def normalise_name(name):
    return " ".join((name or "").lower().split())


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
