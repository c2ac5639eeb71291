"""Custom pipeline code packaged with the model: labels, quote types, span extensions.

This file is copied flat into the model package by `spacy package --code`, so it imports
nothing from the project and can be loaded on its own.
"""
LABELS = ("SPEAKER", "CUE", "QUOTE")
SPANS_KEY = "attribution"
TOPICS = ("DIPLOMATIC_RELATIONS", "TRADE", "INVESTMENT", "SUPPLY_CHAINS", "TECHNOLOGY",
          "SANCTIONS_EXPORT_CONTROLS", "SECURITY_DEFENSE", "CYBER_DATA", "CLIMATE_ENERGY",
          "HUMAN_RIGHTS", "HEALTH", "DEVELOPMENT_AID")
OPENING = "“‘«„\""
CLOSING = "”’»“\""
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "us"}


def quote_type(text):
    """DIRECT when the whole span is in quotation marks, MIXED with a quoted part, else INDIRECT."""
    text = text.strip()
    if text and text[0] in OPENING:
        inner = text[1:-1] if text[-1] in CLOSING else text[1:]
        mark = text[0]
        closer = {"“": "”", "‘": "’", "«": "»", "„": "“", '"': '"'}[mark]
        # Enclosed: the opening mark's partner closes the span (or the span runs on into
        # the next paragraph unclosed) and does not close earlier.
        if closer not in inner or (mark == "‘" and "‘" not in inner):
            return "DIRECT"
    if any(c in text for c in "“”«»„\"") or "‘" in text:
        return "MIXED"
    return "INDIRECT"
