"""How an IRI of the data is answered: the page that shows it (its own, or a section of another's), and the same
rules for Apache (``.htaccess``): a 303 See Other to Turtle, JSON-LD or the page the client asks for.

``civicgraph serve`` (:mod:`civicgraph.sparql.endpoint`) and the ``.htaccess`` the site writer publishes both read
these rules, so the two answer alike.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from civicgraph.source.records import Settings
from civicgraph.util.iris import CGV

SITE_DIR = "site"
ONTOLOGY_IRI = "https://w3id.org/civicgraph/ontology"

# Data resources shown as a section of another resource's page: (pattern of the IRI's path, path of the page).
# Group 1 of each pattern is the whole path, which is the section's anchor; ``$n`` are the pattern's groups, as
# Apache's mod_rewrite writes them (the same rules go into .htaccess). The first rule that matches decides.
SECTION_RULES: tuple[tuple[str, str], ...] = (
    (r"(activity/([^/]+)/([^/]+)/.+)", "report/$2/$3"),
    (r"(membership/([^/]+)/.+)", "member/$2"),
    (r"((report/[^/]+/[^/]+)/.+)", "$2"),
    (r"((member/[^/]+)/.+)", "$2"),
    (r"((period/[^/]+)/.+)", "$2"),
)
_SECTION_PATTERNS = [(re.compile(pattern), re.sub(r"\$(\d)", r"{\1}", page)) for pattern, page in SECTION_RULES]


def section_of(path: str) -> tuple[str, str | None]:
    """The page showing the data resource at ``path`` (an IRI minus the base) and the anchor of its section there,
    or ``(path, None)`` for a resource with a page of its own."""
    for pattern, page in _SECTION_PATTERNS:
        match = pattern.fullmatch(path)
        if match:
            return page.format(None, *match.groups()), match.group(1)  # "{2}" is group 2
    return path, None


_NEGOTIATED = (
    ("%{HTTP_ACCEPT} text/turtle", ".ttl"),
    (r"%{HTTP_ACCEPT} application/ld\+json", ".jsonld"),
    ("%{HTTP:Accept-Language} ^en [NC]", ".en.html"),
)


def htaccess(settings: Settings) -> str:
    """Apache rules answering the IRIs with a 303 to the page (and section), Turtle or JSON-LD the client asks
    for: first the data IRIs shown as sections (:data:`SECTION_RULES`), then every IRI with a page of its own."""
    publish_url, base = settings.publish_url, settings.base_iri
    site_url = f"{publish_url}{SITE_DIR}/"
    lines = [
        "# civicgraph: content negotiation for the IRIs of the data, its ontology and its concept schemes.",
        f"# Put this file in the folder served at {publish_url} (with mod_rewrite enabled); each IRI is answered",
        "# with 303 See Other to its description: Turtle or JSON-LD when the Accept header asks for them,",
        "# otherwise the HTML page (English when the browser prefers English), at the resource's section.",
        "",
        "Options -MultiViews",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddType text/csv .csv",
        "AddCharset UTF-8 .ttl .jsonld .nt .csv .html .json .xml",
        "",
        "RewriteEngine On",
    ]
    namespaces = [("data", base, "{}"), ("ontology", ONTOLOGY_IRI, "ontology"), ("vocabularies", CGV, "vocab/{}")]
    for what, iri, target in namespaces:
        if not iri.startswith(publish_url):
            lines += ["", f"# The {what} IRIs ({iri}) are not under {publish_url}: redirect them on their own server."]
            continue
        prefix = "^" + urlsplit(iri).path[len(urlsplit(publish_url).path) :]
        if what == "data":
            lines += ["", f"# data shown as a section of another resource's page: {iri}…"]
            for pattern, page in SECTION_RULES:
                lines += _rules(f"{prefix}{pattern}$", f"{site_url}{page}", "#$1")
        pattern = f"{prefix}(.+)$" if "{}" in target else f"{prefix}$"
        lines += ["", f"# {what}: {iri}…", *_rules(pattern, f"{site_url}{target.format('$1')}", "")]
    return "\n".join(lines) + "\n"


def _rules(pattern: str, page: str, anchor: str) -> list[str]:
    """The rewrite rules of one IRI pattern: Turtle, JSON-LD, English page, Polish page (``NE``: keep the ``#``)."""
    flags = "[R=303,NE,L]" if anchor else "[R=303,L]"
    lines = []
    for condition, suffix in _NEGOTIATED:
        fragment = anchor if suffix.endswith(".html") else ""
        lines += [f"RewriteCond {condition}", f"RewriteRule {pattern} {page}{suffix}{fragment} {flags}"]
    lines.append(f"RewriteRule {pattern} {page}.html{anchor} {flags}")
    return lines
