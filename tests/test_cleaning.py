import warnings

import pytest

from cleaning import clean_page, decode, parse_dateline

BODY = [
    "Kenya and Japan agree to expand geothermal cooperation",
    "Kenya and Japan on Monday agreed to widen their cooperation on geothermal power.",
    "“This is a partnership for the next decade,” Energy Cabinet Secretary Opiyo Wandayi told reporters in Nairobi.",
    "Japan's ambassador said Tokyo would fund two new drilling rigs.",
]

# Pages styled after different outlets; each wraps the same body in its own furniture.
PAGES = {
    "wire": ["{0}", "Published Sat, Mar 2, 2024 · 02:24 PM", "{1}", "{2}",
             "READ MORE: Nairobi hosts regional energy ministers", "{3}", "REUTERS"],
    "broadsheet": ["By Amina Hassan, Energy Correspondent", "{0}", "Updated 2 March 2024, 10:05 GMT",
                   "{1}", "Subscribe to The Ledger for unlimited access to our journalism.", "{2}",
                   "{3}", "KEYWORDS IN THIS ARTICLE", "Kenya", "Japan", "geothermal"],
    "portal": ["{0}", "March 2, 2024 | 6:40 AM EAT", "Share this story: Facebook | X | WhatsApp",
               "{1}", "ADVERTISEMENT", "{2}", "Join our WhatsApp channel for breaking alerts",
               "{3}", "Related: Ethiopia opens new wind farm", "— AFP"],
    "ministry": ["Posted: Saturday 2 March 2024 09:00", "{0}", "{1}", "{2}",
                 "Photo: Delegates at the signing. Credit: Ministry of Energy", "{3}",
                 "(Ministry Press Office, jk/lm)"],
}


@pytest.mark.parametrize("style", sorted(PAGES))
def test_furniture_is_dropped_and_body_kept(style):
    page = "\n\n".join(line.format(*BODY) for line in PAGES[style])
    cleaned = clean_page(page)
    assert cleaned["text"] == "\n\n".join(BODY)
    assert cleaned["headline"] == BODY[0]
    assert cleaned["meta"]["published"] == "2024-03-02"


@pytest.mark.parametrize("line, iso", [
    ("Published Sat, Mar 2, 2024 · 02:24 PM", "2024-03-02"),
    ("Updated 14 March 2024, 10:05 GMT", "2024-03-14"),
    ("2024-03-14 08:15 UTC", "2024-03-14"),
    ("Spree Agentur | Brussels | Tuesday, 4 April 2023, 16:10 CET", "2023-04-04"),
    ("The treaty was signed in Lima on 4 April 2023.", None),
    ("Ministers said on 4 April 2023 that talks would go on", None),
])
def test_dateline(line, iso):
    assert parse_dateline(line) == iso


@pytest.mark.parametrize("line, iso", [("Published Fri, 7 March 2025 · 03:15 PM WIB", "2025-03-07"),
                                       ("Updated: 26/11/2024, 18:40 MSK", "2024-11-26")])
def test_a_time_zone_dateutil_does_not_know_is_dropped_without_a_warning(line, iso):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dateutil says its warning will become an error
        assert parse_dateline(line) == iso


def test_attribution_paragraph_is_never_dropped():
    short = "“No,” she said."
    page = f"Headline of the day\n\n{short}\n\nSubscribe, he said, was not the word."
    assert clean_page(page)["text"].split("\n\n") == ["Headline of the day", short,
                                                      "Subscribe, he said, was not the word."]


def test_encodings_newlines_and_spaces():
    text = "Headline\r\n\r\nThe minister\u00a0said talks would resume.\r\n"
    for data in (text.encode("utf-8-sig"), text.encode("cp1252", errors="replace")):
        cleaned = clean_page(decode(data))
        assert cleaned["text"] == "Headline\n\nThe minister said talks would resume."
    assert decode("“Quote” – ok".encode("cp1252")) == "“Quote” – ok"


def test_binary_is_refused():
    with pytest.raises(ValueError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
