"""Which Polish lemmatiser and which sentence splitter the drafter and the source reader use, measured on the
report texts (Poznań 2023 and the development set of tests/fixtures/draft/dev/).

    .venv/bin/pip install simplemma spacy-lookups-data lemmagen3 pystempel sentencex pysbd   # the alternatives
    .venv/bin/python benchmarks/language_choices.py

Lemmatisers, each in a fresh process (their start-up is part of what a `civicgraph draft` run pays):
- lemma accuracy on a list of word forms of the texts with their dictionary forms, written by hand from Polish
  grammar (for a lemmatiser that gives several readings: whether the right one is among them);
- names: each way the texts print an organisation's name, matched against the recorded names of
  data/organisations.yaml and tests/fixtures/draft/dev/organisations.yaml by the same matcher
  (civicgraph.language.names, strict mode: words equal or sharing a lemma) with each lemmatiser: right, wrong
  (another organisation) and missed (none);
- start-up (import and the first word) and the median time per word over every word of the texts;
- the size of the installed package.

Sentence splitters: how many quotes of the curated and gold annotations (each a passage within one sentence)
a sentence boundary cuts.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    ROOT / "data/reports/3064011/2023/source.txt",
    *sorted((ROOT / "tests/fixtures/draft/dev").glob("*/source.txt")),
]
REGISTRIES = [ROOT / "data/organisations.yaml", ROOT / "tests/fixtures/draft/dev/organisations.yaml"]

# Word forms of the texts and their dictionary forms (lemma), from Polish grammar.
LEMMAS = [
    ("Stowarzyszeniem", "stowarzyszenie"),
    ("Stowarzyszenia", "stowarzyszenie"),
    ("Stowarzyszeniu", "stowarzyszenie"),
    ("Związku", "związek"),
    ("Związkowi", "związek"),
    ("Celowym", "celowy"),
    ("Unii", "unia"),
    ("Unią", "unia"),
    ("Metropolii", "metropolia"),
    ("Polskich", "polski"),
    ("Miast", "miasto"),
    ("Miastu", "miasto"),
    ("Poznaniowi", "poznań"),
    ("Poznania", "poznań"),
    ("Poznańskiej", "poznański"),
    ("Kolei", "kolej"),
    ("Metropolitalnej", "metropolitalny"),
    ("Gmin", "gmina"),
    ("Gminą", "gmina"),
    ("Gminy", "gmina"),
    ("Powiatów", "powiat"),
    ("Wiejskich", "wiejski"),
    ("Lokalnej", "lokalny"),
    ("Lokalną", "lokalny"),
    ("Grupy", "grupa"),
    ("Grupą", "grupa"),
    ("Działania", "działanie"),
    ("Klastrze", "klaster"),
    ("Zgromadzeniu", "zgromadzenie"),
    ("Regionów", "region"),
    ("Konferencją", "konferencja"),
    ("Peryferyjnych", "peryferyjny"),
    ("Morskich", "morski"),
    ("Fundacji", "fundacja"),
    ("Wspierania", "wspieranie"),
    ("Szkolnictwa", "szkolnictwo"),
    ("Zawodowego", "zawodowy"),
    ("Bałtyckich", "bałtycki"),
    ("Zdrowych", "zdrowy"),
    ("Województw", "województwo"),
    ("Rzeczypospolitej", "rzeczpospolita"),
    ("Turystycznych", "turystyczny"),
    ("Pojezierza", "pojezierze"),
    ("Powiatu", "powiat"),
    ("Województwa", "województwo"),
    ("projektów", "projekt"),
    ("samorządów", "samorząd"),
    ("powiatów", "powiat"),
    ("gmin", "gmina"),
    ("uczniów", "uczeń"),
    ("szkoleń", "szkolenie"),
    ("szkoleniach", "szkolenie"),
    ("szkolenia", "szkolenie"),
    ("uczestników", "uczestnik"),
    ("osoby", "osoba"),
    ("osób", "osoba"),
    ("lat", "rok"),
    ("organizacji", "organizacja"),
    ("organizacjach", "organizacja"),
    ("poradniki", "poradnik"),
    ("pracowników", "pracownik"),
    ("mieszkańców", "mieszkaniec"),
    ("delegatów", "delegat"),
    ("rowerzystów", "rowerzysta"),
    ("pasażerów", "pasażer"),
    ("gości", "gość"),
    ("studentów", "student"),
    ("urzędników", "urzędnik"),
    ("biegaczy", "biegacz"),
    ("warsztatów", "warsztat"),
    ("komisji", "komisja"),
    ("posiedzeniach", "posiedzenie"),
    ("nabory", "nabór"),
    ("podmiotów", "podmiot"),
    ("operacji", "operacja"),
    ("ton", "tona"),
    ("opinii", "opinia"),
    ("analizy", "analiza"),
    ("podwórek", "podwórko"),
    ("instalacje", "instalacja"),
    ("egzemplarzy", "egzemplarz"),
    ("liniach", "linia"),
    ("dniach", "dzień"),
    ("instytucji", "instytucja"),
    ("krajów", "kraj"),
    ("grupach", "grupa"),
    ("stowarzyszeń", "stowarzyszenie"),
    ("dwóch", "dwa"),
    ("tys.", "tysiąc"),
    ("mln", "milion"),
    ("mld", "miliard"),
    ("zł", "złoty"),
]

# How the texts print the names of organisations, and which organisation each is (None: not recorded anywhere,
# so any match is wrong). Each is matched as a whole, as the source reader matches a membership's quote.
MENTIONS = [
    ("Związek Miast Polskich", "zmp"),
    ("Związku Miast Polskich", "zmp"),
    ("ZMP", "zmp"),
    ("Unii Metropolii Polskich", "ump"),
    ("Unią Metropolii Polskich", "ump"),
    ("UMP", "ump"),
    ("Stowarzyszeniem Metropolia Poznań", "metropolia-poznan"),
    ("Metropolii Poznań", "metropolia-poznan"),
    ("Stowarzyszenia Metropolia Poznań", "metropolia-poznan"),
    ("Stowarzyszenie Zdrowych Miast Polskich", "szmp"),
    ("Stowarzyszenia Zdrowych Miast Polskich", "szmp"),
    ("Stowarzyszeniu Zdrowych Miast Polskich", "szmp"),
    ("Stowarzyszeniu Gmin i Powiatów Pojezierza", "sgipp"),
    ("Stowarzyszeniem Gmin i Powiatów Pojezierza", "sgipp"),
    ("Stowarzyszenia Gmin i Powiatów Pojezierza", "sgipp"),
    ("Związku Powiatów Polskich", "zpp"),
    ("Lokalnej Grupy Działania „Puszcza Borowiecka”", "lgd-puszcza-borowiecka"),
    ("Lokalną Grupą Działania „Puszcza Borowiecka”", "lgd-puszcza-borowiecka"),
    ("Zgromadzeniu Regionów Europy", "aer"),
    ("Konferencją Peryferyjnych Regionów Morskich", "cpmr"),
    ("Związku Miast Bałtyckich", "ubc"),
    ("Union of the Baltic Cities", "ubc"),
    ("Energy Cities", "energy-cities"),
    ("Eurocities", "eurocities"),
    ("EUROCITIES", "eurocities"),
    ("Climate Alliance", "climate-alliance"),
    ("Związek Województw Rzeczypospolitej Polskiej", "zwrp"),
    ("Związek Gmin Wiejskich Rzeczypospolitej Polskiej", "zgwrp"),
    ("Klaster Turystyczny „Szlak Piastowski w Wielkopolsce”", "szlak-piastowski"),
    ("Związek Stowarzyszeń Wielkopolski Bank Żywności", "bank-zywnosci"),
    ("Celowym Związku Gmin „Czysty Pojezierz”", None),
    ("Fundacji Wspierania Szkolnictwa Zawodowego", None),
    ("Stowarzyszenia Gmin Turystycznych Pojezierza", None),
    ("Związek Gmin Podgórza", None),
    ("Fundacji Rozwoju Demokracji Lokalnej", None),
    ("Klastrze Energii „Zielony Pojezierz”", None),
]


def lemmatiser(name: str) -> Callable[[str], frozenset[str]]:
    """The lemmas of a word according to one lemmatiser, with the word itself case-folded."""
    if name == "morfeusz2":
        from civicgraph.language.lemmas import lemmas

        return lambda word: lemmas.__wrapped__(word)  # type: ignore[attr-defined]
    if name == "simplemma":
        import simplemma

        return lambda word: frozenset({word.casefold(), simplemma.lemmatize(word, lang="pl").casefold()})
    if name == "spacy-lookups-data":
        import spacy_lookups_data

        folder = Path(spacy_lookups_data.__file__).parent / "data"
        tables = [
            json.loads(gzip.decompress(path.read_bytes())) for path in sorted(folder.glob("pl_lemma_lookup_*.json.gz"))
        ]
        return lambda word: frozenset(
            {word.casefold()} | {t[w].casefold() for t in tables for w in (word, word.casefold()) if w in t}
        )
    if name == "lemmagen3":
        from lemmagen3 import Lemmatizer

        lemmatizer = Lemmatizer("pl")
        return lambda word: frozenset({word.casefold(), lemmatizer.lemmatize(word).casefold()})
    if name == "pystempel":
        os.environ["TQDM_DISABLE"] = "1"
        from pystempel import Stemmer

        stemmer = Stemmer.polimorf()
        return lambda word: frozenset({word.casefold(), (stemmer(word) or word).casefold()})
    if name == "none":
        return lambda word: frozenset({word.casefold()})
    raise ValueError(name)


PACKAGES = {"morfeusz2": "morfeusz2", "simplemma": "simplemma", "spacy-lookups-data": "spacy-lookups-data"}
PACKAGES |= {"lemmagen3": "lemmagen3", "pystempel": "pystempel"}
STEMMERS = {"pystempel", "none"}  # give stems or nothing, not lemmas: no lemma accuracy


def measure_one(name: str) -> dict[str, object]:
    from civicgraph.language.names import NameIndex
    from civicgraph.language.text import tokens

    started = time.perf_counter()
    lemmatise = lemmatiser(name)
    lemmatise("Stowarzyszeniem")
    startup = time.perf_counter() - started
    words = [t.text for path in TEXTS for t in tokens(path.read_text(encoding="utf-8")) if t.is_word]
    per_word = []
    for word in words:
        begin = time.perf_counter()
        lemmatise(word)
        per_word.append(time.perf_counter() - begin)
    right_lemmas = sum(1 for form, lemma in LEMMAS if lemma in lemmatise(form))
    entries = []
    for registry in REGISTRIES:
        for key, entry in yaml.safe_load(registry.read_text(encoding="utf-8")).items():
            entries.append((key, entry["name"]["pl"], "name"))
            if entry["name"].get("en"):
                entries.append((key, entry["name"]["en"], "english"))
            if entry.get("abbreviation"):
                entries.append((key, entry["abbreviation"], "abbreviation"))
            entries += [(key, v["name"], "variant") for v in entry.get("variants") or []]
    index = NameIndex(entries, lemmatise)
    right = wrong = missed = 0
    for printed, key in MENTIONS:
        whole = len(printed.rstrip("”"))
        found = [m for m in index.find(printed, strict=True) if m.span.start == 0 and m.span.end >= whole]
        keys = {m.key for m in found}
        if key is None:
            right += not keys
            wrong += bool(keys)
        elif keys == {key}:
            right += 1
        elif keys:
            wrong += 1
        else:
            missed += 1
    try:
        files = metadata.files(PACKAGES[name]) or [] if name in PACKAGES else []
        size = sum(f.size or 0 for f in files) / 2**20
    except metadata.PackageNotFoundError:
        size = 0.0
    return {
        "name": name,
        "version": metadata.version(PACKAGES[name]) if name in PACKAGES else "",
        "lemmas": None if name in STEMMERS else right_lemmas,
        "right": right,
        "wrong": wrong,
        "missed": missed,
        "startup": startup,
        "per_word_us": statistics.median(per_word) * 1e6,
        "size_mb": size,
    }


def sentence_cuts() -> dict[str, int]:
    """Quotes of the curated and gold annotations that a sentence boundary cuts, per splitter."""
    from civicgraph.language.text import Span, sentences
    from civicgraph.source.evidence import locate

    splitters: dict[str, Callable[[str], list[Span]]] = {"civicgraph.language.text": sentences}
    try:
        from sentencex import segment

        splitters["sentencex " + metadata.version("sentencex")] = lambda text: _spans(text, segment("pl", text))
    except ImportError:
        pass
    try:
        import pysbd

        segmenter = pysbd.Segmenter(language="pl", clean=False, char_span=True)
        splitters["pysbd " + metadata.version("pysbd")] = lambda text: [
            Span(s.start, s.end) for s in segmenter.segment(text)
        ]
    except ImportError:
        pass
    quotes = _annotated_quotes()
    cuts = {}
    for name, split in splitters.items():
        cut = 0
        for path, passages in quotes.items():
            text = path.read_text(encoding="utf-8")
            boundaries = {s.end for s in split(text)}
            for quote in passages:
                where = locate(text, quote)
                cut += any(where.start < b < where.end and text[b - 1 : b] != "\n" for b in boundaries)
        cuts[name] = cut
    cuts["(quotes)"] = sum(len(q) for q in quotes.values())
    return cuts


def _spans(text: str, pieces: object) -> list[object]:
    from civicgraph.language.text import Span

    spans, at = [], 0
    for piece in pieces:  # type: ignore[attr-defined]
        start = text.find(piece.strip(), at) if piece.strip() else at
        spans.append(Span(start, start + len(piece.strip())))
        at = start + len(piece.strip())
    return spans


def _annotated_quotes() -> dict[Path, list[str]]:
    """Every quote of Poznań's report.yaml and of the gold files, by their text file."""
    found: dict[Path, list[str]] = {}

    def walk(node: object, into: list[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "quote" and isinstance(value, str):
                    into.append(value)
                elif key == "quotes" and isinstance(value, list):
                    into.extend(v for v in value if isinstance(v, str))
                else:
                    walk(value, into)
        elif isinstance(node, list):
            for item in node:
                walk(item, into)

    for path in TEXTS:
        annotation = path.parent / ("report.yaml" if (path.parent / "report.yaml").exists() else "gold.yaml")
        quotes: list[str] = []
        walk(yaml.safe_load(annotation.read_text(encoding="utf-8")), quotes)
        found[path] = [q for q in quotes if len(q) > 40]  # longer passages: whole clauses and sentences
    return found


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure_one(sys.argv[2])))
        return
    rows = []
    for name in ("morfeusz2", "simplemma", "spacy-lookups-data", "lemmagen3", "pystempel", "none"):
        run = subprocess.run(
            [sys.executable, __file__, "--one", name],
            capture_output=True,
            text=True,
            env=os.environ | {"TQDM_DISABLE": "1"},
        )
        if run.returncode != 0:
            print(f"{name}: not measured ({run.stderr.strip().splitlines()[-1] if run.stderr.strip() else 'failed'})")
            continue
        rows.append(json.loads(run.stdout))
    print(f"\nLemmatisers on {len(TEXTS)} texts: {len(LEMMAS)} word forms, {len(MENTIONS)} printed names\n")
    print("| lemmatiser | version | lemmas right | names right | wrong | missed | start-up s | µs/word (median) | MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        lemmas = "—" if r["lemmas"] is None else f"{r['lemmas']}/{len(LEMMAS)}"
        print(
            f"| {r['name']} | {r['version']} | {lemmas} | {r['right']}/{len(MENTIONS)} | {r['wrong']} | {r['missed']} |"
            f" {r['startup']:.2f} | {r['per_word_us']:.1f} | {r['size_mb']:.0f} |"
        )
    cuts = sentence_cuts()
    total = cuts.pop("(quotes)")
    print(f"\nSentence splitters: annotated quotes (longer than 40 characters, {total}) cut by a sentence boundary\n")
    print("| splitter | quotes cut |")
    print("|---|---:|")
    for name, cut in cuts.items():
        print(f"| {name} | {cut} |")


if __name__ == "__main__":
    main()
