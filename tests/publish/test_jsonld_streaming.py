"""Every JSON-LD file of a release, read by a JSON-LD 1.1 processor of another ecosystem: jsonld-streaming-parser
(RDF/JS, the parser Comunica reads JSON-LD with), in its strict mode and as the W3C's streaming document form
(every node's @type before its other keys), through tests/jsonld/jsonld2nt.mjs.

Each file must give, without an error, the triples its N-Triples (or Turtle) twin gives, as rdflib reads that.
Node.js and the parser, at tests/jsonld/package-lock.json's versions, are installed by .ci/run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from civicgraph.publish.site.documents import value_first

from ..conftest import ROOT

JSONLD = ROOT / "tests" / "jsonld"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (JSONLD / "node_modules" / "jsonld-streaming-parser").is_dir(),
    reason="Node.js or jsonld-streaming-parser is not installed; .ci/run installs them (npm ci --prefix tests/jsonld)",
)


def _read(files: list[Path]) -> dict[str, dict[str, str]]:
    """Each file's N-Triples as the processor reads it, or its error."""
    command = ["node", str(JSONLD / "jsonld2nt.mjs"), *map(str, files)]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    found: dict[str, dict[str, str]] = json.loads(ran.stdout)
    return found


def _twin(path: Path) -> Path | None:
    """The file that says the same in N-Triples, else in Turtle (the catalogue at the release's root)."""
    for suffix in (".nt", ".ttl"):
        if path.with_suffix(suffix).is_file():
            return path.with_suffix(suffix)
    return None


def test_every_json_ld_file_gives_the_triples_of_its_twin(dist: Path) -> None:
    files = sorted(dist.rglob("*.jsonld"))
    read = _read(files)
    assert {name: result["error"] for name, result in read.items() if "error" in result} == {}
    contexts = [path for path in files if path.name == "context.jsonld"]
    assert contexts and all(read[str(path)]["triples"] == "" for path in contexts)  # a context states nothing
    for path in sorted(set(files) - set(contexts)):
        twin = _twin(path)
        assert twin is not None, f"{path} has no N-Triples or Turtle twin to compare with"
        stated = Graph().parse(data=read[str(path)]["triples"], format="nt")
        assert isomorphic(stated, Graph().parse(twin)), path
    # among them the graph, the catalogue, a page's data and the shapes (whose literals carry languages)
    assert {dist / "graph.jsonld", dist / "catalog.jsonld", dist / "site" / "shapes.jsonld"} <= set(files)


def test_a_value_object_with_its_language_first_is_refused_and_given_value_first(tmp_path: Path) -> None:
    """Why the shapes' JSON-LD gives @value first: the parser refuses Oxigraph's order, and reads the other."""
    document = [{"@id": "https://example.org/a", "https://schema.org/name": [{"@language": "pl", "@value": "Poznań"}]}]
    as_written, reordered = tmp_path / "as-written.jsonld", tmp_path / "reordered.jsonld"
    as_written.write_text(json.dumps(document), encoding="utf-8")
    reordered.write_text(json.dumps(value_first(document), ensure_ascii=False), encoding="utf-8")
    read = _read([as_written, reordered])
    assert read[str(as_written)] == {"error": "Unknown keyword '@language' with value 'pl'"}
    assert read[str(reordered)] == {"triples": '<https://example.org/a> <https://schema.org/name> "Poznań"@pl .\n'}


def test_a_node_with_its_id_before_its_types_is_refused_as_a_streaming_document(tmp_path: Path) -> None:
    """Why every node gives its types first: read as it streams, the parser refuses a type after another key (a type
    may bring a context of its own, which would change what the keys before it meant), and reads the other order."""
    node = {"@id": "https://example.org/a", "@type": "https://schema.org/City", "https://schema.org/name": "Poznań"}
    id_first, types_first = tmp_path / "id-first.jsonld", tmp_path / "types-first.jsonld"
    id_first.write_text(json.dumps(node), encoding="utf-8")
    types_first.write_text(json.dumps({"@type": node.pop("@type"), **node}, ensure_ascii=False), encoding="utf-8")
    read = _read([id_first, types_first])
    assert read[str(id_first)] == {
        "error": "Found an out-of-order type-scoped context, while streaming is enabled.(disable `streamingProfile`)"
    }
    assert sorted(read[str(types_first)]["triples"].splitlines()) == [
        "<https://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/City> .",
        '<https://example.org/a> <https://schema.org/name> "Poznań" .',
    ]
