import type { EmulatorConfig } from '../config/config.js';
import { startEmulator, type Emulator } from './start-emulator.js';

/** Starts the built-in emulator as `emulator:` in the config describes it, on a free loopback port. */
export function emulatorFromConfig(emu: EmulatorConfig): Promise<Emulator> {
  return startEmulator({
    seed: emu.seed,
    folders: emu.folders,
    clustersPerFolder: emu.clusters,
    ...(emu.dayEveryMs === null ? {} : { dayEveryMs: emu.dayEveryMs }),
    ...(emu.token === null ? {} : { token: emu.token }),
  });
}
