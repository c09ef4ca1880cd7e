/** A listing the mirror cannot trust (a page token loop, a malformed item): the pass fails, naming it. */
export class ListingError extends Error {
  override readonly name = 'ListingError';
}
