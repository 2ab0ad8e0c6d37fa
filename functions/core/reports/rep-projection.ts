/**
 * A rep's stream record → onboarding counters, by comparing the rep as written now with what was last
 * projected of it (the rep's report state, written with the counters in one transaction; the same record
 * again adds nothing, an older one is refused by its revision):
 *
 *   - reps by status (a gauge);
 *   - quiz attempts and passes per module, and whether the rep's first attempt at it passed;
 *   - open modules by due day (so "overdue now" is read as the days before today), while onboarding or
 *     recertifying;
 *   - days from start to the first certification, by role; days to the first lead and the first won deal;
 *   - the certification-expiry index entry (certifications expiring soon are read from it).
 */
import type { Rep, RepStatus } from '../model.js';
import { dayOf, hoursBetween, Increments, startOf, type CertExpiry, type Increment } from './aggregates.js';
import { revOf } from './lead-projection.js';

export interface RepShadow {
  repId: string;
  rev: string;
  status: RepStatus;
  role: string;
  /** Per module: attempts seen (attemptIds), its status, and whether its first attempt was counted. */
  modules: Record<string, { ids: number; status: string; first?: boolean }>;
  /** Open-module counters this rep adds to (`<moduleId>|<due day>`). */
  openDue: string[];
  certified: boolean;
  cert?: CertExpiry;
  firstLead: boolean;
  firstWon: boolean;
  erased?: boolean;
}

export interface RepProjection {
  shadow: RepShadow;
  increments: Increment[];
  /** The expiry index entry to remove and to write (either may be absent). */
  certRemove?: CertExpiry;
  certPut?: CertExpiry;
}

const onboarding = { kind: 'onboarding' as const };
const openModules = { kind: 'open-modules' as const };

export function projectRep(prev: RepShadow | undefined, rep: Rep): RepProjection | undefined {
  const rev = revOf(rep.version, rep.updatedAt ?? rep.createdAt);
  if (prev && (prev.erased || prev.rev >= rev)) return undefined;
  const inc = new Increments();
  const role = prev?.role ?? rep.role ?? 'unknown';

  if (prev?.status !== rep.status) {
    if (prev) inc.add(onboarding, `reps:${prev.status}`, -1);
    inc.add(onboarding, `reps:${rep.status}`);
  }

  const modules: RepShadow['modules'] = {};
  for (const m of rep.modules ?? []) {
    const seen = prev?.modules[m.moduleId];
    const ids = m.attemptIds.length;
    // Fewer attempts than seen: a new cycle's module (recertification), counted afresh.
    const fresh = !seen || ids < seen.ids;
    const added = fresh ? ids : ids - seen.ids;
    inc.add(onboarding, `mod:${m.moduleId}:attempts`, added);
    if (m.status === 'passed' && (fresh || seen.status !== 'passed')) inc.add(onboarding, `mod:${m.moduleId}:passed`);
    let first = seen?.first ?? false;
    if (!first && ids > 0) {
      first = true;
      inc.add(onboarding, `mod:${m.moduleId}:first`);
      if (m.status === 'passed' && ids === 1) inc.add(onboarding, `mod:${m.moduleId}:firstPassed`);
    }
    modules[m.moduleId] = { ids, status: m.status, ...(first ? { first } : {}) };
  }
  // Modules of earlier cycles keep their first-attempt mark.
  for (const [id, seen] of Object.entries(prev?.modules ?? {})) if (!modules[id] && seen.first) modules[id] = { ids: 0, status: 'gone', first: true };

  const learning = rep.status !== 'inactive' && (rep.track === 'onboarding' || rep.track === 'recertification');
  const openDue = learning ? (rep.modules ?? []).filter((m) => m.status !== 'passed').map((m) => `${m.moduleId}|${dayOf(m.dueAt)}`) : [];
  for (const key of prev?.openDue ?? []) if (!openDue.includes(key)) inc.add(openModules, key, -1);
  for (const key of openDue) if (!(prev?.openDue ?? []).includes(key)) inc.add(openModules, key, 1);

  const certified = !!rep.certification;
  if (certified && !prev?.certified) {
    inc.add(onboarding, `cert:${role}:count`);
    inc.sample(onboarding, `cert:${role}`, hoursBetween(startOf(rep), rep.certification!.certifiedAt));
  }
  const firstLead = !!rep.ramp?.firstLeadAt;
  if (firstLead && !prev?.firstLead) inc.sample(onboarding, 'ramp:lead', hoursBetween(startOf(rep), rep.ramp!.firstLeadAt!));
  const firstWon = !!rep.ramp?.firstWonAt;
  if (firstWon && !prev?.firstWon) inc.sample(onboarding, 'ramp:won', hoursBetween(startOf(rep), rep.ramp!.firstWonAt!));

  const cert: CertExpiry | undefined =
    rep.certification && rep.status !== 'inactive' ? { repId: rep.repId, expiresAt: rep.certification.expiresAt, ...(rep.name ? { name: rep.name } : {}) } : undefined;
  const changed = JSON.stringify(cert) !== JSON.stringify(prev?.cert);
  const shadow: RepShadow = {
    repId: rep.repId,
    rev,
    status: rep.status,
    role,
    modules,
    openDue,
    certified: certified || !!prev?.certified,
    ...(cert ? { cert } : {}),
    firstLead: firstLead || !!prev?.firstLead,
    firstWon: firstWon || !!prev?.firstWon,
  };
  return {
    shadow,
    increments: inc.list(),
    ...(changed && prev?.cert && prev.cert.expiresAt !== cert?.expiresAt ? { certRemove: prev.cert } : {}),
    ...(changed && cert ? { certPut: cert } : {}),
  };
}

/** A rep's record was deleted: it leaves the gauges and the expiry index. */
export function projectRepRemoved(prev: RepShadow | undefined): RepProjection | undefined {
  if (!prev || prev.erased) return undefined;
  const inc = new Increments().add(onboarding, `reps:${prev.status}`, -1);
  for (const key of prev.openDue) inc.add(openModules, key, -1);
  return { shadow: { ...prev, erased: true, openDue: [] }, increments: inc.list(), ...(prev.cert ? { certRemove: prev.cert } : {}) };
}
