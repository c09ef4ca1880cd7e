import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { backupServiceName, mirrorServiceName } from './facade-protos.js';

/**
 * `grpc.health.v1.Health` for the facade: "" (the server) SERVING while it is up;
 * BackupService SERVING only once every configured folder has had a successful pass
 * (before that its answers would not be authoritative); MirrorService SERVING while up.
 * Statuses change only when they differ, so Watch subscribers hear of real changes only.
 */
export class FacadeHealth {
  private readonly impl: HealthImplementation;
  private readonly current = new Map<string, ServingStatus>();
  private up = true;
  private synced = false;

  constructor() {
    this.impl = new HealthImplementation(this.wanted());
    for (const [name, status] of Object.entries(this.wanted())) this.current.set(name, status);
  }

  addToServer(server: grpc.Server): void {
    this.impl.addToServer(server);
  }

  /** Whether every configured folder has synced (drives BackupService's status). */
  setSynced(synced: boolean): void {
    this.synced = synced;
    this.apply();
  }

  /** False reports every service NOT_SERVING (draining before shutdown). */
  setServing(serving: boolean): void {
    this.up = serving;
    this.apply();
  }

  private wanted(): Record<string, ServingStatus> {
    const up: ServingStatus = this.up ? 'SERVING' : 'NOT_SERVING';
    return { '': up, [mirrorServiceName]: up, [backupServiceName]: this.up && this.synced ? 'SERVING' : 'NOT_SERVING' };
  }

  private apply(): void {
    for (const [name, status] of Object.entries(this.wanted())) {
      if (this.current.get(name) === status) continue;
      this.current.set(name, status);
      this.impl.setStatus(name, status);
    }
  }
}
