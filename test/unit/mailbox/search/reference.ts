import type { SearchDoc } from '../../../../src/mailbox/search/engine.js'
import type {
  SearchAtom,
  SearchFilters,
  SearchQuery,
  TermField,
} from '../../../../src/mailbox/search/query.js'
import { addressTokens, tokenize } from '../../../../src/mailbox/search/tokenize.js'

/**
 * The search semantics written as plainly as possible, for checking the engine against: loops over
 * documents and their tokens, straight from the summary in query.ts. A phrase must lie inside one
 * value (the subject, the body, one attachment name, one address entry). No prefix cap: corpora
 * checked with this have few enough terms per prefix for the engine's cap not to apply.
 */

/** Every value of `field` in `doc`, each as its token list. */
export function fieldValues(doc: SearchDoc, field: TermField): string[][] {
  const address = (entries: SearchDoc['from']) =>
    entries.map((entry) => addressTokens(entry.name, entry.address))
  switch (field) {
    case 'subject':
      return [tokenize(doc.subject)]
    case 'filename':
      return doc.filenames.map((name) => tokenize(name))
    case 'from':
      return address(doc.from)
    case 'to':
      return address([...doc.to, ...doc.cc, ...doc.bcc])
    case 'cc':
      return address(doc.cc)
    case 'bcc':
      return address(doc.bcc)
    case 'any':
      return [
        tokenize(doc.subject),
        tokenize(doc.body),
        ...doc.filenames.map((name) => tokenize(name)),
        ...[...doc.from, ...doc.to, ...doc.cc, ...doc.bcc].map((entry) =>
          tokenize(`${entry.name} ${entry.address}`),
        ),
      ]
  }
}

function atomMatches(doc: SearchDoc, atom: SearchAtom): boolean {
  const values = fieldValues(doc, atom.field)
  const tokens = atom.kind === 'term' ? [atom.text] : [...atom.tokens]
  const fits = (token: string | undefined, wanted: string, last: boolean) =>
    token !== undefined && (last && atom.prefix ? token.startsWith(wanted) : token === wanted)
  return values.some((value) => {
    for (let start = 0; start + tokens.length <= value.length; start++) {
      if (tokens.every((wanted, i) => fits(value[start + i], wanted, i === tokens.length - 1))) {
        return true
      }
    }
    return false
  })
}

function filtersHold(doc: SearchDoc, filters: SearchFilters): boolean {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  const hasLabel = (name: string) => doc.labels.some((label) => same(label, name))
  return (
    (filters.seen === undefined || doc.seen === filters.seen) &&
    (filters.flagged === undefined || doc.flagged === filters.flagged) &&
    (filters.answered === undefined || doc.answered === filters.answered) &&
    (filters.hasAttachments === undefined || doc.hasAttachments === filters.hasAttachments) &&
    (filters.folder === undefined || same(doc.folder, filters.folder)) &&
    !filters.excludeFolders.some((name) => same(doc.folder, name)) &&
    filters.labels.every(hasLabel) &&
    !filters.excludeLabels.some(hasLabel) &&
    (filters.dateFrom === undefined || doc.date >= filters.dateFrom) &&
    (filters.dateBefore === undefined || doc.date < filters.dateBefore) &&
    (filters.sizeMin === undefined || doc.size >= filters.sizeMin) &&
    (filters.sizeMax === undefined || doc.size <= filters.sizeMax)
  )
}

/** True when `doc` matches `query`. */
export function referenceMatches(doc: SearchDoc, query: SearchQuery): boolean {
  return (
    query.clauses.every((clause) =>
      clause.some((atom) => atomMatches(doc, atom) !== atom.negated),
    ) && filtersHold(doc, query.filters)
  )
}

/** Ids of the documents matching `query`, sorted (a set, for comparing). */
export function referenceSearch(docs: Iterable<SearchDoc>, query: SearchQuery): string[] {
  return [...docs]
    .filter((doc) => referenceMatches(doc, query))
    .map((doc) => doc.id)
    .sort()
}
