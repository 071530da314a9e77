/** A mistake in how the command was called: exit status 2, like a bad flag. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliUsageError'
  }
}
