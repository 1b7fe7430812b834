// CSV on the Web → RDF with a real CSVW processor (rdf-parser-csvw), the published metadata file as it is.
//
//   node csv2rdf.mjs FOLDER/csv-metadata.json CSVW-CONTEXT.jsonld  >  triples.nt
//
// The metadata is read as the JSON-LD it is, its "http://www.w3.org/ns/csvw" context served from the local copy
// given (nothing is fetched). rdf-parser-csvw converts one table per run, so each table of the group is given to
// it with the group's dialect. Its output is standard mode (csvw:TableGroup, csvw:Row, … about blank nodes);
// minimal mode is the triples the cells make, which in civicgraph's tables all have an IRI subject (every table
// has an aboutUrl): those are printed, one N-Triples line each.
import { createReadStream, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import datasetFactory from '@rdfjs/dataset'
import { JsonLdParser } from 'jsonld-streaming-parser'
import { Writer } from 'n3'
import CsvwParser from 'rdf-parser-csvw'

const CSVW_CONTEXT = 'http://www.w3.org/ns/csvw'

const [metadataFile, contextFile] = process.argv.slice(2)
const context = templatesAsStrings(JSON.parse(readFileSync(contextFile, 'utf8')))
const group = JSON.parse(readFileSync(metadataFile, 'utf8'))

// aboutUrl, propertyUrl and valueUrl are URI templates: strings, expanded per row and only then resolved against
// the table's URL (CSVW metadata 5.1.3). The CSVW context declares them "@type": "@id", so a JSON-LD processor
// would resolve a template such as "{+membership}" as a relative IRI, or drop it for its braces, before
// rdf-parser-csvw sees it; read as the strings they are, they reach it intact.
function templatesAsStrings (document) {
  for (const term of ['aboutUrl', 'propertyUrl', 'valueUrl']) {
    document['@context'][term] = { '@id': `csvw:${term}`, '@language': null }
  }
  return document
}

// Only the CSVW context may be loaded, and only from the local copy.
const documentLoader = {
  async load (url) {
    if (url === CSVW_CONTEXT || url === CSVW_CONTEXT + '.jsonld') {
      return context
    }
    throw new Error(`refusing to fetch ${url}`)
  }
}

async function metadataDataset (document, base) {
  const parser = new JsonLdParser({ baseIRI: base, documentLoader })
  const dataset = datasetFactory.dataset()
  await new Promise((resolve, reject) => {
    parser.on('data', quad => dataset.add(quad))
    parser.on('error', reject)
    parser.on('end', resolve)
    parser.end(JSON.stringify(document))
  })
  return dataset
}

async function tableTriples (table) {
  const document = { '@context': group['@context'], dialect: group.dialect, ...table }
  const csvFile = join(dirname(metadataFile), table.url)
  const base = pathToFileURL(csvFile).href
  const metadata = await metadataDataset(document, base)
  const output = new CsvwParser({ metadata, baseIRI: base }).import(createReadStream(csvFile))
  const quads = []
  for await (const quad of output) {
    if (quad.subject.termType === 'NamedNode') {
      quads.push(quad)
    }
  }
  return quads
}

// Each table's triples written as it is converted: a national year's tables make some 600,000, which neither one
// spread into a push (beyond the call stack's arguments) nor one string of them all would hold.
const writer = new Writer({ format: 'N-Triples' })
for (const table of group.tables) {
  process.stdout.write(writer.quadsToString(await tableTriples(table)))
}
