/** A database file the mirror cannot use (foreign, corrupt, or from a newer build). The file is left untouched. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
