import type { EmulatorConfig } from './config.js';
import type { Section } from './field-reader.js';

const emulatorKeys = ['enabled', 'folders', 'clusters', 'seed', 'day_every', 'token'];

/** Reads `emulator` (see EmulatorConfig for ranges and defaults). */
export function readEmulator(root: Section): EmulatorConfig {
  const s = root.section('emulator', emulatorKeys);
  return {
    enabled: s.boolean('enabled', false),
    folders: s.integer('folders', 3, 1, 100),
    clusters: s.integer('clusters', 5, 0, 1000),
    seed: s.integer('seed', 1, 0, 4_294_967_295),
    dayEveryMs: s.nullableDuration('day_every', '30s', 1),
    token: s.nullableString('token', true),
  };
}
