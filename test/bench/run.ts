// `npm run bench`: every benchmark, each printing its figures against a baseline measured in the same run.
import { facadeBench } from './facade-bench.js';
import { metricsBench } from './metrics-bench.js';
import { storeBench } from './store-bench.js';

storeBench();
await metricsBench();
await facadeBench();
