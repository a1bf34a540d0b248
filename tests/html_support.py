"""Reading HTML that a page draws as a browser would: each list item's text, headings and links,
with entities decoded."""

from __future__ import annotations

from html.parser import HTMLParser


class Items(HTMLParser):
    """Each list item's text, headings, links (address, text) and bar widths; and every tag seen."""

    def __init__(self, html: str):
        super().__init__()
        self.items: list[dict] = []
        self.tags: list[str] = []
        self._inside: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "li":
            self.items.append({"text": "", "headings": [], "links": [], "bars": []})
        elif self.items and tag == "a":
            self.items[-1]["links"].append([attributes["href"], ""])
        elif self.items and tag == "span" and "width" in (attributes.get("style") or ""):
            self.items[-1]["bars"].append(attributes["style"])
        if tag == "br":
            self.items[-1]["text"] += " "
            return
        self._inside.append(tag)

    def handle_endtag(self, tag):
        self._inside.pop()
        if self.items and tag in {"p", "h3", "div"}:
            self.items[-1]["text"] += " "

    def handle_data(self, data):
        if not self.items or "style" in self._inside:
            return
        item = self.items[-1]
        item["text"] += data
        if "h3" in self._inside:
            item["headings"].append(data)
        if "a" in self._inside:
            item["links"][-1][1] += data
