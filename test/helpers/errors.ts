/** The `code` of a thrown value, if it has one. */
export const code = (err: unknown): string | undefined => (err as { code?: string }).code

/** What `fn` throws; fails the test if it does not throw. */
export function errorOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}
