/**
 * Removes anything token-like from text that came from a server (error details, HTTP
 * bodies) before it goes into an error message: IAM tokens (`t1.…`), OAuth tokens
 * (`y0_…`, `AQAA…`), JWTs and PEM blocks are all long runs without spaces, so every run
 * of 20 or more token characters is replaced. Ordinary words and ids survive; the
 * result is cut to `maxLength` characters.
 */
export function redactSecrets(text: string, maxLength = 200): string {
  const redacted = text
    .replace(/-----BEGIN[^]*?(-----END[^-]*-----|$)/g, '[redacted]')
    .replace(/[A-Za-z0-9._~+/=-]{20,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return redacted.length > maxLength ? `${redacted.slice(0, maxLength)}…` : redacted;
}
