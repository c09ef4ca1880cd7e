// Child process of the store bench: one first pass of 1,000,000 backups, then prints peak RSS in bytes.
import { MirrorStore } from '../../src/store/mirror-store.js';
import { pass } from './store-bench.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: rss-million.ts DB_FILE');
const store = MirrorStore.open(file);
pass(store, 1_000_000, 0, 'million');
store.close();
process.stdout.write(`${process.resourceUsage().maxRSS * 1024}\n`);
