/** The bench table's rows that compare Tukang's backlog run with the peer's, as ratios from one run. */
import type { PeerResult } from './peer.js';

interface TukangRun {
  eventsPerSec: number;
  steadyEventsPerSec: number;
  cpuSecPerMillion: number;
  peakRssMiB: number;
}

const n = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US') : 'n/a');
const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');

/** measure, result, target, status: the ratios issue 14 sets (throughput ≥ 1.5×, CPU ≤ 0.6×). */
export function peerRows(peer: PeerResult | { skipped: string } | undefined, tukang: TukangRun | undefined): Array<Array<string | number>> {
  if (!peer) return [];
  if ('skipped' in peer) return [['Peer (side by side)', 'not run', '', peer.skipped]];
  const rows: Array<Array<string | number>> = [
    [`Peer ${peer.peer}: end to end / steady`, `${n(peer.events_per_s)} / ${n(peer.steady_events_per_s)} events/s`, '', `${n(peer.events)} records, ${n(peer.table_rows_at_end)} rows in its table`],
    [`Peer ${peer.peer}: CPU / peak RSS`, `${n(peer.cpu_s_per_million)} CPU-s per 1M events, ${n(peer.peak_rss_mib)} MiB`, '', `start-up ${n(peer.startup_s)} s not counted`],
  ];
  if (!tukang) return rows;
  const status = (ok: boolean, v: number): string => (ok ? 'met' : `missed (${x(v)})`);
  const e2e = tukang.eventsPerSec / peer.events_per_s;
  const steady = peer.steady_events_per_s ? tukang.steadyEventsPerSec / peer.steady_events_per_s : Number.NaN;
  const cpu = tukang.cpuSecPerMillion / peer.cpu_s_per_million;
  const rss = tukang.peakRssMiB / peer.peak_rss_mib;
  rows.push(['Tukang / peer, end-to-end throughput', x(e2e), '≥ 1.5×', status(e2e >= 1.5, e2e)]);
  rows.push(['Tukang / peer, steady-state throughput', x(steady), '≥ 1.5×', status(steady >= 1.5, steady)]);
  rows.push(['Tukang / peer, CPU-s per 1M events', x(cpu), '≤ 0.6×', status(cpu <= 0.6, cpu)]);
  rows.push(['Tukang / peer, peak RSS', x(rss), '', '']);
  return rows;
}
