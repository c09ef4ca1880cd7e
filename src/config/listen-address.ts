import { isIPv4, isIPv6 } from 'node:net';
import type { ListenAddress } from './config.js';

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const hostName = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const hint = 'expected host:port, IPv6 in brackets as [::1]:9464';

/**
 * Parses `host:port` where host is a name, an IPv4 address or a bracketed IPv6 address
 * (`[::1]:9464`, returned without brackets) and port is 0..65535 (0 = any free port).
 *
 * @throws Error naming the input when it is malformed.
 */
export function parseListenAddress(text: string): ListenAddress {
  const fail = (reason: string): never => {
    throw new Error(`invalid address ${JSON.stringify(text)}: ${reason}`);
  };
  let host: string;
  let portPart: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return fail(`missing "]"; ${hint}`);
    host = text.slice(1, close);
    if (!isIPv6(host)) fail(`${JSON.stringify(host)} is not an IPv6 address`);
    if (text[close + 1] !== ':') fail(`missing port; ${hint}`);
    portPart = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return fail(`missing port; ${hint}`);
    host = text.slice(0, colon);
    portPart = text.slice(colon + 1);
    if (host === '') fail(`missing host; ${hint}`);
    if (isIPv6(host)) fail(`IPv6 addresses must be in brackets; ${hint}`);
    // All-numeric names like 999.1.1.1 are mistyped IPv4 addresses, not host names.
    const numeric = /^[\d.]+$/.test(host);
    if (!isIPv4(host) && (numeric || !hostName.test(host))) fail(`${JSON.stringify(host)} is not a host name or IP address`);
  }

  if (!/^\d{1,5}$/.test(portPart)) fail(`port must be a number 0..65535; ${hint}`);
  const port = Number(portPart);
  if (port > 65_535) fail('port must be a number 0..65535');
  return { host, port };
}

/** Formats an address as `host:port`, bracketing IPv6 hosts: `{ host: '::1', port: 1 }` -> `[::1]:1`. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
