import test from 'ava';
import { negotiateFormat } from '../src/metrics/metrics-format.js';

test('OpenMetrics when the Accept header prefers it, as Prometheus does by default', (t) => {
  t.is(negotiateFormat('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'openmetrics');
  t.is(negotiateFormat('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  t.is(negotiateFormat('Application/OpenMetrics-Text'), 'openmetrics');
  t.is(negotiateFormat('text/plain;q=0.5, application/openmetrics-text;q=0.5'), 'openmetrics', 'a tie goes to OpenMetrics');
});

test('Prometheus text otherwise', (t) => {
  t.is(negotiateFormat(undefined), 'prometheus');
  t.is(negotiateFormat(''), 'prometheus');
  t.is(negotiateFormat('*/*'), 'prometheus');
  t.is(negotiateFormat('text/plain;version=0.0.4'), 'prometheus');
  t.is(negotiateFormat('application/json'), 'prometheus');
  t.is(negotiateFormat('application/openmetrics-text;q=0.2, text/plain'), 'prometheus', 'text/plain preferred');
  t.is(negotiateFormat('application/openmetrics-text;q=0'), 'prometheus', 'q=0 means not acceptable');
  t.is(negotiateFormat('application/openmetrics-text;q=banana'), 'prometheus', 'an unparsable q counts as not acceptable');
  t.is(negotiateFormat(',;,'), 'prometheus');
});
