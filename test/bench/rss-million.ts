// Child process of the store bench: one first pass of 1,000,000 backups, then prints peak RSS in bytes.
import { MirrorStore } from '../../src/store/mirror-store.js';
import { folder, pass } from './store-bench.js';
import { syntheticPages } from './synthetic-pages.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: rss-million.ts DB_FILE');
const store = MirrorStore.open(file);
// Generated lazily, one page alive at a time, as a real listing arrives.
pass(store, syntheticPages(folder, 1_000_000, 1000, 0), 'million');
store.close();
process.stdout.write(`${process.resourceUsage().maxRSS * 1024}\n`);
