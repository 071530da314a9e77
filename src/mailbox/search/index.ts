/** Mailbox search: tokens for the index, the query language, and the in-memory engine. */
export * from './tokenize.js'
export * from './query.js'
export * from './engine.js'
