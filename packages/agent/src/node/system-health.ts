/**
 * The host's health for heartbeats: CPU use since the previous reading (all cores, from
 * `os.cpus()` tick counters), memory, free disk where the agent keeps its data (`statfs`), and the
 * hottest thermal zone under /sys/class/thermal (null where there is none, e.g. most VMs).
 */
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { join } from 'node:path';

export interface SystemHealth {
  readonly cpuPercent: number | null;
  readonly memoryUsedBytes: number;
  readonly memoryTotalBytes: number;
  readonly diskFreeBytes: number | null;
  readonly temperatureC: number | null;
}

function cpuTicks(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}

/** Hottest thermal zone, °C, or null. */
export function readTemperature(root = '/sys/class/thermal'): number | null {
  let zones: string[];
  try {
    zones = readdirSync(root).filter((n) => n.startsWith('thermal_zone'));
  } catch {
    return null;
  }
  let hottest: number | null = null;
  for (const z of zones) {
    try {
      const milli = Number(readFileSync(join(root, z, 'temp'), 'utf8').trim());
      if (Number.isFinite(milli) && milli > -100_000 && milli < 200_000)
        hottest = Math.max(hottest ?? -Infinity, milli / 1000);
    } catch {
      // a zone without a readable temp (some are write-only or disabled)
    }
  }
  return hottest;
}

export class SystemHealthProbe {
  private last = cpuTicks();

  constructor(private readonly dataDir: string) {}

  read(): SystemHealth {
    const now = cpuTicks();
    const total = now.total - this.last.total;
    const idle = now.idle - this.last.idle;
    this.last = now;
    let diskFreeBytes: number | null = null;
    try {
      const s = statfsSync(this.dataDir);
      diskFreeBytes = s.bavail * s.bsize;
    } catch {
      diskFreeBytes = null;
    }
    return {
      cpuPercent: total > 0 ? Math.min(100, Math.max(0, (100 * (total - idle)) / total)) : null,
      memoryUsedBytes: totalmem() - freemem(),
      memoryTotalBytes: totalmem(),
      diskFreeBytes,
      temperatureC: readTemperature(),
    };
  }
}
