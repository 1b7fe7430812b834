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
SHAPES_IRI = "https://w3id.org/civicgraph/shapes"
# The project's namespace on w3id.org, which its redirect sends to the publishing server with the path kept
# (docs/publishing.md, "The project's namespace on w3id.org"): its IRIs arrive at ``publish_url`` + their path here.
W3ID_NAMESPACE = "https://w3id.org/civicgraph/"

# Data resources shown as a section of another resource's page: (pattern of the IRI's path, path of the page).
# Group 1 of each pattern is the whole path, which is the section's anchor; ``$n`` are the pattern's groups, as
# Apache's mod_rewrite writes them (the same rules go into .htaccess). The first rule that matches decides.
SECTION_RULES: tuple[tuple[str, str], ...] = (
    (r"(activity/([^/]+)/([^/]+)/.+)", "report/$2/$3"),
    (r"(membership/([^/]+)/.+)", "member/$2"),
    (r"((report/[^/]+/[^/]+)/.+)", "$2"),
    (r"((member/[^/]+)/.+)", "$2"),
    # A period is a year (period/2023) or a span of days (period/2023-03-01/2023-06-30): its sections are its
    # beginning and end, whatever its own path holds.
    (r"((period/.+)/(?:beginning|end))", "$2"),
)


def _one_pattern(rules: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[int, tuple[str, int, int]]]:
    """The rules as one pattern, each rule's pattern a group of it, tried in turn as the rules are; and, by the
    number of each rule's group, the path of its page (``$n`` as ``{n}``) and where its own groups are."""
    rules_found: dict[int, tuple[str, int, int]] = {}
    group = 1
    for pattern, page in rules:
        count = re.compile(pattern).groups
        rules_found[group] = (re.sub(r"\$(\d)", r"{\1}", page), group + 1, group + 1 + count)
        group += 1 + count
    return re.compile("|".join(f"({pattern})" for pattern, _page in rules)), rules_found


_SECTIONS, _SECTION_RULE_AT = _one_pattern(SECTION_RULES)


def section_of(path: str) -> tuple[str, str | None]:
    """The page showing the data resource at ``path`` (an IRI minus the base) and the anchor of its section there,
    or ``(path, None)`` for a resource with a page of its own. One match of the rules made one pattern: the site's
    model finds the page of each of a national year's 200,000 subjects, and was made in 0.931 s against 1.002 with a
    match per rule (21 alternating runs)."""
    match = _SECTIONS.fullmatch(path)
    if match is None:
        return path, None
    rule = match.lastindex  # the group of the rule that matched: it closes last
    assert rule is not None  # each rule is a group
    page, first, end = _SECTION_RULE_AT[rule]
    groups = match.groups()[first - 1 : end - 1]
    return page.format(None, *groups), groups[0]  # "{2}" is the rule's group 2; its group 1 is the anchor


# -- which description a client gets ---------------------------------------------------------------------------
#
# One rule, written once here and applied by ``civicgraph serve`` (:func:`description_suffix`) and by Apache (the
# rules :func:`htaccess` writes), so both answer alike:
#
# * Each media type the Accept header names gets its q-value, to one decimal (``q=0.85`` counts as 0.8; no q is 1).
#   The format with the highest q among those offered below is chosen; at equal q the first in the list wins.
#   Wildcards (``*/*``, ``text/*``) choose nothing, and a type named with ``q=0`` is never chosen; when no offered
#   type is named with a q above 0, the answer is the HTML page. So there is never a 406 for a resource: a browser,
#   curl (``*/*``) and a client asking for something else all get the page.
# * The page is English when the Accept-Language header gives ``en`` (or ``en-GB``, …) a higher q than ``pl``
#   (same one-decimal rule; wildcards ignored), otherwise Polish.
# * Every answer is a 303 See Other with ``Vary: Accept, Accept-Language``, also for an IRI nothing describes: the
#   303 then leads to a 404 (Apache cannot tell whether a page exists without knowing where its files lie on disk).
#
# One decimal keeps the Apache rules a finite list of regular expressions: mod_rewrite cannot compare numbers.

DESCRIPTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("text/html", "application/xhtml+xml"), ".html"),
    (("text/turtle",), ".ttl"),
    (("application/ld+json",), ".jsonld"),
    (("application/n-triples",), ".nt"),
    (("application/rdf+xml",), ".rdf"),
)
_TENTHS = range(10, 0, -1)  # q = 1.0, 0.9, ..., 0.1, as tenths


