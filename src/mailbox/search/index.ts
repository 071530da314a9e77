/** Mailbox search: the text side (tokens for the index, the query language). */
export * from './tokenize.js'
export * from './query.js'
export * from './engine.js'
