import test from 'ava';
import { formatListenAddress, parseListenAddress } from '../src/config/listen-address.js';

for (const [input, host, port] of [
  ['127.0.0.1:9464', '127.0.0.1', 9464],
  ['0.0.0.0:50051', '0.0.0.0', 50051],
  ['localhost:0', 'localhost', 0],
  ['mdb.api.cloud.yandex.net:443', 'mdb.api.cloud.yandex.net', 443],
  ['[::1]:9464', '::1', 9464],
  ['[::]:65535', '::', 65535],
  ['[fe80::1:2]:1', 'fe80::1:2', 1],
] as const) {
  test(`parseListenAddress reads ${input}`, (t) => {
    const address = parseListenAddress(input);
    t.deepEqual(address, { host, port });
    t.is(formatListenAddress(address), input);
  });
}

for (const [input, reason] of [
  ['', /missing port/],
  ['9464', /missing port/],
  [':9464', /missing host/],
  ['::1:9464', /IPv6 addresses must be in brackets/],
  ['[::1]', /missing port/],
  ['[::1', /missing "]"/],
  ['[::1]9464', /missing port/],
  ['[127.0.0.1]:80', /not an IPv6 address/],
  ['[nothost]:80', /not an IPv6 address/],
  ['host:', /port must be a number/],
  ['host:-1', /port must be a number/],
  ['host:9x', /port must be a number/],
  ['host:65536', /port must be a number 0\.\.65535/],
  ['host:123456', /port must be a number/],
  ['bad_host:80', /not a host name or IP address/],
  ['-host:80', /not a host name or IP address/],
  ['1.2.3.4 :80', /not a host name or IP address/],
  ['999.1.1.1:80', /not a host name or IP address/],
  ['http://host:80', /not a host name or IP address/],
] as const) {
  test(`parseListenAddress rejects ${JSON.stringify(input)}`, (t) => {
    const error = t.throws(() => parseListenAddress(input));
    t.true(error.message.startsWith(`invalid address ${JSON.stringify(input)}: `), error.message);
    t.regex(error.message, reason);
  });
}
