"""Turn a scraped article page into clean text plus metadata.

The cleaner keeps the headline, the publication date (as metadata) and the body
paragraphs, joined by one blank line, and drops page furniture. Furniture is recognised
by its shape (capitals, no sentence punctuation, link-list separators, a dateline or
byline) and by promotional vocabulary, never by one site's exact phrases. A paragraph
that carries an attribution signal (quotation marks or a reporting verb) is only dropped
when it is explicitly flagged as a link to another story.
"""
import re
from datetime import date

from dateutil import parser as dateparser

# The curly apostrophe (’) is left out: it is far more often an apostrophe than a quote.
QUOTE_CHARS = "\"“”«»„‘"
NORMALISE = {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\ufeff": "", "\u200b": ""}
REPORTING = re.compile(
    r"\b(said|says|say|told|tells|according to|warned|urged|added|stated|stressed|noted|"
    r"insisted|argued|denied|rejected|welcomed|announced|pledged|called for|asked)\b", re.I)
# Lines that point away from the article: always furniture, whatever they contain.
LINK_PREFIX = re.compile(
    r"^\W*(read more|read also|also read|more on this|related( stories| articles| coverage)?|"
    r"see also|recommended|most read|trending|up next|watch|listen|explore more)\b\W*", re.I)
PROMO = re.compile(
    r"(?<!\w)(subscribe|subscribers?:|subscription|reading list|newsletters?|sign up|sign-up|signing up|inbox|unlimited access|"
    r"download (our|the) app|our (youtube |whatsapp |telegram )?(app|channel|podcast)|"
    r"follow us|follow [\w ]{1,30} on (x|telegram|whatsapp|instagram|facebook|linkedin|threads|mastodon|tiktok|youtube)|share this|share on|click here|tap here|tap to \w+|advertisement|all rights reserved|"
    r"copyright|©|join our|free trial|keywords?|tags:|topics:|photo( credit)?:|image:|"
    r"file photo|reporting by|editing by|contributed (to )?(this|reporting)|credit:|\d+ min(ute)? read|"
    r"(whatsapp|telegram|youtube|instagram|tiktok|facebook|linkedin) (channel|alerts|page|account)|"
    r"(channel|alerts|page|account) on (whatsapp|telegram|youtube|instagram|tiktok|facebook|linkedin))(?!\w)",
    re.I)
DATE_LEAD = re.compile(r"^\W*(published|updated|posted|first published|last updated|date)\b:?\s*", re.I)
# "By Name, Title | Desk": a byline never ends a sentence.
BYLINE = re.compile(r"^(?i:by|words by|report by|reporting by)\s+[A-Z][^.!?“”\"]{0,80}$")
SENTENCE_END = re.compile(r"[.!?:;…\"”’]\s*$")


def decode(data: bytes) -> str:
    """Decode page bytes: UTF-8 (with or without BOM), else cp1252, else Latin-1."""
    if b"\x00" in data[:4096]:
        raise ValueError("looks like a binary file, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def normalise(text: str) -> str:
    for src, dst in NORMALISE.items():
        text = text.replace(src, dst)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_dateline(line: str):
    """Return the ISO date in a dateline, or None if the line is not one."""
    words = line.split()
    if not words or len(words) > 14 or REPORTING.search(line):
        return None
    has_lead = bool(DATE_LEAD.match(line))
    if not has_lead and not re.search(r"\b(19|20)\d\d\b", line):
        return None
    body = DATE_LEAD.sub("", line)
    body = re.sub(r"[|·•,]", " ", body)
    body = re.sub(r"\b([ap])\.m\.", r"\1m", body, flags=re.I)
    # Time zones are irrelevant to the date, and dateutil warns on the ones it does not know:
    # `... T` abbreviations, and any capitalised abbreviation right after a time (`18:40 WIB`).
    body = re.sub(r"\b(?!OCT\b|SEPT\b)[A-Z]{1,4}T\b|\bUTC\b|\bGMT\b", "", body)
    body = re.sub(r"(\d:\d\d(?:\s*[AaPp][Mm])?)\s+[A-Z]{2,5}\b", r"\1", body)
    try:
        parsed, skipped = dateparser.parse(body, fuzzy_with_tokens=True, default=None)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None or parsed.year < 1900:
        return None
    # Without a "Published"-style lead, allow a few words of outlet or place around the
    # date, but not a sentence that merely mentions a date.
    if not has_lead and (sum(len(s.split()) for s in skipped if s.strip()) > 4
                         or re.search(r"[.!?]\s*$", line)):
        return None
    return date(parsed.year, parsed.month, parsed.day).isoformat()


def has_attribution(line: str) -> bool:
    return any(c in line for c in QUOTE_CHARS) or bool(REPORTING.search(line))


def is_furniture(line: str, in_keyword_block: bool = False, headline: bool = False) -> bool:
    words = line.split()
    letters = [c for c in line if c.isalpha()]
    if LINK_PREFIX.match(line) or BYLINE.match(line):
        return True
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(words) <= 16:
        return True
    if re.fullmatch(r"([A-Z][A-Z .'-]+ )?\([^()]*\)", line) and len(words) <= 8:
        return True  # a wire's credit or initials: "(Agency, ab/cd)", "GENEVA (Agency)"
    if any(line.count(sep) >= 2 for sep in "|•›»·") or re.search(r"\w >(?= \w)", line) or re.match(r"^[—–-]\s*\w+", line):
        return True
    if has_attribution(line) and len(words) > 6:
        return False
    if in_keyword_block and len(words) <= 6:
        return True
    if PROMO.search(line) and len(words) <= 30:
        return True
    return not headline and len(words) <= 6 and not SENTENCE_END.search(line)


def clean_page(page: str) -> dict:
    """Clean one scraped page: {"text", "headline", "meta": {"published": ...}}."""
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in normalise(page).split("\n")]
    lines = [ln for ln in lines if ln]
    kept, published, keyword_block = [], None, False
    for line in lines:
        if not kept:
            # The first line that is neither furniture nor a dateline is the headline.
            iso = parse_dateline(line)
            if iso or is_furniture(line, headline=True):
                published = published or iso
                continue
            kept.append(line)
            continue
        iso = parse_dateline(line)
        if iso:
            published = published or iso  # the first dateline is the publication; "Updated" follows
            continue
        if re.match(r"^\W*(keywords?|tags|topics)\b", line, re.I):
            keyword_block = True
        if is_furniture(line, keyword_block):
            continue
        keyword_block = False
        kept.append(line)
    return {"text": "\n\n".join(kept), "headline": kept[0] if kept else "",
            "meta": {"published": published}}


def clean_html(html: str) -> dict:
    """Clean an HTML page: trafilatura finds the article and its date, then the same
    furniture filter as for text pages removes what it let through."""
    import json

    import trafilatura

    extracted = trafilatura.extract(html, output_format="json", with_metadata=True,
                                    include_comments=False, include_tables=False)
    if not extracted:
        raise ValueError("no article text found in the HTML page")
    data = json.loads(extracted)
    lines = data.get("text", "").split("\n")
    title = (data.get("title") or "").strip()
    if title and (not lines or lines[0].strip() != title):
        lines.insert(0, title)
    cleaned = clean_page("\n\n".join(lines))
    cleaned["meta"]["published"] = cleaned["meta"]["published"] or data.get("date")
    return cleaned


def clean_file(path) -> dict:
    """Clean one scraped page, text or HTML, from its raw bytes."""
    page = decode(path.read_bytes())
    if path.suffix.lower() in (".html", ".htm") or page.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return clean_html(page)
    return clean_page(page)