def _tenths(parameters: list[str]) -> int:
    """The q-value of a header element in tenths, rounded down (no q: 10; unreadable: 0)."""
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            match = re.fullmatch(r"\s*(?:(1)(?:\.0{0,3})?|0(?:\.(\d)\d{0,2})?)\s*", value)
            if match is None:
                return 0
            return 10 if match.group(1) else int(match.group(2) or 0)
    return 10


def _named(header: str | None) -> dict[str, int]:
    """Each token the header names (lower-cased), with its highest q in tenths."""
    named: dict[str, int] = {}
    for element in (header or "").split(","):
        token, *parameters = element.split(";")
        token = token.strip().lower()
        if token:
            named[token] = max(named.get(token, 0), _tenths(parameters))
    return named


def description_suffix(accept: str | None) -> str:
    """The suffix of the description to send for this Accept header: ``.html``, ``.ttl``, ``.jsonld``, ``.nt``
    or ``.rdf``."""
    named = _named(accept)
    best, chosen = 0, ".html"
    for types, suffix in DESCRIPTIONS:
        quality = max(named.get(media, 0) for media in types)
        if quality > best:
            best, chosen = quality, suffix
    return chosen


def page_suffix(accept_language: str | None) -> str:
    """``.en.html`` when the Accept-Language header ranks English above Polish, else ``.html``."""

    def quality(language: str) -> int:
        named = _named(accept_language)
        return max((q for tag, q in named.items() if tag == language or tag.startswith(language + "-")), default=0)

    return ".en.html" if quality("en") > quality("pl") else ".html"


def _element(tokens: tuple[str, ...], tenths: int, prefix_tags: bool = False) -> str:
    """A regular expression matching a header that names one of ``tokens`` with a q of exactly ``tenths``."""
    names = "|".join(re.escape(token) + (r"(?:-[^,;\s]*)?" if prefix_tags else "") for token in tokens)
    others = r"(?:\s*;\s*(?!q=)[^;,]*)*"  # parameters other than q (e.g. charset)
    quality = r"(?:\s*;\s*q=1(?:\.0{0,3})?)?" if tenths == 10 else rf"\s*;\s*q=0\.{tenths}\d{{0,2}}"
    return rf"(?:^|,)\s*(?:{names}){others}{quality}\s*(?:,|$)"


def _htaccess_choice() -> list[str]:
    """Rules setting CG_SUFFIX (the description's suffix) and CG_PAGE (the page's language suffix) once per
    request, in the order :func:`description_suffix` and :func:`page_suffix` decide."""
    lines = [
        "# Which description: the offered type with the highest q (to one decimal; ties in this order), else the page.",
    ]
    for tenths in _TENTHS:
        for types, suffix in DESCRIPTIONS:
            lines += [
                "RewriteCond %{ENV:CG_SUFFIX} ^$",
                f"RewriteCond %{{HTTP:Accept}} {_element(types, tenths)} [NC]",
                f"RewriteRule ^ - [E=CG_SUFFIX:{suffix}]",
            ]
    lines += ["RewriteCond %{ENV:CG_SUFFIX} ^$", "RewriteRule ^ - [E=CG_SUFFIX:.html]", ""]
    lines.append("# Which language: English when Accept-Language gives en a higher q than pl, else Polish.")
    for tenths in _TENTHS:
        for language, suffix in (("pl", ".html"), ("en", ".en.html")):
            lines += [
                "RewriteCond %{ENV:CG_PAGE} ^$",
                f"RewriteCond %{{HTTP:Accept-Language}} {_element((language,), tenths, prefix_tags=True)} [NC]",
                f"RewriteRule ^ - [E=CG_PAGE:{suffix}]",
            ]
    lines += ["RewriteCond %{ENV:CG_PAGE} ^$", "RewriteRule ^ - [E=CG_PAGE:.html]"]
    return lines


# What the namespaces under the publishing address are answered with: (name, IRI, page), "{}" the IRI's rest.
def _namespaces(base: str) -> list[tuple[str, str, str]]:
    return [
        ("data", base, "{}"),
        ("ontology", ONTOLOGY_IRI, "ontology"),
        ("concept schemes", CGV, "vocab/index"),
        ("vocabularies", CGV, "vocab/{}"),
        ("shapes", SHAPES_IRI, "shapes"),
    ]


