// JSON-LD → N-Triples with a JSON-LD 1.1 processor of another ecosystem (jsonld-streaming-parser, RDF/JS), to
// check the published JSON-LD against what the same files say in N-Triples.
//
//   node jsonld2nt.mjs FILE.jsonld...  >  result.json
//
// Prints a JSON object: each file's N-Triples (one line per triple, blank nodes as the processor labels them), or
// the processor's error. Values that are not valid (an IRI, a language tag, a datatype) are errors, not dropped
// (strictValues), no document is fetched (every context of a published file is embedded in it), and each file is
// read as the W3C's streaming document form (streamingProfile: a node's @context, then its @type, before its other
// keys), so that the parser emits each node's triples as it reads them: a file in any other order is an error.
import { createReadStream } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { JsonLdParser } from 'jsonld-streaming-parser'
import { Writer } from 'n3'

const documentLoader = {
  async load (url) {
    throw new Error(`a remote context was asked for: ${url}`)
  }
}

function triplesOf (file) {
  return new Promise((resolve, reject) => {
    const parser = new JsonLdParser({
      baseIRI: pathToFileURL(file).href,
      documentLoader,
      processingMode: '1.1',
      strictValues: true,
      streamingProfile: true
    })
    const writer = new Writer({ format: 'N-Triples' })
    parser.on('data', (quad) => writer.addQuad(quad))
    parser.on('error', reject)
    parser.on('end', () => writer.end((error, text) => (error ? reject(error) : resolve(text))))
    createReadStream(file).on('error', reject).pipe(parser)
  })
}

const results = {}
for (const file of process.argv.slice(2)) {
  try {
    results[file] = { triples: await triplesOf(file) }
  } catch (error) {
    results[file] = { error: String(error.message || error) }
  }
}
process.stdout.write(JSON.stringify(results))