def htaccess(settings: Settings) -> str:
    """Apache rules answering the IRIs with a 303 to the page (and section), or the RDF the client asks for:
    first the data IRIs shown as sections (:data:`SECTION_RULES`), then every IRI with a page of its own."""
    publish_url, base = settings.publish_url, settings.base_iri
    site_url = f"{publish_url}{SITE_DIR}/"
    lines = [
        "# civicgraph: content negotiation for the IRIs of the data, its ontology, concept schemes and shapes.",
        f"# Put this file in the folder served at {publish_url} (mod_rewrite enabled, AllowOverride FileInfo); each",
        "# IRI is answered with 303 See Other to its description: Turtle, JSON-LD, N-Triples or RDF/XML when the",
        "# Accept header prefers them, otherwise the HTML page (English when the browser prefers English), at the",
        "# resource's section. `civicgraph serve` answers alike (docs/publishing.md).",
        "",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddType application/rdf+xml .rdf",
        "AddType text/csv .csv",
        "# Declared here too, for a server without a MIME table: dane.gov.pl refuses its harvester file unless it is",
        "# served as application/xml or text/xml, and browsers run the search's script only when served as script.",
        "AddType application/xml .xml",
        "AddType text/html .html",
        "AddType application/json .json",
        "AddType text/javascript .js",
        "AddType text/plain .md5",
        "AddCharset UTF-8 .ttl .jsonld .nt .rdf .csv .html .json .xml .js",
        "# The tables' CSV on the Web metadata, typed as the catalogue lists it (W3C, Metadata Vocabulary for Tabular",
        "# Data: application/csvm+json), not as any JSON.",
        '<Files "csv-metadata.json">',
        '  ForceType "application/csvm+json; charset=utf-8"',
        "</Files>",
        "",
        "RewriteEngine On",
        "",
        *_htaccess_choice(),
        "",
        "# Caches must keep one answer per Accept and Accept-Language (mod_headers; mod_rewrite adds what it read).",
        "<IfModule mod_headers.c>",
        '  Header always merge Vary "Accept, Accept-Language" "expr=%{REQUEST_STATUS} == 303"',
        "</IfModule>",
    ]
    for what, iri, target in _namespaces(base):
        arriving = _arriving_under(iri, publish_url)
        if arriving is None:
            lines += ["", f"# The {what} IRIs ({iri}) are not under {publish_url}: redirect them on their own server."]
            continue
        if arriving != publish_url:
            lines += [
                "",
                f"# {iri}… arrive here through w3id.org's redirect of {arriving}{{path}} to {publish_url}{{path}}.",
            ]
        prefix = "^" + urlsplit(iri).path[len(urlsplit(arriving).path) :]
        if what == "data":
            lines += ["", f"# data shown as a section of another resource's page: {iri}…"]
            for pattern, page in SECTION_RULES:
                lines += _rules(f"{prefix}{pattern}$", f"{site_url}{page}", "#$1")
        pattern = f"{prefix}(.+)$" if "{}" in target else f"{prefix}$"
        lines += ["", f"# {what}: {iri}…", *_rules(pattern, f"{site_url}{target.format('$1')}", "")]
    return "\n".join(lines) + "\n"


def _arriving_under(iri: str, publish_url: str) -> str | None:
    """The address whose paths reach this folder that ``iri`` is under: ``publish_url``, or the project's w3id.org
    namespace, whose redirect keeps the path; None for an IRI under neither (its own server must answer it)."""
    for root in (publish_url, W3ID_NAMESPACE):
        if iri.startswith(root):
            return root
    return None


def _rules(pattern: str, page: str, anchor: str) -> list[str]:
    """The two rewrite rules of one IRI pattern: the page (``NE``: keep the ``#``), or the RDF asked for."""
    return [
        "RewriteCond %{ENV:CG_SUFFIX} ^\\.html$",
        f"RewriteRule {pattern} {page}%{{ENV:CG_PAGE}}{anchor} [R=303,NE,L]",
        f"RewriteRule {pattern} {page}%{{ENV:CG_SUFFIX}} [R=303,L]",
    ]
